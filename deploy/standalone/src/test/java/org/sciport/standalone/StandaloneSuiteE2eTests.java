package org.sciport.standalone;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sciport.commons.event.Topics;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TopicReader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standalone suite end to end: the packaged jar started as a process, used through the
 * gateway, stopped with SIGTERM and started again on the same data.
 */
class StandaloneSuiteE2eTests {

	private static final Duration READY = Duration.ofSeconds(180);

	private static final Path LOGS = Path.of("target", "suite-logs");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	@TempDir
	Path temporary;

	@Test
	void startsHealthyAnnouncesStateChangesStopsCleanlyAndKeepsItsData() throws Exception {
		Path data = this.temporary.resolve("data");
		int port = SuiteProcess.freePort();
		String userId;
		String bootstrap;
		try (SuiteProcess suite = SuiteProcess.start(data, Map.of("SCIPORT_HTTP_PORT", String.valueOf(port)), LOGS)) {
			String ready = suite.awaitReady(READY);
			assertThat(ready).startsWith("Sciport is ready at http://localhost:" + port + " ");
			assertThat(suite.output()).contains("Sciport administrator admin@sciport.local has the generated password ");
			String generated = Files.readString(data.resolve(AdminPassword.FILE_NAME)).trim();
			assertThat(generated).hasSizeGreaterThanOrEqualTo(20);
			assertThat(suite.output().lines().filter((line) -> line.contains(generated))).hasSize(1);

			HttpResponse<String> health = get(port, "/health");
			assertThat(health.statusCode()).isEqualTo(200);
			JsonNode healthBody = this.json.readTree(health.body());
			assertThat(healthBody.path("status").asString()).isEqualTo("ok");
			for (String service : List.of("auth-service", "upload-service", "dataset-service", "harvest-service",
					"workflow-service")) {
				JsonNode entry = healthBody.path("services").path(service);
				assertThat(entry.path("status").asString()).as(service).isEqualTo("up");
				assertThat(entry.path("database").asString()).as(service).isEqualTo("up");
				assertThat(entry.path("kafka").asString()).as(service).isEqualTo("up");
			}

			JsonNode status = this.json.readTree(get(port, "/v1/status").body());
			assertThat(status.path("status").asString()).isEqualTo("operational");
			assertThat(status.path("version").isString()).isTrue();
			assertThat(status.path("timestamp").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

			HttpResponse<String> created = register(port, "lovelace@example.org", "req-e2e-1");
			assertThat(created.statusCode()).isEqualTo(201);
			assertThat(created.headers().firstValue("X-Request-Id")).hasValue("req-e2e-1");
			userId = this.json.readTree(created.body()).path("id").asString();

			HttpResponse<String> anonymous = get(port, "/v1/datasets");
			assertThat(anonymous.statusCode()).isEqualTo(401);
			assertThat(this.json.readTree(anonymous.body()).path("error").path("code").asString())
				.isEqualTo("INVALID_API_KEY");

			// A session through the gateway; dataset-service checks the token itself against
			// auth-service's published keys: a dataset that does not exist is a 404, not a 401.
			String access = this.json.readTree(post(port, "/v1/auth/login",
					"{\"email\":\"lovelace@example.org\",\"password\":\"a long enough password\"}", null).body())
				.path("access_token")
				.asString();
			assertThat(get(port, "/v1/users/me", access).body()).contains("\"email\":\"lovelace@example.org\"");
			HttpResponse<String> checked = get(port, "/v1/datasets/" + java.util.UUID.randomUUID(), access);
			assertThat(checked.statusCode()).as(checked.body()).isEqualTo(404);
			// ... and one it creates is there through the gateway.
			HttpResponse<String> dataset = post(port, "/v1/datasets", "{\"name\":\"E2E run\"}", access);
			assertThat(dataset.statusCode()).as(dataset.body()).isEqualTo(201);
			String datasetPath = "/v1/datasets/" + this.json.readTree(dataset.body()).path("id").asString();
			assertThat(get(port, datasetPath, access).statusCode()).isEqualTo(200);
			uploadsThroughTheGateway(port, access);
			assertThat(post(port, "/v1/auth/logout", "", access).statusCode()).isEqualTo(204);
			long loggedOut = System.nanoTime();
			// The gateway (and dataset-service behind it) learn of the logout from Kafka. The delay
			// is reported, not asserted.
			assertThat(awaitStatus(port, datasetPath, access, 401)).isEqualTo(401);
			System.out.printf("measured: the gateway refused the logged-out token %d ms after the logout answered%n",
					(System.nanoTime() - loggedOut) / 1_000_000);
			assertThat(get(port, "/v1/users/me", access).statusCode()).isEqualTo(401);
			assertThat(data.resolve(Launcher.KEY_ENCRYPTION_KEY_FILE)).exists();
			assertThat(suite.output()).doesNotContain(Files.readString(data.resolve(Launcher.KEY_ENCRYPTION_KEY_FILE)).trim());

			Properties runtime = suite.runtime();
			bootstrap = runtime.getProperty("kafka.bootstrap-servers");
			assertThat(announcements(bootstrap, userId)).hasSize(1);

			assertThat(suite.terminate(Duration.ofSeconds(60))).as("exit status after SIGTERM").isIn(0, 143);
			assertThat(suite.output()).contains("Sciport stopped");
			assertThat(data.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
			assertThat(data.resolve(Launcher.RUNTIME_FILE)).doesNotExist();
		}

		try (SuiteProcess again = SuiteProcess.start(data, Map.of("SCIPORT_HTTP_PORT", String.valueOf(port)), LOGS)) {
			again.awaitReady(READY);
			assertThat(again.output()).doesNotContain("generated password");
			assertThat(register(port, "LOVELACE@example.org", "req-e2e-2").statusCode())
				.as("the account made before the restart is still there")
				.isEqualTo(409);
			assertThat(announcements(again.runtime().getProperty("kafka.bootstrap-servers"), userId))
				.as("the event published before the restart is still on the topic")
				.hasSize(1);
		}
	}

	@Test
	void runsOnExternalPostgresAndKafka() throws Exception {
		Path data = this.temporary.resolve("external");
		TestInfrastructure.Postgres postgres = TestInfrastructure.postgres();
		String bootstrap = TestInfrastructure.kafkaBootstrap();
		String database = TestInfrastructure.createDatabase("standalone_external");
		int port = SuiteProcess.freePort();
		try (SuiteProcess suite = SuiteProcess.start(data,
				Map.of("SCIPORT_HTTP_PORT", String.valueOf(port), "SCIPORT_POSTGRES_URL", database,
						"SCIPORT_POSTGRES_USERNAME", postgres.username(), "SCIPORT_POSTGRES_PASSWORD", postgres.password(),
						"SCIPORT_KAFKA_BOOTSTRAP", bootstrap, "SCIPORT_ADMIN_PASSWORD", "an operator chosen secret"),
				LOGS)) {
			suite.awaitReady(READY);
			assertThat(get(port, "/health").statusCode()).isEqualTo(200);
			assertThat(suite.output()).doesNotContain("generated password").doesNotContain("an operator chosen secret");
			assertThat(data.resolve("postgres")).doesNotExist();
			assertThat(data.resolve("kafka")).doesNotExist();
			assertThat(data.resolve(AdminPassword.FILE_NAME)).doesNotExist();
			String userId = this.json.readTree(register(port, "hopper@example.org", "req-e2e-3").body())
				.path("id")
				.asString();
			assertThat(announcements(bootstrap, userId)).hasSize(1);
			try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl("sciport_auth"),
					postgres.username(), postgres.password());
					ResultSet users = connection.createStatement()
						.executeQuery("SELECT email, role FROM app_user WHERE email IN ('admin@sciport.local', "
								+ "'hopper@example.org') ORDER BY email")) {
				assertThat(users.next()).isTrue();
				assertThat(users.getString("role")).isEqualTo("admin");
				assertThat(users.next()).isTrue();
				assertThat(users.getString("email")).isEqualTo("hopper@example.org");
			}
		}
	}

	@Test
	void refusesATakenPortWithOneLineAndWritesNothing() throws Exception {
		Path data = this.temporary.resolve("taken");
		try (ServerSocket taken = new ServerSocket()) {
			taken.bind(new InetSocketAddress(0));
			try (SuiteProcess suite = SuiteProcess.start(data,
					Map.of("SCIPORT_HTTP_PORT", String.valueOf(taken.getLocalPort())), LOGS)) {
				assertThat(suite.awaitExit(Duration.ofSeconds(60))).isNotZero();
				assertThat(suite.errors().lines().toList())
					.containsExactly("sciport: Port " + taken.getLocalPort()
							+ " is already in use; set SCIPORT_HTTP_PORT to a free port");
			}
		}
		assertThat(data).doesNotExist();
	}

	@Test
	void refusesADataDirectoryThatIsNotADirectory() throws Exception {
		Path file = Files.writeString(this.temporary.resolve("not-a-directory"), "x");
		try (SuiteProcess suite = SuiteProcess.start(file.resolve("data"),
				Map.of("SCIPORT_HTTP_PORT", String.valueOf(SuiteProcess.freePort())), LOGS)) {
			assertThat(suite.awaitExit(Duration.ofSeconds(60))).isNotZero();
			List<String> errors = suite.errors().lines().toList();
			assertThat(errors).hasSize(1);
			assertThat(errors.get(0)).startsWith("sciport: Cannot create the data directory " + file.resolve("data"));
		}
	}

	@Test
	void refusesAnUnreachableExternalPostgresWithOneLineAndWritesNothing() throws Exception {
		Path data = this.temporary.resolve("unreachable");
		int closed = SuiteProcess.freePort();
		try (SuiteProcess suite = SuiteProcess.start(data,
				Map.of("SCIPORT_HTTP_PORT", String.valueOf(SuiteProcess.freePort()), "SCIPORT_POSTGRES_URL",
						"jdbc:postgresql://127.0.0.1:" + closed + "/sciport", "SCIPORT_POSTGRES_PASSWORD", "s3cret-value"),
				LOGS)) {
			assertThat(suite.awaitExit(Duration.ofSeconds(60))).isNotZero();
			List<String> errors = suite.errors().lines().toList();
			assertThat(errors).hasSize(1);
			assertThat(errors.get(0))
				.startsWith("sciport: Cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:" + closed + "/sciport")
				.doesNotContain("s3cret-value");
		}
		assertThat(data).doesNotExist();
	}

	private List<ConsumerRecord<String, String>> announcements(String bootstrap, String userId) {
		try (TopicReader reader = new TopicReader(bootstrap, Topics.AUTH)) {
			return reader.awaitRecords((record) -> userId.equals(record.key())
					&& record.value().contains("\"type\":\"sciport.auth.user.registered\""), 1, Duration.ofSeconds(30));
		}
	}

	/**
	 * Seed 000's upload with curl, exactly as its example sends it, then a tus upload with the
	 * tus Java client: both through the gateway, both ending in a converted dataset.
	 */
	private void uploadsThroughTheGateway(int port, String access) throws Exception {
		Path file = this.temporary.resolve("scan.csv");
		Files.writeString(file, "angle,counts\n0.1,12\n0.2,15\n0.3,9\n");
		Process curl = new ProcessBuilder("curl", "-s", "-X", "POST", "http://localhost:" + port + "/api/upload/upload",
				"-H", "Authorization: Bearer " + access, "-F", "file=@" + file, "-F", "dataset_name=My Dataset")
			.redirectErrorStream(true)
			.start();
		String answer = new String(curl.getInputStream().readAllBytes());
		assertThat(curl.waitFor()).as(answer).isZero();
		JsonNode uploaded = this.json.readTree(answer);
		String job = uploaded.path("job_id").asString();
		assertThat(job).as(answer).isNotEmpty();
		String dataset = uploaded.path("dataset_id").asString();
		JsonNode datasetState = awaitField(port, "/portal/api/dataset-status?dataset_id=" + dataset, access,
				"/data/status", "done");
		assertThat(datasetState.path("data").path("status").asString()).isEqualTo("done");
		JsonNode jobState = this.json.readTree(get(port, "/api/upload/status/" + job, access).body());
		assertThat(jobState.path("data").path("percent").asInt()).isEqualTo(100);
		assertThat(jobState.path("data").path("sha256").asString()).hasSize(64);

		io.tus.java.client.TusClient tus = new io.tus.java.client.TusClient();
		tus.setUploadCreationURL(URI.create("http://localhost:" + port + "/v1/uploads/tus").toURL());
		tus.setHeaders(Map.of("Authorization", "Bearer " + access));
		byte[] content = new byte[300_000];
		new java.util.Random(3).nextBytes(content);
		io.tus.java.client.TusUpload upload = new io.tus.java.client.TusUpload();
		upload.setInputStream(new java.io.ByteArrayInputStream(content));
		upload.setSize(content.length);
		upload.setMetadata(Map.of("filename", "frames.bin", "dataset_name", "Tus frames"));
		io.tus.java.client.TusUploader uploader = tus.createUpload(upload);
		assertThat(uploader.getUploadURL().toString()).startsWith("http://localhost:" + port + "/v1/uploads/tus/");
		uploader.setChunkSize(64 * 1024);
		while (uploader.uploadChunk() > -1) {
			// keep sending
		}
		uploader.finish();
		String tusJob = uploader.getUploadURL().getPath().replaceAll(".*/", "");
		JsonNode tusState = awaitField(port, "/v1/jobs/" + tusJob, access, "/status", "done");
		assertThat(tusState.path("status").asString()).as("the tus upload's job came to done").isEqualTo("done");
		assertThat(tusState.path("bytes_total").asLong()).isEqualTo(content.length);
	}

	private JsonNode awaitField(int port, String path, String token, String pointer, String expected) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		JsonNode body = this.json.readTree(get(port, path, token).body());
		while (!expected.equals(body.at(pointer).asString("")) && System.nanoTime() < deadline) {
			Thread.sleep(200);
			body = this.json.readTree(get(port, path, token).body());
		}
		return body;
	}

	private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
		return get(port, path, null);
	}

	private HttpResponse<String> get(int port, String path, String token) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private int awaitStatus(int port, String path, String token, int expected) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		int status = get(port, path, token).statusCode();
		while (status != expected && System.nanoTime() < deadline) {
			Thread.sleep(50);
			status = get(port, path, token).statusCode();
		}
		return status;
	}

	private HttpResponse<String> post(int port, String path, String json, String token)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> register(int port, String email, String requestId)
			throws IOException, InterruptedException {
		String body = "{\"email\":\"" + email + "\",\"password\":\"a long enough password\",\"name\":\"E2E\"}";
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/auth/register"))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.header("X-Request-Id", requestId)
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
