package org.sciport.standalone;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The suite killed with SIGKILL while it works, and started again on the same data: an upload
 * that was converting is converted after the restart and its dataset ends {@code done}, and a
 * tus upload interrupted by the kill resumes from the offset the suite acknowledged and ends
 * byte-identical.
 */
class CrashRecoveryE2eTests {

	private static final Duration READY = Duration.ofSeconds(180);

	private static final String PASSWORD = "a long enough password";

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	@TempDir
	Path temporary;

	@Test
	void aKilledSuiteRecoversItsConversionsAndResumesItsUploads() throws Exception {
		Path data = this.temporary.resolve("data");
		int port = SuiteProcess.freePort();
		// A converter's claim lapses after 5 s, so the restarted suite takes over the conversion soon.
		Map<String, String> environment = Map.of("SCIPORT_HTTP_PORT", String.valueOf(port),
				"SCIPORT_UPLOAD_CONVERSION_LEASE", "5s");
		Path logs = Path.of("target", "suite-logs");
		byte[] content = new byte[3 * 1024 * 1024];
		new Random(11).nextBytes(content);
		int acknowledged = 1024 * 1024;
		String tusPath;
		String job;
		String dataset;
		try (SuiteProcess suite = SuiteProcess.start(data, environment, logs)) {
			suite.awaitReady(READY);
			send(port, "POST", "/v1/auth/register", "{\"email\":\"crash@example.org\",\"password\":\"" + PASSWORD + "\"}",
					null, Map.of());
			String token = login(port);
			// A tus upload, its first MiB acknowledged.
			HttpResponse<String> created = send(port, "POST", "/v1/uploads/tus", null, token,
					Map.of("Tus-Resumable", "1.0.0", "Upload-Length", Integer.toString(content.length), "Upload-Metadata",
							"filename " + b64("frames.bin") + ",dataset_name " + b64("Crash frames")));
			assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
			tusPath = URI.create("http://127.0.0.1:" + port).resolve(created.headers().firstValue("Location").orElseThrow())
				.getPath();
			HttpResponse<byte[]> first = patch(port, tusPath, token, 0, content, 0, acknowledged);
			assertThat(first.statusCode()).isEqualTo(204);
			// A file to convert, then the kill right after it was taken.
			Path csv = this.temporary.resolve("scan.csv");
			StringBuilder rows = new StringBuilder("angle,counts\n");
			for (int i = 0; i < 200_000; i++) {
				rows.append(i * 0.01).append(',').append(i % 97).append('\n');
			}
			Files.writeString(csv, rows);
			Process curl = new ProcessBuilder("curl", "-s", "-X", "POST", "http://127.0.0.1:" + port + "/api/upload/upload",
					"-H", "Authorization: Bearer " + token, "-F", "file=@" + csv, "-F", "dataset_name=Crash scan")
				.redirectErrorStream(true)
				.start();
			JsonNode uploaded = this.json.readTree(new String(curl.getInputStream().readAllBytes()));
			assertThat(curl.waitFor()).isZero();
			job = uploaded.path("job_id").asString();
			dataset = uploaded.path("dataset_id").asString();
			assertThat(job).as(uploaded.toString()).isNotEmpty();
			String before = this.json.readTree(send(port, "GET", "/v1/jobs/" + job, null, token, Map.of()).body())
				.path("status").asString();
			suite.kill(Duration.ofSeconds(30));
			System.out.printf("measured: the suite was killed with the upload's job %s%n", before);
		}

		try (SuiteProcess again = SuiteProcess.start(data, environment, logs)) {
			again.awaitReady(READY);
			String token = login(port);
			// The conversion is taken up again and the dataset ends done.
			await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
				.until(() -> "done".equals(status(port, "/v1/jobs/" + job, token)));
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
				.until(() -> "done".equals(status(port, "/v1/datasets/" + dataset + "/status", token)));
			// The tus upload resumes where the suite said it was, and ends byte-identical.
			HttpResponse<String> head = send(port, "HEAD", tusPath, null, token, Map.of("Tus-Resumable", "1.0.0"));
			assertThat(head.statusCode()).isEqualTo(200);
			int offset = Integer.parseInt(head.headers().firstValue("Upload-Offset").orElseThrow());
			assertThat(offset).isEqualTo(acknowledged);
			assertThat(patch(port, tusPath, token, offset, content, offset, content.length - offset).statusCode())
				.isEqualTo(204);
			String tusJob = tusPath.substring(tusPath.lastIndexOf('/') + 1);
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
				String status = status(port, "/v1/jobs/" + tusJob, token);
				return !status.isEmpty() && !"uploading".equals(status);
			});
			JsonNode finished = this.json.readTree(send(port, "GET", "/v1/jobs/" + tusJob, null, token, Map.of()).body());
			assertThat(finished.path("bytes_total").asLong()).isEqualTo(content.length);
			assertThat(finished.path("sha256").asString())
				.isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
		}
	}

	/**
	 * The {@code status} of what {@code path} answers with, or an empty string while the
	 * restarted suite does not answer it with 200 (the wait goes on).
	 */
	private String status(int port, String path, String token) throws Exception {
		try {
			HttpResponse<String> answer = send(port, "GET", path, null, token, Map.of());
			return (answer.statusCode() == 200) ? this.json.readTree(answer.body()).path("status").asString("") : "";
		}
		catch (java.io.IOException ex) {
			return "";
		}
	}

	private String login(int port) throws Exception {
		return this.json.readTree(send(port, "POST", "/v1/auth/login",
				"{\"email\":\"crash@example.org\",\"password\":\"" + PASSWORD + "\"}", null, Map.of()).body())
			.path("access_token").asString();
	}

	private HttpResponse<byte[]> patch(int port, String path, String token, long offset, byte[] content, int from,
			int length) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(60))
			.header("Authorization", "Bearer " + token)
			.header("Tus-Resumable", "1.0.0")
			.header("Upload-Offset", Long.toString(offset))
			.header("Content-Type", "application/offset+octet-stream")
			.method("PATCH", HttpRequest.BodyPublishers.ofByteArray(content, from, length))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private HttpResponse<String> send(int port, String method, String path, String body, String token,
			Map<String, String> headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body)
					: HttpRequest.BodyPublishers.noBody());
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		headers.forEach(request::header);
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String b64(String value) {
		return Base64.getEncoder().encodeToString(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
	}

}
