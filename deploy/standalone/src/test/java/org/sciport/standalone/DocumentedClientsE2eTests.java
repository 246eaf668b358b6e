package org.sciport.standalone;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data portal's own clients against the whole suite through the gateway: the complete
 * examples of its authentication, upload and datasets documents, run by bash with curl and jq
 * as their users run them (only the base URL differs, and login carries a password), and the
 * team, share and job calls its web client makes. Each script checks what its user reads from
 * every answer and exits non-zero at the first surprise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DocumentedClientsE2eTests {

	private static final Duration READY = Duration.ofSeconds(180);

	private static final String PASSWORD = "a long enough password";

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private Path work;

	private SuiteProcess suite;

	private String base;

	private final String email = "user-" + UUID.randomUUID() + "@example.org";

	private final String otherEmail = "colleague-" + UUID.randomUUID() + "@example.org";

	private final String thirdEmail = "newcomer-" + UUID.randomUUID() + "@example.org";

	private Path nexus;

	private String datasetUuid;

	@BeforeAll
	void startTheSuite() throws Exception {
		this.work = Files.createTempDirectory("sciport-documented-clients-");
		int port = SuiteProcess.freePort();
		this.suite = SuiteProcess.start(this.work.resolve("data"), Map.of("SCIPORT_HTTP_PORT", String.valueOf(port)),
				Path.of("target", "suite-logs"));
		this.suite.awaitReady(READY);
		this.base = "http://localhost:" + port;
		for (String account : new String[] { this.email, this.otherEmail, this.thirdEmail }) {
			HttpResponse<String> created = this.http.send(HttpRequest.newBuilder(URI.create(this.base + "/v1/auth/register"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + account + "\",\"password\":\"" + PASSWORD
						+ "\",\"name\":\"Portal user\"}"))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		}
		// A real NeXus file, as the upload document's example sends one.
		this.nexus = this.work.resolve("file.nxs");
		try (WritableHdfFile hdf = HdfFile.write(this.nexus)) {
			hdf.putAttribute("default", "entry");
			WritableGroup entry = hdf.putGroup("entry");
			entry.putAttribute("NX_class", "NXentry");
			WritableGroup data = entry.putGroup("data");
			data.putAttribute("NX_class", "NXdata");
			data.putAttribute("signal", "counts");
			data.putDataset("counts", new int[][] { { 1, 2, 3 }, { 4, 5, 6 } });
		}
	}

	@AfterAll
	void stopTheSuite() {
		if (this.suite != null) {
			this.suite.close();
		}
	}

	@Test
	@Order(1)
	void theAuthenticationDocumentsCompleteExample() throws Exception {
		assertThat(run("authentication.sh", Map.of())).contains("authentication: all steps passed");
	}

	@Test
	@Order(2)
	void theUploadDocumentsCompleteExampleAndChunkedUpload() throws Exception {
		Path large = this.work.resolve("large_file.nxs");
		byte[] bytes = new byte[10 * 1024 * 1024 + 123_457];
		new Random(3).nextBytes(bytes);
		Files.write(large, bytes);
		Path result = this.work.resolve("dataset-uuid");
		assertThat(run("upload.sh", Map.of("LARGE_FILE", large.toString(), "RESULT", result.toString())))
			.contains("upload: all steps passed");
		this.datasetUuid = Files.readString(result).trim();
	}

	@Test
	@Order(3)
	void theDatasetsDocumentsCompleteExample() throws Exception {
		assertThat(this.datasetUuid).as("the upload example ran first").isNotNull();
		assertThat(run("datasets.sh", Map.of("DATASET_UUID", this.datasetUuid))).contains("datasets: all steps passed");
	}

	@Test
	@Order(4)
	void theWebClientsTeamShareAndJobCalls() throws Exception {
		assertThat(this.datasetUuid).as("the upload example ran first").isNotNull();
		String adminPassword = Files.readString(this.work.resolve("data").resolve(AdminPassword.FILE_NAME)).trim();
		assertThat(run("teams.sh", Map.of("DATASET_UUID", this.datasetUuid, "OTHER_EMAIL", this.otherEmail,
				"THIRD_EMAIL", this.thirdEmail, "ADMIN_EMAIL", "admin@sciport.local", "ADMIN_PASSWORD", adminPassword)))
			.contains("teams: all steps passed");
	}

	@Test
	@Order(5)
	void theInstrumentHarvestersClientCalls() throws Exception {
		String adminPassword = Files.readString(this.work.resolve("data").resolve(AdminPassword.FILE_NAME)).trim();
		// Under the suite's harvest directory, its default allowed root; written a minute ago, so
		// the files count as stable.
		Path harvest = this.work.resolve("data").resolve("harvest");
		Path source = Files.createDirectories(harvest.resolve("microscope"));
		Path store = Files.createDirectories(harvest.resolve("archive"));
		for (String name : new String[] { "session 1/image-001.tif", "session 1/notes.txt" }) {
			Path file = source.resolve(name);
			Files.createDirectories(file.getParent());
			Files.writeString(file, "contents of " + name);
			Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(120)));
		}
		assertThat(run("harvest.sh", Map.of("ADMIN_EMAIL", "admin@sciport.local", "ADMIN_PASSWORD", adminPassword,
				"SOURCE", source.toString(), "STORE", store.toString())))
			.contains("harvest: all steps passed");
	}

	@Test
	@Order(6)
	void theResourceApisClientCalls() throws Exception {
		assertThat(run("resources.sh", Map.of())).contains("resources: all steps passed");
	}

	/** Runs one script with bash; its output if it succeeds, a failure with all of it if not. */
	private String run(String script, Map<String, String> variables) throws IOException, InterruptedException {
		Path file = this.work.resolve(script);
		try (InputStream source = getClass().getResourceAsStream("/documented-clients/" + script)) {
			Files.copy(source, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		}
		ProcessBuilder builder = new ProcessBuilder("bash", file.toString()).directory(this.work.toFile())
			.redirectErrorStream(true);
		Map<String, String> environment = new HashMap<>(Map.of("BASE", this.base, "EMAIL", this.email, "PASSWORD", PASSWORD,
				"FILE", this.nexus.toString()));
		environment.putAll(variables);
		builder.environment().putAll(environment);
		Process process = builder.start();
		byte[] output = process.getInputStream().readAllBytes();
		boolean finished = process.waitFor(5, TimeUnit.MINUTES);
		String text = new String(output, StandardCharsets.UTF_8);
		assertThat(finished).as(script + " finished:\n" + text).isTrue();
		assertThat(process.exitValue()).as(script + " exit status; its output:\n" + text).isZero();
		return text;
	}

}
