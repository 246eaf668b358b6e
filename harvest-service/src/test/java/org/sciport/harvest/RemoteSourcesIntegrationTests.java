package org.sciport.harvest;

import java.io.IOException;
import java.net.ServerSocket;
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
 * Harvesting from remote sources started inside the test: an SFTP server (Apache MINA SSHD with
 * its SFTP subsystem) and an SMB share (Debian's Samba on a loopback port). Files are read and
 * verified in storage; a server showing another host key than the pinned one, wrong credentials,
 * a port nobody listens on and a server that never answers each fail the run with a message
 * saying which, and leave nothing stored.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.name=harvest-service", "sciport.harvest.minimum-file-age=5s",
				"sciport.harvest.scheduler.poll=200ms", "sciport.harvest.source-timeout=2s" })
@AutoConfigureWebTestClient
@Import(TestTokens.class)
class RemoteSourcesIntegrationTests {

	private static final String SMB_PASSWORD = "instrument PC 7";

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<List<Map<String, Object>>> LIST = new ParameterizedTypeReference<>() {
	};

	private static Path root;

	private static Path remote;

	private static SshServer server;

	private static String fingerprint;

	private static Path share;

	private static SambaServer samba;

	private static ServerSocket silent;

	@BeforeAll
	static void startTheServers() throws IOException, InterruptedException {
		share = Files.createDirectories(root().resolve("share"));
		write(share.resolve("2026-12-01/spectrum 01.csv"), "wavelength,intensity");
		write(share.resolve("2026-12-01/spectrum-02.csv"), "wavelength,intensity,again");
		write(share.resolve("method.txt"), "method notes");
		samba = SambaServer.start(Files.createDirectories(root().resolve("samba")), share, SMB_PASSWORD);
		// Accepts connections and never says a word.
		silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
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
	static void stopTheServers() throws IOException {
		if (server != null) {
			server.stop(true);
		}
		if (samba != null) {
			samba.close();
		}
		if (silent != null) {
			silent.close();
		}
	}

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "harvest_remote");
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
		List<Map<String, Object>> files = files(instrument);
		assertThat(files).extracting((file) -> file.get("source_path"))
			.containsExactlyInAnyOrder("run-7/frame-0001.h5", "run-7/frame-0002.h5", "README");
		assertThat(store.resolve(instrument + "/run-7/frame-0002.h5")).hasContent("frame two");
		assertEveryTransferVerified(files);
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

	@Test
	void anSftpPortNobodyListensOnAndAServerThatNeverAnswersFailTheRunSayingSo() throws IOException {
		Path store = Files.createDirectories(root().resolve("store-" + UUID.randomUUID()));
		Map<String, Object> refused = run(instrument(account("correct horse battery"), fingerprint, store, closedPort()));
		assertThat(refused).containsEntry("status", "failed");
		assertThat((String) refused.get("error_message")).contains("cannot be reached");
		Map<String, Object> mute = run(instrument(account("correct horse battery"), fingerprint, store, silent.getLocalPort()));
		assertThat(mute).containsEntry("status", "failed");
		assertThat((String) mute.get("error_message")).contains("did not show its host key within 2 s");
		assertThat(storedFiles(store)).isEmpty();
	}

	@Test
	void filesAreHarvestedFromAnSmbShareAndVerified() throws IOException {
		Path store = Files.createDirectories(root().resolve("store-" + UUID.randomUUID()));
		String instrument = smbInstrument(smbAccount(SMB_PASSWORD), samba.port(), store);
		Map<String, Object> run = run(instrument);
		assertThat(run).containsEntry("status", "completed").containsEntry("files_transferred", 3)
			.containsEntry("files_failed", 0);
		List<Map<String, Object>> files = files(instrument);
		assertThat(files).extracting((file) -> file.get("source_path"))
			.containsExactlyInAnyOrder("2026-12-01/spectrum 01.csv", "2026-12-01/spectrum-02.csv", "method.txt");
		assertThat(files).allSatisfy((file) -> assertThat((String) file.get("persistent_id")).startsWith("ark:/99999/fk4"));
		assertThat(store.resolve(instrument + "/2026-12-01/spectrum-02.csv")).hasContent("wavelength,intensity,again");
		assertThat(store.resolve(instrument + "/method.txt")).hasContent("method notes");
		assertEveryTransferVerified(files);
		// A second run finds nothing new on the share.
		assertThat(run(instrument)).containsEntry("status", "completed").containsEntry("files_transferred", 0);
	}

	@Test
	void anSmbShareWithWrongCredentialsOrNoServerFailsTheRunSayingSo() throws IOException {
		Path store = Files.createDirectories(root().resolve("store-" + UUID.randomUUID()));
		Map<String, Object> wrong = run(smbInstrument(smbAccount("not the password"), samba.port(), store));
		assertThat(wrong).containsEntry("status", "failed");
		assertThat((String) wrong.get("error_message")).contains("signing in").contains("LOGON_FAILURE")
			.doesNotContain("not the password");
		Map<String, Object> nobody = run(smbInstrument(smbAccount(SMB_PASSWORD), closedPort(), store));
		assertThat(nobody).containsEntry("status", "failed");
		assertThat((String) nobody.get("error_message")).contains("cannot be reached");
		assertThat(storedFiles(store)).isEmpty();
	}

	private List<Map<String, Object>> files(String instrument) {
		return this.client.get().uri("/api/files?instrument_id=" + instrument)
			.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectBody(LIST).returnResult()
			.getResponseBody();
	}

	/** Each of the files has one transfer, completed and checksum-verified. */
	private void assertEveryTransferVerified(List<Map<String, Object>> files) {
		List<Map<String, Object>> transfers = this.client.get().uri("/api/transfers?status=completed&limit=500")
			.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectBody(LIST).returnResult()
			.getResponseBody();
		assertThat(transfers).filteredOn((t) -> files.stream().anyMatch((f) -> f.get("id").equals(t.get("file_id"))))
			.hasSize(files.size())
			.allSatisfy((transfer) -> assertThat(transfer).containsEntry("checksum_verified", true));
	}

	private String smbAccount(String password) {
		return (String) post("/api/service-accounts", Map.of("name", "SMB " + UUID.randomUUID(), "domain", "WORKGROUP",
				"username", samba.user(), "password", password)).get("id");
	}

	/** An SMB instrument as the harvester's clients create it: {@code cifs_host} and no {@code source_type}. */
	private String smbInstrument(String account, int port, Path store) {
		String location = (String) post("/api/storage-locations", Map.of("name", "Store " + UUID.randomUUID(), "type",
				"posix", "base_path", store.toString())).get("id");
		Map<String, Object> created = post("/api/instruments", Map.of("name", "Spectrometer " + UUID.randomUUID(),
				"cifs_host", "127.0.0.1", "cifs_port", port, "cifs_share", SambaServer.SHARE, "cifs_base_path", "/",
				"service_account_id", account, "default_storage_location_id", location));
		assertThat(created).containsEntry("source_type", "smb");
		return (String) created.get("id");
	}

	/** The files in a store, its unfinished ones included. */
	private static List<Path> storedFiles(Path store) throws IOException {
		try (var walk = Files.walk(store)) {
			return walk.filter(Files::isRegularFile).toList();
		}
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private String account(String password) {
		return (String) post("/api/service-accounts", Map.of("name", "SFTP " + UUID.randomUUID(), "username", "harvester",
				"password", password)).get("id");
	}

	private String instrument(String account, String pinned, Path store) {
		return instrument(account, pinned, store, server.getPort());
	}

	private String instrument(String account, String pinned, Path store, int port) {
		String location = (String) post("/api/storage-locations", Map.of("name", "Store " + UUID.randomUUID(), "type",
				"posix", "base_path", store.toString())).get("id");
		return (String) post("/api/instruments", Map.of("name", "Diffractometer " + UUID.randomUUID(), "source_type", "sftp",
				"sftp_host", "127.0.0.1", "sftp_port", port, "sftp_host_key_fingerprint", pinned,
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
