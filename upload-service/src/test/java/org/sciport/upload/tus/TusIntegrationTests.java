package org.sciport.upload.tus;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.tus.java.client.TusClient;
import io.tus.java.client.TusURLMemoryStore;
import io.tus.java.client.TusUpload;
import io.tus.java.client.TusUploader;
import org.junit.jupiter.api.Test;
import org.sciport.commons.storage.BlobStore;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.upload.Catalogue;
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
 * tus 1.0.0 with the real tus-java-client (create, upload, interrupt, resume) and raw HTTP for
 * the extensions that client does not use.
 */
@UploadServiceIntegrationTest
class TusIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		Catalogue.register(registry, "upload_tus");
	}

	@LocalServerPort
	int port;

	@Autowired
	WebTestClient client;

	@Autowired
	DatabaseClient database;

	@Autowired
	BlobStore blobs;

	@Autowired
	org.sciport.upload.spool.Spool spool;

	@Test
	void theTusJavaClientUploadsIsInterruptedAndResumes() throws Exception {
		User owner = TestTokens.user();
		byte[] content = new byte[3 * 1024 * 1024 + 17];
		new Random(7).nextBytes(content);
		TusClient tus = new TusClient();
		tus.setUploadCreationURL(new URL("http://localhost:" + this.port + "/v1/uploads/tus"));
		tus.enableResuming(new TusURLMemoryStore());
		tus.setHeaders(Map.of("Authorization", "Bearer " + owner.token()));
		TusUpload upload = upload(content, Map.of("filename", "frames.bin", "dataset_name", "Tus frames"));

		TusUploader first = tus.resumeOrCreateUpload(upload);
		first.setChunkSize(256 * 1024);
		first.setRequestPayloadSize(256 * 1024);
		assertThat(first.uploadChunk()).isPositive();
		assertThat(first.uploadChunk()).isPositive();
		first.finish();
		long interruptedAt = first.getOffset();
		assertThat(interruptedAt).isEqualTo(512 * 1024);
		String location = first.getUploadURL().toString();

		// A new client session (fresh stream) resumes where the server says it stopped.
		TusUploader resumed = tus.resumeOrCreateUpload(upload(content, Map.of("filename", "frames.bin",
				"dataset_name", "Tus frames")));
		assertThat(resumed.getUploadURL().toString()).isEqualTo(location);
		assertThat(resumed.getOffset()).isEqualTo(interruptedAt);
		resumed.setChunkSize(1024 * 1024);
		resumed.setRequestPayloadSize(1024 * 1024);
		while (resumed.uploadChunk() > -1) {
			// keep sending
		}
		resumed.finish();

		String job = location.substring(location.lastIndexOf('/') + 1);
		Map<String, Object> status = job(owner, job);
		assertThat(status).containsEntry("protocol", "tus").containsEntry("bytes_total", content.length)
			.containsEntry("sha256", sha256(content));
		assertThat((String) status.get("status")).isIn("conversion_queued", "converting", "done");
	}

	@Test
	void announcesItsExtensionsAndCreatesWithUploadAndDeferredLength() {
		User owner = TestTokens.user();
		this.client.options().uri("/v1/uploads/tus").headers((h) -> h.setBearerAuth(owner.token())).exchange()
			.expectStatus().isNoContent()
			.expectHeader().valueEquals("Tus-Resumable", "1.0.0")
			.expectHeader().valueEquals("Tus-Version", "1.0.0")
			.expectHeader().value("Tus-Extension", (value) -> assertThat(value.split(",")).contains("creation",
					"creation-with-upload", "creation-defer-length", "expiration", "checksum", "termination", "concatenation"))
			.expectHeader().value("Tus-Checksum-Algorithm", (value) -> assertThat(value).contains("sha1", "sha256"));

		// creation-with-upload, with forwarding headers a client made up.
		byte[] hello = "hello, tus".getBytes(StandardCharsets.UTF_8);
		WebTestClient.ResponseSpec created = tus(owner, HttpMethod.POST, "/v1/uploads/tus")
			.header("Upload-Length", Integer.toString(hello.length))
			.header("Upload-Metadata", metadata("filename", "hello.txt", "dataset_name", "Greetings"))
			.header("Content-Type", TusController.OFFSET_OCTET_STREAM)
			.header("X-Forwarded-Host", "gateway.example:8443")
			.header("X-Forwarded-Proto", "https")
			.bodyValue(hello)
			.exchange()
			.expectStatus().isCreated()
			.expectHeader().valueEquals("Upload-Offset", Integer.toString(hello.length))
			.expectHeader().exists("Upload-Expires");
		URI location = created.returnResult(Void.class).getResponseHeaders().getLocation();
		// The client's forwarding headers (and Host) choose nothing: the Location is built from the
		// configured public URL, relative without one.
		assertThat(location.toString()).startsWith("/v1/uploads/tus/");
		assertThat(job(owner, id(location)).get("completed_at")).isNotNull();

		// creation-defer-length: the length comes with the last PATCH.
		String deferred = create(owner, tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Defer-Length", "1")
			.header("Upload-Metadata", metadata("filename", "later.txt", "dataset_name", "Deferred")));
		tus(owner, HttpMethod.HEAD, "/v1/uploads/tus/" + deferred).exchange().expectStatus().isOk()
			.expectHeader().valueEquals("Upload-Defer-Length", "1")
			.expectHeader().valueEquals("Upload-Offset", "0")
			.expectHeader().valueEquals("Cache-Control", "no-store");
		patch(owner, deferred, 0, "abc".getBytes(StandardCharsets.UTF_8)).header("Upload-Length", "6").exchange()
			.expectStatus().isNoContent().expectHeader().valueEquals("Upload-Offset", "3");
		patch(owner, deferred, 3, "def".getBytes(StandardCharsets.UTF_8)).exchange()
			.expectStatus().isNoContent().expectHeader().valueEquals("Upload-Offset", "6");
		assertThat(job(owner, deferred)).containsEntry("bytes_total", 6)
			.containsEntry("sha256", sha256("abcdef".getBytes(StandardCharsets.UTF_8)));
	}

	@Test
	void aChecksumMismatchIs460AndTheOffsetStaysAWrongOffsetIs409() throws Exception {
		User owner = TestTokens.user();
		String id = create(owner, tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Length", "8")
			.header("Upload-Metadata", metadata("filename", "sum.bin", "dataset_name", "Sums")));
		byte[] first = "1234".getBytes(StandardCharsets.UTF_8);
		patch(owner, id, 0, first).header("Upload-Checksum", "sha1 " + digest("SHA-1", "4321".getBytes(StandardCharsets.UTF_8)))
			.exchange().expectStatus().isEqualTo(460);
		offset(owner, id, "0");
		patch(owner, id, 0, first).header("Upload-Checksum", "sha1 " + digest("SHA-1", first)).exchange()
			.expectStatus().isNoContent().expectHeader().valueEquals("Upload-Offset", "4");
		patch(owner, id, 0, first).exchange().expectStatus().isEqualTo(409);
		patch(owner, id, 4, "56789".getBytes(StandardCharsets.UTF_8)).exchange().expectStatus().isBadRequest();
		offset(owner, id, "4");
		patch(owner, id, 4, "5678".getBytes(StandardCharsets.UTF_8))
			.header("Upload-Checksum", "sha256 " + digest("SHA-256", "5678".getBytes(StandardCharsets.UTF_8)))
			.exchange().expectStatus().isNoContent().expectHeader().valueEquals("Upload-Offset", "8");
		assertThat(job(owner, id)).containsEntry("sha256", sha256("12345678".getBytes(StandardCharsets.UTF_8)));

		// Protocol refusals.
		this.client.post().uri("/v1/uploads/tus").headers((h) -> h.setBearerAuth(owner.token()))
			.header("Upload-Length", "3").exchange()
			.expectStatus().isEqualTo(412).expectHeader().valueEquals("Tus-Version", "1.0.0");
		tus(owner, HttpMethod.PATCH, "/v1/uploads/tus/" + id).header("Upload-Offset", "0")
			.header("Content-Type", "application/json").bodyValue("{}").exchange().expectStatus().isEqualTo(415);
		tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Length", "3")
			.header("Upload-Metadata", metadata("filename", "../x", "dataset_name", "D")).exchange()
			.expectStatus().isBadRequest();
		tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Length", "3")
			.header("Upload-Metadata", metadata("filename", "x", "dataset_name", "D")).header("Upload-Checksum", "crc32 AAAA")
			.exchange().expectStatus().isCreated();
		tus(TestTokens.user(), HttpMethod.HEAD, "/v1/uploads/tus/" + id).exchange().expectStatus().isNotFound();
		tus(owner, HttpMethod.HEAD, "/v1/uploads/tus/" + UUID.randomUUID()).exchange().expectStatus().isNotFound();
	}

	@Test
	void terminationRemovesAnUploadAndExpiryCleansUpAbandonedOnes() {
		User owner = TestTokens.user();
		String id = create(owner, tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Length", "10")
			.header("Upload-Metadata", metadata("filename", "gone.bin", "dataset_name", "Gone")));
		patch(owner, id, 0, "12345".getBytes(StandardCharsets.UTF_8)).exchange().expectStatus().isNoContent();
		tus(owner, HttpMethod.DELETE, "/v1/uploads/tus/" + id).exchange().expectStatus().isNoContent();
		tus(owner, HttpMethod.HEAD, "/v1/uploads/tus/" + id).exchange().expectStatus().isNotFound();
		// Terminated through the one cancel path: announced like any other cancellation.
		try (org.sciport.testsupport.TopicReader reader = new org.sciport.testsupport.TopicReader(
				org.sciport.testsupport.TestInfrastructure.kafkaBootstrap(), org.sciport.commons.event.Topics.UPLOAD)) {
			assertThat(reader.awaitRecords((record) -> id.equals(record.key())
					&& record.value().contains("\"sciport.upload.cancelled\""), 1, Duration.ofSeconds(30)))
				.singleElement()
				.satisfies((record) -> assertThat(record.value()).contains("\"error\":\"cancelled\""));
		}
		patch(owner, id, 5, "67890".getBytes(StandardCharsets.UTF_8)).exchange().expectStatus().isNotFound();

		String abandoned = create(owner, tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Length", "10")
			.header("Upload-Metadata", metadata("filename", "old.bin", "dataset_name", "Old")));
		patch(owner, abandoned, 0, "12345".getBytes(StandardCharsets.UTF_8)).exchange().expectStatus().isNoContent();
		expireAndAwaitTheSweep(owner, abandoned);
		tus(owner, HttpMethod.HEAD, "/v1/uploads/tus/" + abandoned).exchange().expectStatus().isNotFound();
	}

	@Test
	void aDeferredLengthOfNothingOrBelowWhatWasSentIsRefusedAsOnEveryRoute() {
		User owner = TestTokens.user();
		String id = create(owner, tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Defer-Length", "1")
			.header("Upload-Metadata", metadata("filename", "nothing.bin", "dataset_name", "Nothing")));
		patch(owner, id, 0, new byte[0]).header("Upload-Length", "0").exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("Upload-Length");
		patch(owner, id, 0, "abc".getBytes(StandardCharsets.UTF_8)).exchange().expectStatus().isNoContent();
		patch(owner, id, 3, "d".getBytes(StandardCharsets.UTF_8)).header("Upload-Length", "2").exchange()
			.expectStatus().isBadRequest();
		offset(owner, id, "3");
		assertThat(job(owner, id)).containsEntry("status", "uploading");
	}

	@Test
	void aPatchWhoseStartingOffsetMovedMeanwhileIsA409AndMovesNothing() throws Exception {
		User owner = TestTokens.user();
		String id = create(owner, tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Length", "10")
			.header("Upload-Metadata", metadata("filename", "raced.bin", "dataset_name", "Raced")));
		// The PATCH is sent by hand, in two steps: its first five bytes, then (after another
		// replica's PATCH recorded offset 3 meanwhile) the rest.
		java.nio.file.Path spooled = this.spool.tusFile(UUID.fromString(id));
		assertThat(spooled).doesNotExist();
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(30_000);
			java.io.OutputStream out = socket.getOutputStream();
			out.write(("PATCH /v1/uploads/tus/" + id + " HTTP/1.1\r\nHost: sciport\r\nConnection: close\r\nAuthorization: Bearer "
					+ owner.token() + "\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: "
					+ TusController.OFFSET_OCTET_STREAM + "\r\nContent-Length: 10\r\n\r\n12345")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			// The spool file is opened once the PATCH was checked against the offset (0) it names.
			org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> java.nio.file.Files.exists(spooled));
			this.database.sql("UPDATE upload SET bytes_received = 3 WHERE id = :id").bind("id", UUID.fromString(id))
				.then().block(Duration.ofSeconds(10));
			out.write("67890".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			String answer = new String(socket.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
			assertThat(answer).startsWith("HTTP/1.1 409").contains("moved while this PATCH ran");
		}
		offset(owner, id, "3");
	}

	@Test
	void partialUploadsAreJoinedIntoOneFinalUpload() {
		User owner = TestTokens.user();
		byte[] left = "first half|".getBytes(StandardCharsets.UTF_8);
		byte[] right = "second half".getBytes(StandardCharsets.UTF_8);
		String a = create(owner, tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Concat", "partial")
			.header("Upload-Length", Integer.toString(left.length))
			.header("Upload-Metadata", metadata("filename", "part-a")));
		// As tus-js-client and Uppy send them: a partial upload with no metadata at all.
		String b = create(owner, tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Concat", "partial")
			.header("Upload-Length", Integer.toString(right.length)));
		patch(owner, b, 0, right).exchange().expectStatus().isNoContent();
		tus(owner, HttpMethod.HEAD, "/v1/uploads/tus/" + b).exchange().expectStatus().isOk()
			.expectHeader().valueEquals("Upload-Concat", "partial");
		// A final upload over an unfinished part is refused.
		tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Concat", "final;/v1/uploads/tus/" + a + " /v1/uploads/tus/" + b)
			.header("Upload-Metadata", metadata("filename", "whole.txt", "dataset_name", "Joined")).exchange()
			.expectStatus().isBadRequest();
		patch(owner, a, 0, left).exchange().expectStatus().isNoContent();
		// Someone else cannot join them.
		User stranger = TestTokens.user();
		tus(stranger, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Concat", "final;/v1/uploads/tus/" + a)
			.header("Upload-Metadata", metadata("filename", "stolen.txt", "dataset_name", "Theirs")).exchange()
			.expectStatus().isNotFound();
		String whole = create(owner, tus(owner, HttpMethod.POST, "/v1/uploads/tus")
			.header("Upload-Concat", "final;/v1/uploads/tus/" + a + " http://localhost/v1/uploads/tus/" + b)
			.header("Upload-Metadata", metadata("filename", "whole.txt", "dataset_name", "Joined")));
		byte[] joined = "first half|second half".getBytes(StandardCharsets.UTF_8);
		assertThat(job(owner, whole)).containsEntry("bytes_total", joined.length).containsEntry("sha256", sha256(joined));
		tus(owner, HttpMethod.HEAD, "/v1/uploads/tus/" + whole).exchange().expectStatus().isOk()
			.expectHeader().valueEquals("Upload-Offset", Integer.toString(joined.length))
			.expectHeader().value("Upload-Concat", (concat) -> assertThat(concat).startsWith("final;")
				.contains("/v1/uploads/tus/" + a + " ").endsWith("/v1/uploads/tus/" + b));
		// The parts are no longer listed as jobs of their own.
		this.client.get().uri("/v1/jobs").headers((h) -> h.setBearerAuth(owner.token())).exchange()
			.expectBody().jsonPath("$.data[*].job_id").value((ids) -> assertThat(ids.toString()).contains(whole)
				.doesNotContain(a).doesNotContain(b));
	}

	@Test
	void aPartNoFinalUploadJoinedIsRemovedWhenItExpires() {
		User owner = TestTokens.user();
		byte[] content = "never joined".getBytes(StandardCharsets.UTF_8);
		String part = create(owner, tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Concat", "partial")
			.header("Upload-Length", Integer.toString(content.length)));
		patch(owner, part, 0, content).exchange().expectStatus().isNoContent();
		String key = this.database.sql("SELECT blob_key FROM upload WHERE id = :id").bind("id", UUID.fromString(part))
			.map((row) -> row.get("blob_key", String.class)).one().block(Duration.ofSeconds(10));
		assertThat(this.blobs.stat(key).blockOptional(Duration.ofSeconds(10))).isPresent();
		expireAndAwaitTheSweep(owner, part);
		assertThat(this.blobs.stat(key).map((blob) -> true).onErrorReturn(false).defaultIfEmpty(false)
			.block(Duration.ofSeconds(10))).isFalse();
		tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Concat", "final;/v1/uploads/tus/" + part)
			.header("Upload-Metadata", metadata("filename", "late.txt", "dataset_name", "Late")).exchange()
			.expectStatus().isBadRequest();
	}

	@Test
	void refusesAFileOverTheLimitWhenItIsCreated() {
		User owner = TestTokens.user();
		long tooLarge = 8L * 1024 * 1024 + 1;
		tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Length", Long.toString(tooLarge))
			.header("Upload-Metadata", metadata("filename", "huge.bin", "dataset_name", "Huge")).exchange()
			.expectStatus().isEqualTo(413)
			.expectBody().jsonPath("$.error.code").isEqualTo("PAYLOAD_TOO_LARGE");
		// A deferred length over the limit is refused when it is declared, and the offset stays.
		String deferred = create(owner, tus(owner, HttpMethod.POST, "/v1/uploads/tus").header("Upload-Defer-Length", "1")
			.header("Upload-Metadata", metadata("filename", "grows.bin", "dataset_name", "Grows")));
		patch(owner, deferred, 0, "abc".getBytes(StandardCharsets.UTF_8)).header("Upload-Length", Long.toString(tooLarge))
			.exchange().expectStatus().isEqualTo(413);
		tus(owner, HttpMethod.HEAD, "/v1/uploads/tus/" + deferred).exchange().expectStatus().isOk()
			.expectHeader().valueEquals("Upload-Offset", "0");
	}

	private static TusUpload upload(byte[] content, Map<String, String> metadata) {
		TusUpload upload = new TusUpload();
		upload.setInputStream(new ByteArrayInputStream(content));
		upload.setSize(content.length);
		upload.setFingerprint("frames-" + content.length);
		upload.setMetadata(metadata);
		return upload;
	}

	private WebTestClient.RequestBodySpec tus(User user, HttpMethod method, String path) {
		return this.client.method(method).uri(path).headers((h) -> h.setBearerAuth(user.token()))
			.header("Tus-Resumable", "1.0.0");
	}

	private WebTestClient.RequestHeadersSpec<?> patch(User user, String id, long offset, byte[] bytes) {
		return tus(user, HttpMethod.PATCH, "/v1/uploads/tus/" + id).header("Upload-Offset", Long.toString(offset))
			.header("Content-Type", TusController.OFFSET_OCTET_STREAM)
			.bodyValue(bytes);
	}

	private void offset(User user, String id, String expected) {
		tus(user, HttpMethod.HEAD, "/v1/uploads/tus/" + id).exchange().expectStatus().isOk()
			.expectHeader().valueEquals("Upload-Offset", expected);
	}

	private static String create(User user, WebTestClient.RequestBodySpec request) {
		URI location = request.exchange().expectStatus().isCreated().returnResult(Void.class).getResponseHeaders().getLocation();
		return id(location);
	}

	private static String id(URI location) {
		String path = location.getPath();
		return path.substring(path.lastIndexOf('/') + 1);
	}

	/** Backdates the upload's expiry and waits for the sweep to mark it expired. */
	private void expireAndAwaitTheSweep(User owner, String id) {
		this.database.sql("UPDATE upload SET expires_at = now() - interval '1 second' WHERE id = :id")
			.bind("id", UUID.fromString(id)).then().block(Duration.ofSeconds(10));
		long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
		while (!"expired".equals(job(owner, id).get("status")) && System.nanoTime() < deadline) {
			pause();
		}
		assertThat(job(owner, id)).containsEntry("status", "expired");
	}

	private Map<String, Object> job(User user, String id) {
		return this.client.get().uri("/v1/jobs/" + id).headers((h) -> h.setBearerAuth(user.token())).exchange()
			.expectStatus().isOk().expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
	}

	private static String metadata(String... pairs) {
		StringBuilder header = new StringBuilder();
		for (int i = 0; i < pairs.length; i += 2) {
			header.append((i == 0) ? "" : ",").append(pairs[i]).append(' ')
				.append(Base64.getEncoder().encodeToString(pairs[i + 1].getBytes(StandardCharsets.UTF_8)));
		}
		return header.toString();
	}

	private static String sha256(byte[] bytes) throws RuntimeException {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String digest(String algorithm, byte[] bytes) throws Exception {
		return Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(bytes));
	}

	private static void pause() {
		try {
			Thread.sleep(200);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
