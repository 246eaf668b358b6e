package org.sciport.harvest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.CatalogueEvents;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.FileEvents;
import org.sciport.commons.event.Topics;
import org.sciport.commons.storage.BlobStore;
import org.sciport.commons.storage.StoredBlob;
import org.sciport.commons.webhook.WebhookSignature;
import org.sciport.harvest.ark.Ark;
import org.sciport.harvest.run.ScheduleTicker;
import org.sciport.harvest.secrets.Resealing;
import org.sciport.commons.secrets.SecretBox;
import org.sciport.harvest.storage.StorageTargets;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TopicReader;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * harvest-service on real PostgreSQL and Kafka: administration in the harvester's shapes, a
 * harvest of a local tree (stable files only, versions, verified copies, ARKs, events), access
 * to what it recorded, and a schedule firing once when several tickers look at once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.name=harvest-service", "sciport.harvest.minimum-file-age=5s",
				"sciport.harvest.scheduler.poll=200ms" })
@AutoConfigureWebTestClient
@Import(TestTokens.class)
class HarvestIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<List<Map<String, Object>>> LIST = new ParameterizedTypeReference<>() {
	};

	private static Path root;

	@BeforeAll
	static void roots() throws IOException {
		root = Files.createTempDirectory("sciport-harvest-");
	}

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) throws IOException {
		TestInfrastructure.register(registry, "harvest");
		Path roots = (root != null) ? root : Files.createTempDirectory("sciport-harvest-");
		root = roots;
		registry.add("sciport.harvest.allowed-roots", roots::toString);
		registry.add("sciport.harvest.secrets.key-file", () -> roots.resolve("keys/secrets.key").toString());
		registry.add("sciport.harvest.hooks.allowed-commands",
				() -> String.join(",", script(roots, "classify.sh", CLASSIFY), script(roots, "broken.sh", BROKEN),
						script(roots, "slow.sh", SLOW)));
	}

	/** A pre-transfer command: skips junk, sends raw files to raw/, labels the rest. */
	private static final String CLASSIFY = """
			#!/bin/sh
			input=$(cat)
			case "$input" in
			  *'"filename":"junk'*) printf '{"action":"skip","reason":"junk by name"}' ;;
			  *'"filename":"raw-'*) printf '{"destination":"raw","metadata":{"classified":"raw"}}' ;;
			  *) printf '{"metadata":{"classified":"other"}}' ;;
			esac
			""";

	private static final String BROKEN = """
			#!/bin/sh
			cat > /dev/null
			echo "disk on fire" >&2
			exit 3
			""";

	private static final String SLOW = """
			#!/bin/sh
			cat > /dev/null
			sleep 30
			echo '{}'
			""";

	private static String script(Path roots, String name, String text) {
		try {
			Path file = Files.createDirectories(roots.resolve("hooks")).resolve(name);
			Files.writeString(file, text, StandardCharsets.UTF_8);
			Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
			return file.toString();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	@Autowired
	WebTestClient client;

	@Autowired
	DatabaseClient database;

	@Autowired
	StorageTargets targets;

	@Autowired
	ScheduleTicker ticker;

	@Autowired
	CloudEventCodec codec;

	private final User admin = TestTokens.admin();

	@Test
	void administrationAnswersInTheHarvestersShapesAndChecksWhatItIsGiven() throws IOException {
		Path store = Files.createDirectories(root.resolve("store-admin"));
		Map<String, Object> location = post("/api/storage-locations",
				Map.of("name", "Archive " + UUID.randomUUID(), "type", "posix", "base_path", store.toString()), 201);
		assertThat(location).containsEntry("type", "posix").containsEntry("enabled", true).containsKeys("id", "created_at");
		// The test writes, reads back and deletes a probe, and says which step failed.
		this.client.get().uri("/api/storage-locations/" + location.get("id") + "/test")
			.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.ok").isEqualTo(true).jsonPath("$.step").isEqualTo("done");
		try (java.util.stream.Stream<Path> left = Files.list(store)) {
			assertThat(left.map((path) -> path.getFileName().toString())).noneMatch((name) -> name.startsWith("sciport-probe"));
		}
		// A directory the store cannot write into (its staging area is a file, which stops root too).
		Path blocked = Files.createDirectories(root.resolve("store-blocked"));
		Files.writeString(blocked.resolve(".incoming"), "in the way");
		Map<String, Object> unwritable = post("/api/storage-locations",
				Map.of("name", "Blocked " + UUID.randomUUID(), "type", "posix", "base_path", blocked.toString()), 201);
		this.client.get().uri("/api/storage-locations/" + unwritable.get("id") + "/test")
			.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.ok").isEqualTo(false).jsonPath("$.step").isEqualTo("open")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains(".incoming"));
		this.client.get().uri("/api/storage-locations?limit=1").headers((h) -> h.setBearerAuth(this.admin.token()))
			.exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.items.length()").isEqualTo(1)
			.jsonPath("$.skip").isEqualTo(0)
			.jsonPath("$.limit").isEqualTo(1)
			.jsonPath("$.total").isNumber();
		// Administrators only, in the harvester's error shape.
		this.client.get().uri("/api/instruments").headers((h) -> h.setBearerAuth(TestTokens.user().token())).exchange()
			.expectStatus().isForbidden().expectBody().jsonPath("$.detail").isEqualTo("this needs the admin role");
		this.client.get().uri("/v1/instruments").headers((h) -> h.setBearerAuth(TestTokens.user().token())).exchange()
			.expectStatus().isForbidden().expectBody().jsonPath("$.error.code").isEqualTo("INSUFFICIENT_PERMISSIONS");
		// Validation is a 422 naming the field, as FastAPI's list.
		post("/api/storage-locations", Map.of("name", "x", "type", "tape"), 422);
		this.client.post().uri("/api/storage-locations").headers((h) -> h.setBearerAuth(this.admin.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "x", "type", "posix", "base_path", "/etc"))
			.exchange().expectStatus().isEqualTo(422).expectBody()
			.jsonPath("$.detail[0].loc[1]").isEqualTo("base_path")
			.jsonPath("$.detail[0].msg").value((String msg) -> assertThat(msg).contains("allowed roots"));
		this.client.post().uri("/api/storage-locations").headers((h) -> h.setBearerAuth(this.admin.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", true, "type", "posix"))
			.exchange().expectStatus().isEqualTo(422).expectBody().jsonPath("$.detail[0].loc[1]").isEqualTo("name");
		// An S3 location's secret is sealed, answered masked, and kept by a PATCH that sends the mask.
		Map<String, Object> s3 = post("/api/storage-locations", Map.of("name", "Bucket " + UUID.randomUUID(), "type", "s3",
				"connection_config", Map.of("bucket", "raw", "region", "eu-west-1", "access_key_id", "AKIA1",
						"secret_access_key", "very-secret")), 201);
		@SuppressWarnings("unchecked")
		Map<String, Object> config = (Map<String, Object>) s3.get("connection_config");
		assertThat(config).containsEntry("secret_access_key", "****").containsEntry("bucket", "raw");
		String sealed = column("storage_location", "secret_sealed", (String) s3.get("id"));
		assertThat(sealed).startsWith("v1:").doesNotContain("very-secret");
		patch("/api/storage-locations/" + s3.get("id"), Map.of("connection_config", Map.of("bucket", "raw2",
				"access_key_id", "AKIA1", "secret_access_key", "****")), 200);
		assertThat(column("storage_location", "secret_sealed", (String) s3.get("id"))).isEqualTo(sealed);
		// A service account's password never comes back and is not stored as given.
		Map<String, Object> account = post("/api/service-accounts", Map.of("name", "Microscope " + UUID.randomUUID(),
				"domain", "LAB", "username", "harvester", "password", "hunter2-long"), 201);
		assertThat(account).containsEntry("has_password", true).doesNotContainKey("password");
		assertThat(column("service_account", "password_sealed", (String) account.get("id"))).doesNotContain("hunter2");
		this.client.get().uri("/api/service-accounts").headers((h) -> h.setBearerAuth(this.admin.token())).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$").isArray();
		// Instruments: an SMB share as the harvester's clients create one, a local one under the roots.
		Map<String, Object> smb = post("/api/instruments", Map.of("name", "SEM " + UUID.randomUUID(), "cifs_host",
				"sem-pc.lab.example.org", "cifs_share", "data", "service_account_id", account.get("id")), 201);
		assertThat(smb).containsEntry("source_type", "smb").containsEntry("enabled", true);
		post("/api/instruments", Map.of("name", "Bad", "source_type", "local", "source_path", "/usr"), 422);
		post("/api/instruments", Map.of("name", "Bad", "source_type", "sftp", "sftp_host", "h", "service_account_id",
				account.get("id"), "sftp_host_key_fingerprint", "md5:aa"), 422);
		Map<String, Object> local = post("/api/instruments", Map.of("name", "Local " + UUID.randomUUID(), "source_type",
				"local", "source_path", Files.createDirectories(root.resolve("src-admin")).toString(),
				"default_storage_location_id", location.get("id")), 201);
		// Schedules: five fields and a zone, each checked by name.
		this.client.post().uri("/api/schedules").headers((h) -> h.setBearerAuth(this.admin.token()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("instrument_id", local.get("id"), "cron_expression", "0 0 2 * * *"))
			.exchange().expectStatus().isEqualTo(422).expectBody().jsonPath("$.detail[0].loc[1]").isEqualTo("cron_expression");
		this.client.post().uri("/api/schedules").headers((h) -> h.setBearerAuth(this.admin.token()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("instrument_id", local.get("id"), "cron_expression", "0 2 * * *", "timezone", "Mars/Olympus"))
			.exchange().expectStatus().isEqualTo(422).expectBody().jsonPath("$.detail[0].loc[1]").isEqualTo("timezone");
		Map<String, Object> schedule = post("/api/schedules", Map.of("instrument_id", local.get("id"), "cron_expression",
				"0 2 * * *", "timezone", "Europe/Berlin"), 201);
		assertThat(schedule).containsEntry("enabled", true).containsKey("next_run_at");
		// Editing leaves enabled as it was.
		patch("/api/schedules/" + schedule.get("id"), Map.of("enabled", false), 200);
		assertThat(patch("/api/schedules/" + schedule.get("id"), Map.of("cron_expression", "30 3 * * 1-5"), 200))
			.containsEntry("enabled", false).containsEntry("cron_expression", "30 3 * * 1-5");
		// Deletes are soft and answer 204; the deleted one is gone from the API.
		this.client.delete().uri("/api/instruments/" + smb.get("id")).headers((h) -> h.setBearerAuth(this.admin.token()))
			.exchange().expectStatus().isNoContent();
		this.client.get().uri("/api/instruments/" + smb.get("id")).headers((h) -> h.setBearerAuth(this.admin.token()))
			.exchange().expectStatus().isNotFound().expectBody().jsonPath("$.detail").exists();
	}

	@Test
	void aRunTakesStableFilesStoresVerifiedCopiesWithArksAndKeepsEveryVersion() throws Exception {
		Path source = Files.createDirectories(root.resolve("src-run-" + UUID.randomUUID()));
		Path store = Files.createDirectories(root.resolve("store-run-" + UUID.randomUUID()));
		write(source.resolve("a/first.txt"), "first version", true);
		write(source.resolve("a/b/second image.tif"), "second", true);
		write(source.resolve("growing.dat"), "still being written", false);
		Instrument setUp = instrument("Run store", source, store);
		String instrument = setUp.id();
		String schedule = setUp.schedule();

		Map<String, Object> run = trigger(schedule, "first-" + schedule);
		assertThat(trigger(schedule, "first-" + schedule)).as("a retried trigger answers the same run")
			.containsEntry("flow_run_id", run.get("flow_run_id"));
		Map<String, Object> finished = awaitRun((String) run.get("run_id"));
		assertThat(finished).containsEntry("status", "completed").containsEntry("files_discovered", 2)
			.containsEntry("files_transferred", 2).containsEntry("files_held", 1).containsEntry("files_failed", 0);

		List<Map<String, Object>> files = files("instrument_id=" + instrument);
		assertThat(files).hasSize(2).allSatisfy((file) -> {
			assertThat((String) file.get("persistent_id")).startsWith("ark:/99999/fk4");
			assertThat(file).containsEntry("persistent_id_type", "ark").containsEntry("version", 1)
				.containsEntry("state", "stored");
			assertThat((String) file.get("xxhash")).hasSize(16);
			assertThat((String) file.get("sha256")).hasSize(64);
		});
		List<Map<String, Object>> transfers = this.client.get().uri("/api/transfers?status=completed")
			.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectStatus().isOk()
			.expectBody(LIST).returnResult().getResponseBody();
		Map<String, Object> first = files.stream().filter((f) -> "a/first.txt".equals(f.get("source_path"))).findFirst()
			.orElseThrow();
		Map<String, Object> transfer = transfers.stream().filter((t) -> first.get("id").equals(t.get("file_id"))).findFirst()
			.orElseThrow();
		assertThat(transfer).containsEntry("checksum_verified", true).containsEntry("bytes_transferred", 13)
			.containsEntry("source_checksum", transfer.get("dest_checksum")).containsEntry("run_id", run.get("run_id"));
		Path storedFirst = store.resolve(instrument + "/a/first.txt");
		assertThat(Files.readString(storedFirst)).isEqualTo("first version");
		assertThat(store.resolve(instrument + "/a/b/second-x20image.tif")).hasContent("second");
		// The ARK resolves to its file; a wrong check character is refused.
		String ark = (String) first.get("persistent_id");
		this.client.get().uri("/" + ark).headers((h) -> h.setBearerAuth(this.admin.token())).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(first.get("id"));
		char check = ark.charAt(ark.length() - 1);
		String wrong = ark.substring(0, ark.length() - 1) + (check == 'b' ? 'c' : 'b');
		this.client.get().uri("/" + wrong).headers((h) -> h.setBearerAuth(this.admin.token())).exchange()
			.expectStatus().isBadRequest();
		assertThat(Ark.parse(ark).canonical()).isEqualTo(ark);

		// A changed file is a new version with its own copy; the unchanged one is left alone.
		write(source.resolve("a/first.txt"), "second version!", true);
		Files.setLastModifiedTime(source.resolve("growing.dat"), FileTime.from(Instant.now().minusSeconds(60)));
		Map<String, Object> second = awaitRun((String) trigger(schedule, null).get("run_id"));
		assertThat(second).containsEntry("files_transferred", 2).containsEntry("files_held", 0);
		List<Map<String, Object>> versions = files("instrument_id=" + instrument + "&source_path=a/first");
		assertThat(versions).extracting((f) -> f.get("version")).containsExactlyInAnyOrder(1, 2);
		assertThat(versions).extracting((f) -> f.get("persistent_id")).doesNotHaveDuplicates();
		assertThat(storedFirst).hasContent("first version");
		assertThat(store.resolve(instrument + "/v2-xver/a/first.txt")).hasContent("second version!");

		// Each verified transfer was announced once, for the catalogue too.
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.HARVEST)) {
			List<ConsumerRecord<String, String>> completed = reader.awaitRecords((record) -> record.value()
				.contains(FileEvents.TransferCompleted.TYPE) && record.value().contains(instrument), 4, Duration.ofSeconds(30));
			assertThat(completed).hasSize(4);
			assertThat(completed.get(0).value()).contains("\"checksum_verified\":true").contains("\"instrument_id\"");
		}
	}

	@Test
	void aStoredCopyThatDoesNotMatchItsSourceIsDeletedAndTriedAgain() throws Exception {
		Path source = Files.createDirectories(root.resolve("src-flip-" + UUID.randomUUID()));
		Path store = Files.createDirectories(root.resolve("store-flip-" + UUID.randomUUID()));
		write(source.resolve("frame.raw"), "0123456789abcdef", true);
		AtomicBoolean flipped = new AtomicBoolean();
		this.targets.decorate((real) -> new FlipOnce(real, flipped));
		try {
			Instrument setUp = instrument("Flip", source, store);
			String instrument = setUp.id();
			String schedule = setUp.schedule();
			Map<String, Object> run = awaitRun((String) trigger(schedule, null).get("run_id"));
			assertThat(run).containsEntry("files_transferred", 1).containsEntry("files_failed", 0);
			assertThat(flipped).isTrue();
			String file = (String) files("instrument_id=" + instrument).get(0).get("id");
			List<Map<String, Object>> transfers = this.client.get().uri("/api/transfers?file_id=" + file)
				.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectBody(LIST).returnResult()
				.getResponseBody();
			assertThat(transfers).singleElement().satisfies((transfer) -> assertThat(transfer)
				.containsEntry("checksum_verified", true).containsEntry("attempts", 2));
			assertThat(store.resolve(instrument + "/frame.raw")).hasContent("0123456789abcdef");
		}
		finally {
			this.targets.decorate(null);
		}
	}

	@Test
	void aFileThatVanishesOrChangesBeforeItIsReadAndANameWithControlCharactersAreRecordedFailures() throws Exception {
		Path source = Files.createDirectories(root.resolve("src-meddled-" + UUID.randomUUID()));
		Path store = Files.createDirectories(root.resolve("store-meddled-" + UUID.randomUUID()));
		write(source.resolve("gone.dat"), "here when listed", true);
		write(source.resolve("shrinks.dat"), "x".repeat(100_000), true);
		write(source.resolve("bell\u0007.dat"), "rings", true);
		write(source.resolve("fine.dat"), "fine", true);
		// Between the listing and the read, one file is deleted and another cut short.
		this.targets.decorate((real) -> new Meddling(real, source));
		try {
			Instrument setUp = instrument("Meddled", source, store);
			Map<String, Object> run = awaitRun((String) trigger(setUp.schedule(), null).get("run_id"));
			assertThat(run).containsEntry("status", "completed").containsEntry("files_transferred", 1)
				.containsEntry("files_failed", 3);
			Map<String, String> errors = new java.util.HashMap<>();
			for (Map<String, Object> file : files("instrument_id=" + setUp.id())) {
				Map<String, Object> transfer = this.client.get().uri("/api/transfers?file_id=" + file.get("id"))
					.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectBody(LIST).returnResult()
					.getResponseBody().get(0);
				errors.put((String) file.get("source_path"), transfer.get("status") + ": " + transfer.get("error_message"));
			}
			assertThat(errors).containsEntry("fine.dat", "completed: null")
				.containsEntry("gone.dat", "failed: the file vanished from the source before it was read")
				.containsEntry("bell\u0007.dat", "failed: the file's name has control characters; rename it at the source");
			assertThat(errors.get("shrinks.dat")).startsWith("failed: the file changed while it was read (10 of 100000 bytes)");
			// Nothing half-written is left anywhere in the store.
			try (var walk = Files.walk(store)) {
				assertThat(walk.filter(Files::isRegularFile)).containsExactly(store.resolve(setUp.id() + "/fine.dat"));
			}
		}
		finally {
			this.targets.decorate(null);
		}
	}

	/** A store that, just before a copy is written, deletes {@code gone.dat} and cuts {@code shrinks.dat} at the source. */
	static final class Meddling extends FlipOnce {

		private final Path source;

		Meddling(BlobStore real, Path source) {
			super(real, new AtomicBoolean(true));
			this.source = source;
		}

		@Override
		public Mono<StoredBlob> write(String key, Flux<DataBuffer> content) {
			return Mono.fromCallable(() -> {
				if (key.endsWith("/gone.dat")) {
					Files.delete(this.source.resolve("gone.dat"));
				}
				if (key.endsWith("/shrinks.dat")) {
					try (var channel = java.nio.channels.FileChannel.open(this.source.resolve("shrinks.dat"),
							java.nio.file.StandardOpenOption.WRITE)) {
						channel.truncate(10);
					}
				}
				return key;
			}).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()).then(super.write(key, content));
		}

	}

	@Test
	void aUserSeesOnlyWhatInstrumentsGrantedToThemRecorded() throws Exception {
		Path source = Files.createDirectories(root.resolve("src-access-" + UUID.randomUUID()));
		Path store = Files.createDirectories(root.resolve("store-access-" + UUID.randomUUID()));
		write(source.resolve("secret.dat"), "data", true);
		Instrument setUp = instrument("Access", source, store);
		String instrument = setUp.id();
		String schedule = setUp.schedule();
		String runId = (String) awaitRun((String) trigger(schedule, null).get("run_id")).get("id");
		Map<String, Object> file = files("instrument_id=" + instrument).get(0);
		String transfer = (String) this.client.get().uri("/api/transfers?file_id=" + file.get("id"))
			.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectBody(LIST).returnResult()
			.getResponseBody().get(0).get("id");
		User stranger = TestTokens.user();
		List<String> paths = List.of("/api/files/" + file.get("id"), "/api/transfers/" + transfer,
				"/api/harvest-runs/" + runId, "/v1/files/" + file.get("id"), "/v1/transfers/" + transfer,
				"/v1/harvest-runs/" + runId, "/" + file.get("persistent_id"));
		List<String> lists = List.of("/api/files?instrument_id=" + instrument, "/api/transfers?file_id=" + file.get("id"),
				"/api/instruments/" + instrument + "/harvest-runs");
		for (String path : paths) {
			this.client.get().uri(path).headers((h) -> h.setBearerAuth(stranger.token())).exchange()
				.expectStatus().isNotFound();
		}
		for (String list : lists) {
			assertThat(listed(list, stranger)).as(list).isZero();
		}
		// The stored copy: the administrator's, and the administrator's acting for the user (who may not see it).
		String content = "/v1/files/" + file.get("id") + "/content";
		this.client.get().uri(content).headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectStatus().isOk()
			.expectHeader().valueEquals("X-Checksum-Sha256", (String) file.get("sha256"))
			.expectBody(String.class).isEqualTo("data");
		this.client.get().uri(content).headers((h) -> h.setBearerAuth(stranger.token())).exchange()
			.expectStatus().isNotFound();
		this.client.get().uri(content).headers((h) -> {
			h.setBearerAuth(this.admin.token());
			h.set("X-Sciport-Acting-For", stranger.id().toString());
		}).exchange().expectStatus().isNotFound();
		// Only an administrator's credential acts for someone, and only to read.
		this.client.get().uri(content).headers((h) -> {
			h.setBearerAuth(stranger.token());
			h.set("X-Sciport-Acting-For", this.admin.id().toString());
		}).exchange().expectStatus().isForbidden();
		this.client.post().uri("/api/instruments/" + instrument + "/access").headers((h) -> {
			h.setBearerAuth(this.admin.token());
			h.set("X-Sciport-Acting-For", stranger.id().toString());
		}).contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("grantee_type", "user", "grantee_id", stranger.id().toString()))
			.exchange().expectStatus().isForbidden();
		this.client.post().uri("/api/instruments/" + instrument + "/access").headers((h) -> h.setBearerAuth(this.admin.token()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("grantee_type", "user", "grantee_id", stranger.id().toString()))
			.exchange().expectStatus().isCreated().expectBody()
			.jsonPath("$[0].grantee_id").isEqualTo(stranger.id().toString());
		for (String path : paths) {
			this.client.get().uri(path).headers((h) -> h.setBearerAuth(stranger.token())).exchange()
				.expectStatus().isOk();
		}
		for (String list : lists) {
			assertThat(listed(list, stranger)).as(list).isEqualTo(1);
		}
		this.client.get().uri(content).headers((h) -> h.setBearerAuth(stranger.token())).exchange().expectStatus().isOk()
			.expectBody(String.class).isEqualTo("data");
		this.client.get().uri(content).headers((h) -> {
			h.setBearerAuth(this.admin.token());
			h.set("X-Sciport-Acting-For", stranger.id().toString());
		}).exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("data");
		// Administration stays closed to them.
		this.client.post().uri("/api/schedules/" + schedule + "/trigger").headers((h) -> h.setBearerAuth(stranger.token()))
			.exchange().expectStatus().isForbidden();
	}

	@Test
	void aGrantToATeamReachesWhoeverTheCatalogueSaysIsInIt() throws Exception {
		Path source = Files.createDirectories(root.resolve("src-team-" + UUID.randomUUID()));
		Path store = Files.createDirectories(root.resolve("store-team-" + UUID.randomUUID()));
		write(source.resolve("shared.dat"), "for the team", true);
		Instrument setUp = instrument("Team", source, store);
		String run = (String) awaitRun((String) trigger(setUp.schedule(), null).get("run_id")).get("id");
		String file = (String) files("instrument_id=" + setUp.id()).get(0).get("id");
		UUID team = UUID.randomUUID();
		User member = TestTokens.user();
		this.client.post().uri("/api/instruments/" + setUp.id() + "/access")
			.headers((h) -> h.setBearerAuth(this.admin.token())).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("grantee_type", "team", "grantee_id", team.toString())).exchange().expectStatus().isCreated()
			.expectBody().jsonPath("$[0].grantee_type").isEqualTo("team");
		List<String> paths = List.of("/api/files/" + file, "/api/harvest-runs/" + run);
		for (String path : paths) {
			this.client.get().uri(path).headers((h) -> h.setBearerAuth(member.token())).exchange().expectStatus().isNotFound();
		}
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
				TestInfrastructure.kafkaBootstrap(), "key.serializer", StringSerializer.class, "value.serializer",
				StringSerializer.class))) {
			announce(producer, team, new CatalogueEvents.TeamMemberAdded(team.toString(), member.id().toString(), "member"));
			for (String path : paths) {
				await().atMost(Duration.ofSeconds(30)).until(() -> this.client.get().uri(path)
					.headers((h) -> h.setBearerAuth(member.token())).exchange().returnResult(String.class).getStatus()
					.value() == 200);
			}
			announce(producer, team, new CatalogueEvents.TeamMemberRemoved(team.toString(), member.id().toString()));
			for (String path : paths) {
				await().atMost(Duration.ofSeconds(30)).until(() -> this.client.get().uri(path)
					.headers((h) -> h.setBearerAuth(member.token())).exchange().returnResult(String.class).getStatus()
					.value() == 404);
			}
		}
	}

	/** Writes a catalogue event as dataset-service does. */
	private void announce(KafkaProducer<String, String> producer, UUID team, CatalogueEvents.Event event)
			throws Exception {
		CloudEvent cloudEvent = CloudEvent.create(CatalogueEvents.SOURCE, event.type(), team.toString(),
				this.codec.toData(event));
		producer.send(new ProducerRecord<>(Topics.DATASET, team.toString(), this.codec.write(cloudEvent))).get();
	}

	@Test
	void secretsMoveToANewKeyAndBackWhenResealed() throws Exception {
		String account = (String) post("/api/service-accounts", Map.of("name", "Rotated " + UUID.randomUUID(), "username",
				"operator", "password", "rotate me"), 201).get("id");
		this.client.post().uri("/v1/harvest/secrets/reseal").headers((h) -> h.setBearerAuth(TestTokens.user().token()))
			.exchange().expectStatus().isForbidden();
		// Nothing to move while the configured key is the one everything is sealed with.
		this.client.post().uri("/v1/harvest/secrets/reseal").headers((h) -> h.setBearerAuth(this.admin.token()))
			.exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.current_key").isEqualTo("generated")
			.jsonPath("$.resealed").isEqualTo(0)
			.jsonPath("$.remaining").isEqualTo(0);
		String generated = Files.readString(root.resolve("keys/secrets.key")).trim();
		byte[] key = new byte[32];
		new java.security.SecureRandom().nextBytes(key);
		String fresh = java.util.Base64.getEncoder().encodeToString(key);
		SecretBox rotated = new SecretBox("k2", Map.of("generated", generated, "k2", fresh));
		Map<String, Object> forward = new Resealing(this.database, rotated).resealAll().block(Duration.ofSeconds(30));
		assertThat(forward).containsEntry("current_key", "k2").containsEntry("remaining", 0L);
		assertThat((Long) forward.get("resealed")).isPositive();
		String sealed = column("service_account", "password_sealed", account);
		assertThat(sealed).startsWith("v1:k2:");
		assertThat(rotated.open(sealed)).isEqualTo("rotate me");
		// And back, so that the service's own key opens everything again.
		SecretBox back = new SecretBox("generated", Map.of("generated", generated, "k2", fresh));
		assertThat(new Resealing(this.database, back).resealAll().block(Duration.ofSeconds(30)))
			.containsEntry("remaining", 0L);
		assertThat(column("service_account", "password_sealed", account)).startsWith("v1:generated:");
	}

	@Test
	void aRegularUserIsRefusedEveryAdministrationEndpoint() {
		User user = TestTokens.user();
		String id = UUID.randomUUID().toString();
		List<String> calls = new java.util.ArrayList<>();
		for (String surface : List.of("/api", "/v1")) {
			for (String resource : List.of("storage-locations", "service-accounts", "instruments", "schedules", "hooks")) {
				calls.addAll(List.of("GET " + surface + "/" + resource, "POST " + surface + "/" + resource,
						"GET " + surface + "/" + resource + "/" + id, "PATCH " + surface + "/" + resource + "/" + id,
						"DELETE " + surface + "/" + resource + "/" + id));
			}
			calls.addAll(List.of("GET " + surface + "/storage-locations/" + id + "/test",
					"GET " + surface + "/instruments/" + id + "/access", "POST " + surface + "/instruments/" + id + "/access",
					"DELETE " + surface + "/instruments/" + id + "/access/user/" + id,
					"POST " + surface + "/schedules/" + id + "/trigger"));
		}
		calls.add("POST /v1/harvest/secrets/reseal");
		for (String call : calls) {
			String[] parts = call.split(" ");
			WebTestClient.RequestBodySpec request = this.client.method(org.springframework.http.HttpMethod.valueOf(parts[0]))
				.uri(parts[1])
				.headers((h) -> h.setBearerAuth(user.token()));
			WebTestClient.ResponseSpec response = ("POST".equals(parts[0]) || "PATCH".equals(parts[0]))
					? request.contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange() : request.exchange();
			response.expectStatus().value((status) -> assertThat(status).as(call).isEqualTo(403));
		}
	}

	@Test
	void aDueScheduleFiresOnceHoweverManyTickersLookAtOnce() throws Exception {
		Path source = Files.createDirectories(root.resolve("src-tick-" + UUID.randomUUID()));
		Path store = Files.createDirectories(root.resolve("store-tick-" + UUID.randomUUID()));
		Instrument setUp = instrument("Tick", source, store);
		String instrument = setUp.id();
		String schedule = setUp.schedule();
		for (int tick = 0; tick < 3; tick++) {
			this.database.sql("UPDATE harvest_schedule SET next_run_at = now() - interval '1 second' WHERE id = :id")
				.bind("id", UUID.fromString(schedule)).then().block(Duration.ofSeconds(10));
			// The service's own ticker and four more at once, as replicas would.
			Flux.range(0, 4).flatMap((n) -> this.ticker.fireDue(), 4).then().block(Duration.ofSeconds(30));
			// The service's own ticker may hold the schedule's row at that moment (the others skip
			// it): the tick's run appears once it commits, and no second one follows.
			long expected = tick + 1;
			String runs = "SELECT count(*) AS n FROM harvest_run WHERE schedule_id = :id AND trigger IN ('schedule', 'missed')";
			await().atMost(Duration.ofSeconds(10)).until(() -> count(runs, schedule) >= expected);
			await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).until(() -> count(runs, schedule) == expected);
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> count(
				"SELECT count(*) AS n FROM harvest_run WHERE schedule_id = :id AND status IN ('queued', 'running')", schedule) == 0);
	}

	@Test
	void aRunLeftRunningByAStoppedReplicaIsFinishedWithoutTransferringAVerifiedFileAgain() throws Exception {
		Path source = Files.createDirectories(root.resolve("src-crash-" + UUID.randomUUID()));
		Path store = Files.createDirectories(root.resolve("store-crash-" + UUID.randomUUID()));
		write(source.resolve("kept.dat"), "verified once", true);
		Instrument setUp = instrument("Crash", source, store);
		String instrument = setUp.id();
		String schedule = setUp.schedule();
		awaitRun((String) trigger(schedule, null).get("run_id"));
		write(source.resolve("late.dat"), "arrived later", true);
		// A replica took this run and died a minute ago: no heartbeat since.
		UUID orphan = UUID.randomUUID();
		this.database.sql("INSERT INTO harvest_run (id, instrument_id, schedule_id, storage_location_id, trigger, status, "
				+ "created_at, started_at) VALUES (:id, :instrument, :schedule, :storage, 'schedule', 'running', "
				+ "now() - interval '1 minute', now() - interval '1 minute')")
			.bind("id", orphan)
			.bind("instrument", UUID.fromString(instrument))
			.bind("schedule", UUID.fromString(schedule))
			.bind("storage", UUID.fromString(setUp.storage()))
			.then()
			.block(Duration.ofSeconds(10));
		Map<String, Object> finished = awaitRun(orphan.toString());
		assertThat(finished).containsEntry("status", "completed").containsEntry("files_transferred", 1);
		assertThat(count("SELECT count(*) AS n FROM file_transfer t JOIN file_record f ON f.id = t.file_id "
				+ "WHERE f.instrument_id = :id AND t.status = 'completed'", instrument)).isEqualTo(2);
		assertThat(files("instrument_id=" + instrument)).hasSize(2);
	}

	@Test
	void hooksFilterRedirectEnrichAndGrantAndTheirConfigurationIsChecked() throws Exception {
		Path source = Files.createDirectories(root.resolve("src-hooks-" + UUID.randomUUID()));
		Path store = Files.createDirectories(root.resolve("store-hooks-" + UUID.randomUUID()));
		User operator = TestTokens.user();
		write(source.resolve("S42_" + operator.id() + ".dat"), "measured", true);
		write(source.resolve("scratch.tmp"), "temporary", true);
		write(source.resolve("tiny.dat"), "x", true);
		write(source.resolve("logs-here/run.log"), "log lines", true);
		Instrument setUp = instrument("Hooks", source, store);
		String instrument = setUp.id();
		String schedule = setUp.schedule();
		// Configuration is checked where it is given.
		hookRefused(Map.of("name", "bad", "builtin_name", "metadata_enrichment", "instrument_id", instrument,
				"config", Map.of("rules", List.of(Map.of("pattern", "(?<open", "source", "filename")))), "config.rules[0].pattern");
		hookRefused(Map.of("name", "bad", "builtin_name", "file_filter", "instrument_id", instrument,
				"config", Map.of("exclude_patterns", List.of("[a-"))), "config.exclude_patterns[0]");
		hookRefused(Map.of("name", "bad", "implementation", "command", "trigger", "post_transfer", "command", "/bin/rm"),
				"command");
		hookRefused(Map.of("name", "bad", "builtin_name", "access_assignment", "config",
				Map.of("grants", List.of(Map.of("source", "literal", "grantee_id", "someone")))), "config.grants[0].grantee_id");
		post("/api/hooks", Map.of("name", "Keep scratch out", "builtin_name", "file_filter", "instrument_id", instrument,
				"priority", 10, "config", Map.of("exclude_patterns", List.of("*.tmp"), "min_size_bytes", 2,
						"redirect_rules", List.of(Map.of("pattern", "*.log", "destination", "logs")))), 201);
		post("/api/hooks", Map.of("name", "Sample and operator", "builtin_name", "metadata_enrichment", "instrument_id",
				instrument, "priority", 20, "config", Map.of("rules", List.of(Map.of("pattern",
						"(?<sample>S\\d+)_(?<operator>[0-9a-f-]{36})\\.dat", "source", "filename")))), 201);
		post("/api/hooks", Map.of("name", "Operator sees their data", "builtin_name", "access_assignment", "instrument_id",
				instrument, "priority", 30, "config", Map.of("grants", List.of(Map.of("source", "metadata", "match_field",
						"operator", "grantee_type", "user")))), 201);
		this.client.get().uri("/api/hooks?limit=500").headers((h) -> h.setBearerAuth(this.admin.token())).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.total").value((Integer total) -> assertThat(total).isGreaterThanOrEqualTo(3));

		Map<String, Object> run = awaitRun((String) trigger(schedule, null).get("run_id"));
		assertThat(run).containsEntry("status", "completed").containsEntry("files_transferred", 2)
			.containsEntry("files_skipped", 2);
		List<Map<String, Object>> files = files("instrument_id=" + instrument);
		Map<String, Object> measured = files.stream().filter((f) -> ((String) f.get("source_path")).startsWith("S42_"))
			.findFirst().orElseThrow();
		@SuppressWarnings("unchecked")
		Map<String, Object> metadata = (Map<String, Object>) measured.get("metadata_");
		assertThat(metadata).containsEntry("sample", "S42").containsEntry("operator", operator.id().toString());
		assertThat(files).filteredOn((f) -> "skipped".equals(f.get("state"))).hasSize(2)
			.allSatisfy((f) -> assertThat(f.get("persistent_id")).isNull());
		assertThat(store.resolve(instrument + "/logs/run.log")).hasContent("log lines");
		assertThat(store.resolve(instrument + "/scratch.tmp")).doesNotExist();
		// The operator named in the file's name sees that file, and nothing else of the instrument.
		this.client.get().uri("/api/files/" + measured.get("id")).headers((h) -> h.setBearerAuth(operator.token()))
			.exchange().expectStatus().isOk();
		String log = (String) files.stream().filter((f) -> "logs-here/run.log".equals(f.get("source_path"))).findFirst()
			.orElseThrow().get("id");
		this.client.get().uri("/api/files/" + log).headers((h) -> h.setBearerAuth(operator.token())).exchange()
			.expectStatus().isNotFound();
		// A second run records the held-back files once, not again.
		Map<String, Object> again = awaitRun((String) trigger(schedule, null).get("run_id"));
		assertThat(again).containsEntry("files_transferred", 0).containsEntry("files_skipped", 2);
		assertThat(count("SELECT count(*) AS n FROM file_transfer t JOIN file_record f ON f.id = t.file_id "
				+ "WHERE f.instrument_id = :id AND t.status = 'skipped'", instrument)).isEqualTo(2);
	}

	@Test
	@SuppressWarnings("unchecked")
	void commandsAndWebhooksRunInOrderTheirFailuresAreRecordedAndAFailingPreHookHoldsTheFileBack() throws Exception {
		String secret = WebhookSignature.generate(new java.security.SecureRandom());
		WebhookSignature signature = WebhookSignature.of(secret);
		List<JsonNode> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();
		java.util.concurrent.atomic.AtomicInteger flaky = new java.util.concurrent.atomic.AtomicInteger();
		java.util.concurrent.atomic.AtomicInteger down = new java.util.concurrent.atomic.AtomicInteger();
		HttpServer receiver = HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
		receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
		receiver.createContext("/ok", (exchange) -> {
			byte[] body = exchange.getRequestBody().readAllBytes();
			String id = exchange.getRequestHeaders().getFirst("webhook-id");
			String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
			String signed = exchange.getRequestHeaders().getFirst("webhook-signature");
			boolean valid = id != null && timestamp != null && signed != null
					&& signature.verifies(id, Long.parseLong(timestamp), body, signed);
			if (valid) {
				delivered.add(JsonMapper.builder().build().readTree(body));
			}
			answer(exchange, valid ? 200 : 401, "{\"owner_lab\": \"lab-7\"}");
		});
		receiver.createContext("/flaky", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			boolean first = flaky.getAndIncrement() % 2 == 0;
			answer(exchange, first ? 500 : 200, first ? "" : "{\"flaky\": \"answered\"}");
		});
		receiver.createContext("/down", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			down.incrementAndGet();
			answer(exchange, 503, "");
		});
		receiver.createContext("/slow", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			try {
				Thread.sleep(3000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			answer(exchange, 200, "{\"late\": true}");
		});
		receiver.start();
		try {
			String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
			Path source = Files.createDirectories(root.resolve("src-external-" + UUID.randomUUID()));
			Path store = Files.createDirectories(root.resolve("store-external-" + UUID.randomUUID()));
			write(source.resolve("junk.dat"), "junk", true);
			write(source.resolve("raw-1.dat"), "raw one", true);
			write(source.resolve("notes.txt"), "notes", true);
			Instrument setUp = instrument("External hooks", source, store);
			String instrument = setUp.id();
			String hooks = root.resolve("hooks").toString();
			// Configuration is checked where it is given.
			hookRefused(Map.of("name", "bad", "implementation", "http_webhook", "webhook_url", base + "/ok", "trigger",
					"pre_transfer"), "trigger");
			hookRefused(Map.of("name", "bad", "implementation", "http_webhook", "webhook_url", base + "/ok",
					"webhook_secret", "whsec_short"), "webhook_secret");
			hookRefused(Map.of("name", "bad", "implementation", "http_webhook", "webhook_url", base + "/ok", "config",
					Map.of("max_attempts", 50)), "config.max_attempts");
			hookRefused(Map.of("name", "bad", "implementation", "command", "trigger", "pre_transfer", "command",
					hooks + "/classify.sh", "config", Map.of("on_failure", "explode")), "config.on_failure");
			post("/api/hooks", Map.of("name", "Classify", "implementation", "command", "trigger", "pre_transfer",
					"command", hooks + "/classify.sh", "instrument_id", instrument, "priority", 10), 201);
			Map<String, Object> signed = post("/api/hooks", Map.of("name", "Lab registry", "implementation",
					"http_webhook", "webhook_url", base + "/ok", "webhook_secret", secret, "instrument_id", instrument,
					"priority", 20), 201);
			assertThat(signed).containsEntry("webhook_secret", "****");
			Map<String, Object> generated = post("/api/hooks", Map.of("name", "Flaky", "implementation", "http_webhook",
					"webhook_url", base + "/flaky", "instrument_id", instrument, "priority", 30), 201);
			assertThat((String) generated.get("webhook_secret")).startsWith("whsec_");
			this.client.get().uri("/api/hooks/" + generated.get("id")).headers((h) -> h.setBearerAuth(this.admin.token()))
				.exchange().expectStatus().isOk().expectBody().jsonPath("$.webhook_secret").isEqualTo("****");
			post("/api/hooks", Map.of("name", "Down", "implementation", "http_webhook", "webhook_url", base + "/down",
					"instrument_id", instrument, "priority", 40, "config", Map.of("max_attempts", 2)), 201);
			post("/api/hooks", Map.of("name", "Slow webhook", "implementation", "http_webhook", "webhook_url",
					base + "/slow", "instrument_id", instrument, "priority", 50, "config",
					Map.of("max_attempts", 1, "timeout_seconds", 1)), 201);
			post("/api/hooks", Map.of("name", "Slow command", "implementation", "command", "trigger", "post_transfer",
					"command", hooks + "/slow.sh", "instrument_id", instrument, "priority", 60, "config",
					Map.of("timeout_seconds", 1)), 201);

			Map<String, Object> run = awaitRun((String) trigger(setUp.schedule(), null).get("run_id"));
			assertThat(run).containsEntry("status", "completed").containsEntry("files_transferred", 2)
				.containsEntry("files_skipped", 1).containsEntry("files_failed", 0);
			assertThat(store.resolve(instrument + "/raw/raw-1.dat")).hasContent("raw one");
			List<Map<String, Object>> files = files("instrument_id=" + instrument);
			Map<String, Object> raw = files.stream().filter((f) -> "raw-1.dat".equals(f.get("source_path"))).findFirst()
				.orElseThrow();
			assertThat((Map<String, Object>) raw.get("metadata_")).containsEntry("classified", "raw")
				.containsEntry("owner_lab", "lab-7").containsEntry("flaky", "answered").doesNotContainKey("late");
			assertThat(files).filteredOn((f) -> "junk.dat".equals(f.get("source_path"))).singleElement()
				.satisfies((f) -> assertThat(f).containsEntry("state", "skipped"));
			// Every delivery was signed with the hook's secret and carried the metadata so far.
			assertThat(delivered).hasSize(2).allSatisfy((payload) -> {
				assertThat(payload.path("type").asString()).isEqualTo("harvest.file.transferred");
				assertThat(payload.path("data").path("checksum_verified").asBoolean()).isTrue();
				assertThat(payload.path("data").path("metadata_").path("classified").asString()).isIn("raw", "other");
			});
			assertThat(down.get()).isEqualTo(4);
			Map<String, Object> transfer = this.client.get().uri("/api/transfers?file_id=" + raw.get("id"))
				.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectBody(LIST).returnResult()
				.getResponseBody().get(0);
			assertThat(transfer).containsEntry("status", "completed").containsEntry("checksum_verified", true);
			assertThat((List<Map<String, Object>>) transfer.get("hook_errors")).extracting((e) -> e.get("hook") + ": " + e.get("error"))
				.containsExactly("Down: the hook answered 503 (after 2 attempts)",
						"Slow webhook: no answer within 1 s (after 1 attempt)",
						"Slow command: the command did not answer within 1 s and was stopped");

			// A failing pre-transfer command holds the file back; once it is mended, the next run takes it.
			Path heldSource = Files.createDirectories(root.resolve("src-held-" + UUID.randomUUID()));
			write(heldSource.resolve("frame.dat"), "frame", true);
			Instrument held = instrument("Held", heldSource, Files.createDirectories(root.resolve("store-held-" + UUID.randomUUID())));
			String broken = (String) post("/api/hooks", Map.of("name", "Broken check", "implementation", "command",
					"trigger", "pre_transfer", "command", hooks + "/broken.sh", "instrument_id", held.id()), 201).get("id");
			Map<String, Object> first = awaitRun((String) trigger(held.schedule(), null).get("run_id"));
			assertThat(first).containsEntry("status", "completed").containsEntry("files_transferred", 0)
				.containsEntry("files_failed", 1);
			Map<String, Object> heldFile = files("instrument_id=" + held.id()).get(0);
			assertThat(heldFile).containsEntry("state", "failed");
			Map<String, Object> failed = this.client.get().uri("/api/transfers?file_id=" + heldFile.get("id"))
				.headers((h) -> h.setBearerAuth(this.admin.token())).exchange().expectBody(LIST).returnResult()
				.getResponseBody().get(0);
			assertThat(failed).containsEntry("status", "failed");
			assertThat((String) failed.get("error_message")).contains("held back");
			assertThat((List<Map<String, Object>>) failed.get("hook_errors")).singleElement()
				.satisfies((e) -> assertThat((String) e.get("error")).contains("exited with 3").contains("disk on fire"));
			patch("/api/hooks/" + broken, Map.of("enabled", false), 200);
			Map<String, Object> second = awaitRun((String) trigger(held.schedule(), null).get("run_id"));
			assertThat(second).containsEntry("files_transferred", 1).containsEntry("files_failed", 0);
			assertThat(files("instrument_id=" + held.id()).get(0)).containsEntry("state", "stored")
				.containsEntry("id", heldFile.get("id"));
		}
		finally {
			receiver.stop(0);
		}
	}

	private static void answer(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
		if (bytes.length > 0) {
			exchange.getResponseBody().write(bytes);
		}
		exchange.close();
	}

	/**
	 * A local instrument reading {@code source} into a posix location at {@code store}, with a
	 * schedule (02:00 daily) to trigger.
	 *
	 * @param id the instrument
	 * @param storage its storage location
	 * @param schedule its schedule
	 */
	private record Instrument(String id, String storage, String schedule) {
	}

	private Instrument instrument(String label, Path source, Path store) {
		String storage = (String) post("/api/storage-locations", Map.of("name", label + " " + UUID.randomUUID(), "type",
				"posix", "base_path", store.toString()), 201).get("id");
		String instrument = (String) post("/api/instruments", Map.of("name", label + " " + UUID.randomUUID(), "source_type",
				"local", "source_path", source.toString(), "default_storage_location_id", storage), 201).get("id");
		String schedule = (String) post("/api/schedules", Map.of("instrument_id", instrument, "cron_expression",
				"0 2 * * *"), 201).get("id");
		return new Instrument(instrument, storage, schedule);
	}

	private void hookRefused(Map<String, Object> hook, String field) {
		this.client.post().uri("/api/hooks").headers((h) -> h.setBearerAuth(this.admin.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(hook).exchange().expectStatus().isEqualTo(422)
			.expectBody().jsonPath("$.detail[0].loc[1]").isEqualTo(field);
	}

	/** A store whose first write of each key lands with one byte flipped. */
	static class FlipOnce implements BlobStore {

		private final BlobStore real;

		private final AtomicBoolean flipped;

		FlipOnce(BlobStore real, AtomicBoolean flipped) {
			this.real = real;
			this.flipped = flipped;
		}

		@Override
		public Mono<StoredBlob> write(String key, Flux<DataBuffer> content) {
			if (this.flipped.compareAndSet(false, true)) {
				return this.real.write(key, content.map((buffer) -> {
					byte[] bytes = new byte[buffer.readableByteCount()];
					buffer.read(bytes);
					DataBufferUtils.release(buffer);
					bytes[0] ^= 1;
					return DefaultDataBufferFactory.sharedInstance.wrap(bytes);
				}));
			}
			return this.real.write(key, content);
		}

		@Override
		public Flux<DataBuffer> read(String key) {
			return this.real.read(key);
		}

		@Override
		public Mono<StoredBlob> stat(String key) {
			return this.real.stat(key);
		}

		@Override
		public Mono<Void> delete(String key) {
			return this.real.delete(key);
		}

		@Override
		public Mono<Void> deleteAll(String prefix) {
			return this.real.deleteAll(prefix);
		}

	}

	private static void write(Path file, String content, boolean stable) throws IOException {
		Files.createDirectories(file.getParent());
		Files.writeString(file, content, StandardCharsets.UTF_8);
		// A stable file was last written a minute ago; an unstable one just now.
		Files.setLastModifiedTime(file, FileTime.from(stable ? Instant.now().minusSeconds(60) : Instant.now()));
	}

	private Map<String, Object> trigger(String schedule, String key) {
		return this.client.post().uri("/api/schedules/" + schedule + "/trigger")
			.headers((h) -> {
				h.setBearerAuth(this.admin.token());
				if (key != null) {
					h.set("Idempotency-Key", key);
				}
			})
			.exchange().expectStatus().isAccepted().expectBody(MAP).returnResult().getResponseBody();
	}

	private Map<String, Object> awaitRun(String run) {
		return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
			.until(() -> this.client.get().uri("/api/harvest-runs/" + run).headers((h) -> h.setBearerAuth(this.admin.token()))
				.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody(),
					(body) -> !"queued".equals(body.get("status")) && !"running".equals(body.get("status")));
	}

	/** How many items a list answers {@code user}: a plain array, or a page's {@code items}. */
	private int listed(String path, User user) {
		String body = this.client.get().uri(path).headers((h) -> h.setBearerAuth(user.token())).exchange()
			.expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
		JsonNode node = JsonMapper.builder().build().readTree(body);
		return node.isArray() ? node.size() : node.path("items").size();
	}

	private List<Map<String, Object>> files(String query) {
		return this.client.get().uri("/api/files?" + query).headers((h) -> h.setBearerAuth(this.admin.token())).exchange()
			.expectStatus().isOk().expectBody(LIST).returnResult().getResponseBody();
	}

	private Map<String, Object> post(String path, Map<String, Object> body, int status) {
		return this.client.post().uri(path).headers((h) -> h.setBearerAuth(this.admin.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange().expectStatus().isEqualTo(status)
			.expectBody(MAP).returnResult().getResponseBody();
	}

	private Map<String, Object> patch(String path, Map<String, Object> body, int status) {
		return this.client.patch().uri(path).headers((h) -> h.setBearerAuth(this.admin.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange().expectStatus().isEqualTo(status)
			.expectBody(MAP).returnResult().getResponseBody();
	}

	private String column(String table, String column, String id) {
		return this.database.sql("SELECT " + column + " AS v FROM " + table + " WHERE id = :id")
			.bind("id", UUID.fromString(id))
			.map((row) -> row.get("v", String.class))
			.one()
			.block(Duration.ofSeconds(10));
	}

	private long count(String sql, String id) {
		return this.database.sql(sql).bind("id", UUID.fromString(id)).map((row) -> row.get("n", Long.class)).one()
			.block(Duration.ofSeconds(10));
	}

}
