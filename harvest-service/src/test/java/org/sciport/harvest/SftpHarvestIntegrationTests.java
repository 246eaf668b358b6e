package org.sciport.harvest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sciport.harvest.sources.SftpSource;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Harvesting from an SFTP server started inside the test (Apache MINA SSHD with its SFTP
 * subsystem): files are read over SFTP and verified in storage; a server showing another host
 * key than the pinned one, and wrong credentials, fail the run with a message saying which.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.name=harvest-service", "sciport.harvest.minimum-file-age=5s",
				"sciport.harvest.scheduler.poll=200ms" })
@AutoConfigureWebTestClient
@Import(TestTokens.class)
class SftpHarvestIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<List<Map<String, Object>>> LIST = new ParameterizedTypeReference<>() {
	};

	private static Path root;

	private static Path remote;

	private static SshServer server;

	private static String fingerprint;

	@BeforeAll
	static void startTheServer() throws IOException {
		remote = Files.createDirectories(root().resolve("remote"));
		write(remote.resolve("run-7/frame-0001.h5"), "frame one");
		write(remote.resolve("run-7/frame-0002.h5"), "frame two");
		write(remote.resolve("README"), "instrument notes");
		server = SshServer.setUpDefaultServer();
		server.setHost("127.0.0.1");
		server.setPort(0);
		SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(root().resolve("host-key"));
		server.setKeyPairProvider(keys);
		server.setPasswordAuthenticator((user, password, session) -> "harvester".equals(user)
				&& "correct horse battery".equals(password));
		server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
		server.setFileSystemFactory(new VirtualFileSystemFactory(remote));
		server.start();
		fingerprint = SftpSource.fingerprint(keys.loadKeys(null).iterator().next().getPublic());
	}

	@AfterAll
	static void stopTheServer() throws IOException {
		if (server != null) {
			server.stop(true);
		}
	}

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "harvest_sftp");
		registry.add("sciport.harvest.allowed-roots", () -> root().toString());
		registry.add("sciport.harvest.secrets.key-file", () -> root().resolve("keys/secrets.key").toString());
	}

	private static synchronized Path root() {
		if (root == null) {
			try {
				root = Files.createTempDirectory("sciport-sftp-");
			}
			catch (IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		}
		return root;
	}

	@Autowired
	WebTestClient client;

	private final User admin = TestTokens.admin();

	@Test
	void filesAreHarvestedOverSftpAndVerified() throws IOException {
		Path store = Files.createDirectories(root().resolve("store-" + UUID.randomUUID()));
		String instrument = instrument(account("correct horse battery"), fingerprint, store);
		Map<String, Object> run = run(instrument);
		assertThat(run).containsEntry("status", "completed").containsEntry("files_transferred", 3)
			.containsEntry("files_failed", 0);
		List<Map<String, Object>> files = this.client.get().uri("/api/files?instrument_id=" + instrument)
			.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectBody(LIST).returnResult()
			.getResponseBody();
		assertThat(files).extracting((file) -> file.get("source_path"))
			.containsExactlyInAnyOrder("run-7/frame-0001.h5", "run-7/frame-0002.h5", "README");
		assertThat(store.resolve(instrument + "/run-7/frame-0002.h5")).hasContent("frame two");
		List<Map<String, Object>> transfers = this.client.get().uri("/api/transfers?status=completed")
			.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectBody(LIST).returnResult()
			.getResponseBody();
		assertThat(transfers).filteredOn((t) -> files.stream().anyMatch((f) -> f.get("id").equals(t.get("file_id"))))
			.hasSize(3)
			.allSatisfy((transfer) -> assertThat(transfer).containsEntry("checksum_verified", true));
	}

	@Test
	void aServerShowingAnotherHostKeyIsRefusedBeforeAnyCredentialIsSent() throws IOException {
		Path store = Files.createDirectories(root().resolve("store-" + UUID.randomUUID()));
		String pinned = "SHA256:" + "A".repeat(43);
		Map<String, Object> run = run(instrument(account("correct horse battery"), pinned, store));
		assertThat(run).containsEntry("status", "failed").containsEntry("files_transferred", 0);
		assertThat((String) run.get("error_message")).contains("host key").contains(fingerprint).contains(pinned);
	}

	@Test
	void wrongCredentialsFailTheRunSayingSo() throws IOException {
		Path store = Files.createDirectories(root().resolve("store-" + UUID.randomUUID()));
		Map<String, Object> run = run(instrument(account("not the password"), fingerprint, store));
		assertThat(run).containsEntry("status", "failed");
		assertThat((String) run.get("error_message")).contains("signing in").doesNotContain("not the password");
	}

	private String account(String password) {
		return (String) post("/api/service-accounts", Map.of("name", "SFTP " + UUID.randomUUID(), "username", "harvester",
				"password", password)).get("id");
	}

	private String instrument(String account, String pinned, Path store) {
		String location = (String) post("/api/storage-locations", Map.of("name", "Store " + UUID.randomUUID(), "type",
				"posix", "base_path", store.toString())).get("id");
		return (String) post("/api/instruments", Map.of("name", "Diffractometer " + UUID.randomUUID(), "source_type", "sftp",
				"sftp_host", "127.0.0.1", "sftp_port", server.getPort(), "sftp_host_key_fingerprint", pinned,
				"service_account_id", account, "source_path", "/", "default_storage_location_id", location)).get("id");
	}

	private Map<String, Object> run(String instrument) {
		String schedule = (String) post("/api/schedules", Map.of("instrument_id", instrument, "cron_expression", "0 2 * * *"))
			.get("id");
		String run = (String) this.client.post().uri("/api/schedules/" + schedule + "/trigger")
			.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectStatus().isAccepted()
			.expectBody(MAP).returnResult().getResponseBody().get("run_id");
		return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
			.until(() -> this.client.get().uri("/api/harvest-runs/" + run).headers((h) -> h.setBearerAuth(this.admin.token()))
				.exchange().expectBody(MAP).returnResult().getResponseBody(),
					(body) -> !"queued".equals(body.get("status")) && !"running".equals(body.get("status")));
	}

	private Map<String, Object> post(String path, Map<String, Object> body) {
		return this.client.post().uri(path).headers((h) -> h.setBearerAuth(this.admin.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange().expectStatus().isCreated()
			.expectBody(MAP).returnResult().getResponseBody();
	}

	private static void write(Path file, String content) throws IOException {
		Files.createDirectories(file.getParent());
		Files.writeString(file, content);
		Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(120)));
	}

}
