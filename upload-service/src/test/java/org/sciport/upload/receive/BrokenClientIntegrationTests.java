package org.sciport.upload.receive;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.upload.Catalogue;
import org.sciport.upload.UploadProperties;
import org.sciport.upload.UploadServiceIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that break off or lie, spoken to over a raw socket: nothing half-written becomes a
 * file, an interrupted tus upload resumes from what reached the disk, and a queued conversion
 * can be cancelled.
 */
@UploadServiceIntegrationTest
class BrokenClientIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		Catalogue.register(registry, "upload_broken");
	}

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient client;

	@Autowired
	UploadProperties properties;

	@Autowired
	DatabaseClient database;

	@Test
	void aMultipartUploadThatStopsShortOfItsContentLengthLeavesNoFile() throws Exception {
		User owner = TestTokens.user();
		String boundary = "lying-boundary";
		byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"dataset_name\"\r\n\r\nLies\r\n--"
				+ boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.bin\"\r\n"
				+ "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			OutputStream out = socket.getOutputStream();
			out.write(("POST /api/upload/upload HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + owner.token()
					+ "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: 5000000\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.write(head);
			out.write(new byte[300_000]);
			out.flush();
			// The client promised 5 MB and, once its upload is under way, goes away after 300 KB.
			org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> jobs(owner),
					(jobs) -> jobs.size() == 1 && "uploading".equals(jobs.get(0).get("status")));
		}
		// The job fails as soon as the connection is gone (not at its expiry a day later):
		// nothing completed and nothing was kept.
		List<Map<String, Object>> jobs = awaitSettled(owner);
		assertThat(jobs).hasSize(1).allSatisfy((job) -> {
			assertThat(job.get("status")).isEqualTo("failed");
			assertThat(job.get("completed_at")).isNull();
			assertThat(job.get("sha256")).isNull();
		});
		assertNothingStoredFor(jobs.stream().map((job) -> (String) job.get("job_id")).toList());
	}

	@Test
	void aTusPatchCutOffMidwayKeepsWhatArrivedAndTheUploadResumesFromThere() throws Exception {
		User owner = TestTokens.user();
		byte[] content = new byte[3_000_000];
		new Random(9).nextBytes(content);
		String location = this.client.post().uri("/v1/uploads/tus").headers((h) -> h.setBearerAuth(owner.token()))
			.header("Tus-Resumable", "1.0.0").header("Upload-Length", Integer.toString(content.length))
			.header("Upload-Metadata", "filename " + b64("cut.bin") + ",dataset_name " + b64("Cut"))
			.exchange().expectStatus().isCreated().returnResult(Void.class).getResponseHeaders().getLocation().getPath();
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			OutputStream out = socket.getOutputStream();
			out.write(("PATCH " + location + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + owner.token()
					+ "\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
					+ "Content-Length: " + content.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			// More than one of the writer's 1 MiB batches: the whole batches that reached the disk
			// are kept, whether the server hears of the cut as an error or as a cancellation (a
			// partial batch still in memory at a cancellation is dropped).
			out.write(content, 0, 1_500_000);
			out.flush();
			// The client's own pace, not a wait for the server: it stalls a moment, then drops.
			Thread.sleep(300);
		}
		long offset = awaitStableOffset(owner, location);
		assertThat(offset).isBetween(1L, 1_500_000L);
		this.client.patch().uri(location).headers((h) -> h.setBearerAuth(owner.token()))
			.header("Tus-Resumable", "1.0.0").header("Upload-Offset", Long.toString(offset))
			.header("Content-Type", "application/offset+octet-stream")
			.bodyValue(java.util.Arrays.copyOfRange(content, (int) offset, content.length))
			.exchange().expectStatus().isNoContent()
			.expectHeader().valueEquals("Upload-Offset", Integer.toString(content.length));
		String job = location.substring(location.lastIndexOf('/') + 1);
		Map<String, Object> done = this.client.get().uri("/v1/jobs/" + job).headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectBody(MAP).returnResult().getResponseBody();
		assertThat(done).containsEntry("sha256",
				HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
	}

	@Test
	void aQueuedConversionCanBeCancelledAndIsNotRunAfterwards() throws Exception {
		User owner = TestTokens.user();
		String job = (String) this.client.post().uri("/api/upload/initiate").headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("filename", "q.json", "size", 2, "chunk_size", 65536, "dataset_name", "Queued"))
			.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("job_id");
		// Hold the conversion back (as if workers were busy) before the upload completes.
		this.client.put().uri("/api/upload/chunk/" + job + "/0").headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue("{}".getBytes(StandardCharsets.UTF_8)).exchange().expectStatus().isOk();
		this.database.sql("CREATE OR REPLACE FUNCTION hold_back() RETURNS trigger AS $$ BEGIN "
				+ "IF NEW.status = 'conversion_queued' THEN NEW.next_attempt_at := now() + interval '1 hour'; END IF; "
				+ "RETURN NEW; END $$ LANGUAGE plpgsql").then().block(Duration.ofSeconds(10));
		this.database.sql("CREATE TRIGGER hold_back BEFORE UPDATE ON upload FOR EACH ROW WHEN (NEW.id = '" + job
				+ "') EXECUTE FUNCTION hold_back()").then().block(Duration.ofSeconds(10));
		this.client.post().uri("/api/upload/complete/" + job).headers((h) -> h.setBearerAuth(owner.token())).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.data.status").isEqualTo("conversion_queued");
		this.client.post().uri("/v1/jobs/" + job + "/cancel").headers((h) -> h.setBearerAuth(owner.token())).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("cancelled");
		this.database.sql("DROP TRIGGER hold_back ON upload").then().block(Duration.ofSeconds(10));
		this.database.sql("UPDATE upload SET next_attempt_at = now() WHERE id = '" + job + "'").then()
			.block(Duration.ofSeconds(10));
		// Due now, and still not run: the workers poll every 500 ms, so it stays put for three polls.
		org.awaitility.Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
			.until(() -> this.client.get().uri("/v1/jobs/" + job).headers((h) -> h.setBearerAuth(owner.token()))
				.exchange().expectBody(MAP).returnResult().getResponseBody(),
					(status) -> "cancelled".equals(status.get("status")) && Integer.valueOf(0).equals(status.get("attempts")));
		this.client.method(HttpMethod.POST).uri("/v1/jobs/" + job + "/retry").headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isEqualTo(409);
	}

	private long awaitStableOffset(User owner, String location) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		long previous = -1;
		while (System.nanoTime() < deadline) {
			long offset = Long.parseLong(this.client.head().uri(location).headers((h) -> h.setBearerAuth(owner.token()))
				.header("Tus-Resumable", "1.0.0").exchange().returnResult(Void.class).getResponseHeaders()
				.getFirst("Upload-Offset"));
			if (offset > 0 && offset == previous) {
				return offset;
			}
			previous = offset;
			Thread.sleep(300);
		}
		return previous;
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> jobs(User owner) {
		return (List<Map<String, Object>>) this.client.get().uri("/v1/jobs").headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectBody(MAP).returnResult().getResponseBody().get("data");
	}

	/** The caller's jobs, once there are some and none of them is still uploading. */
	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> awaitSettled(User owner) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		List<Map<String, Object>> jobs = List.of();
		while (System.nanoTime() < deadline) {
			jobs = jobs(owner);
			if (!jobs.isEmpty() && jobs.stream().noneMatch((job) -> "uploading".equals(job.get("status")))) {
				return jobs;
			}
			Thread.sleep(100);
		}
		return jobs;
	}

	private void assertNothingStoredFor(List<String> jobs) throws Exception {
		Path root = this.properties.storageDirectory();
		try (Stream<Path> files = Files.walk(root.resolve("uploads"))) {
			assertThat(files.filter(Files::isRegularFile).map(Path::toString))
				.noneMatch((path) -> jobs.stream().anyMatch(path::contains));
		}
		catch (java.nio.file.NoSuchFileException ex) {
			// nothing was ever stored
		}
		// A write the server hears of as a cancellation removes its temporary file on another
		// thread, a moment later: wait for it (bounded).
		long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
		while (!incoming(root).isEmpty() && System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		assertThat(incoming(root)).isEmpty();
	}

	private static List<Path> incoming(Path root) throws java.io.IOException {
		try (Stream<Path> incoming = Files.list(root.resolve(".incoming"))) {
			return incoming.toList();
		}
	}

	private static String b64(String value) {
		return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
	}

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

}
