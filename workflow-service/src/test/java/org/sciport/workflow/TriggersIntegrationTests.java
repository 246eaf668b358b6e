package org.sciport.workflow;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.commons.security.ApiTokenExchanger;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TopicReader;
import org.sciport.testsupport.TopicWriter;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Workflows started by events, on real PostgreSQL and Kafka: a harvest transfer from the
 * filtered instrument starts each matching workflow once (a redelivered event starts nothing
 * more, another instrument's starts nothing); the run is given the event and the harvested
 * file, fetched with the service credential on behalf of the workflow's author; what its tasks
 * leave in {@code outputs/} is stored and announced with the workflow's dataset and its author.
 * A workflow whose author may not read the file fails saying so; an output that is a link is
 * refused. harvest-service's content endpoint is stood in by an HTTP server in the test, which
 * serves the file only to the credential the service holds, acting for its grantee, and so do
 * dataset-service's file list and upload-service's file content for a dataset given as input
 * (its files staged from wherever they are kept); the whole
 * chain through the real services is {@code workflow-trigger.sh} in the suite's tests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.name=workflow-service", "sciport.workflow.runs.poll=200ms",
				"sciport.workflow.runs.shell-for-everyone=true", "sciport.workflow.inputs.api-token=sct_service-credential" })
@AutoConfigureWebTestClient
@Import({ TestTokens.class, TriggersIntegrationTests.ServiceCredential.class })
class TriggersIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

	private static final byte[] FRAME = "frame 0001: 42 counts\n".repeat(1000).getBytes(StandardCharsets.UTF_8);

	private static final User AUTHOR = TestTokens.user();

	private static final User STRANGER = TestTokens.user();

	private static final User SERVICE = TestTokens.admin();

	private static final AtomicInteger FETCHES = new AtomicInteger();

	private static final UUID HARVESTED = UUID.randomUUID();

	private static final UUID UPLOADED = UUID.randomUUID();

	private static final UUID DATASET = UUID.randomUUID();

	private static final byte[] NOTES = "sample 7: 1.5 K, 2.0 T\n".getBytes(StandardCharsets.UTF_8);

	static String sha256(byte[] content) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static final Path BLOBS;

	private static final HttpServer HARVEST;

	static {
		try {
			BLOBS = Files.createTempDirectory("sciport-workflow-blobs-");
			HARVEST = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		// harvest-service's GET /v1/files/{id}/content, dataset-service's file list and upload-service's
		// file content: to the service's credential acting for the author only.
		HARVEST.createContext("/", (exchange) -> {
			FETCHES.incrementAndGet();
			String path = exchange.getRequestURI().getPath();
			boolean allowed = ("Bearer " + SERVICE.token()).equals(exchange.getRequestHeaders().getFirst("Authorization"))
					&& AUTHOR.id().toString().equals(exchange.getRequestHeaders().getFirst("X-Sciport-Acting-For"));
			byte[] body = null;
			if (allowed && path.equals("/v1/files/" + HARVESTED + "/content")) {
				body = FRAME;
			}
			else if (allowed && path.equals("/v1/datasets/" + DATASET + "/files")) {
				body = ("{\"data\": [{\"id\": \"" + UPLOADED + "\", \"filename\": \"notes 1.txt\", \"sha256\": \""
						+ sha256(NOTES) + "\"}, {\"id\": \"" + HARVESTED + "\", \"filename\": \"frame-0001.txt\"}]}")
					.getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().set("Content-Type", "application/json");
			}
			else if (allowed && path.equals("/portal/api/dataset-file-content")
					&& ("dataset_uuid=" + DATASET + "&file_path=notes 1.txt").equals(exchange.getRequestURI().getQuery())) {
				body = NOTES;
			}
			exchange.sendResponseHeaders((body != null) ? 200 : 404, (body != null) ? body.length : -1);
			if (body != null) {
				exchange.getResponseBody().write(body);
			}
			exchange.close();
		});
		HARVEST.start();
	}

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) throws IOException {
		TestInfrastructure.register(registry, "workflow_triggers");
		String runs = Files.createTempDirectory("sciport-runs-").toString();
		registry.add("sciport.workflow.runs.work-directory", () -> runs);
		registry.add("sciport.workflow.storage-directory", BLOBS::toString);
		String stand = "http://127.0.0.1:" + HARVEST.getAddress().getPort();
		registry.add("sciport.workflow.inputs.harvest-service", () -> stand);
		registry.add("sciport.workflow.inputs.dataset-service", () -> stand);
		registry.add("sciport.workflow.inputs.upload-service", () -> stand);
	}

	@AfterAll
	static void stopHarvest() {
		HARVEST.stop(0);
	}

	/** auth-service's exchange of the service's API token, as it answers for an administrator's token. */
	@TestConfiguration
	static class ServiceCredential {

		@Bean
		ApiTokenExchanger apiTokenExchanger() {
			return new ApiTokenExchanger() {
				@Override
				public Mono<String> exchange(String apiToken) {
					return "sct_service-credential".equals(apiToken) ? Mono.just(SERVICE.token())
							: Mono.error(new org.sciport.commons.error.AuthenticationException("The API token is not valid"));
				}

				@Override
				public void forget(String apiToken) {
				}
			};
		}

	}

	@Autowired
	WebTestClient client;

	@Autowired
	JsonMapper json;

	@Test
	@SuppressWarnings("unchecked")
	void aHarvestedFileStartsEachMatchingWorkflowOnceAndItsOutputsAreStoredAndAnnounced() throws Exception {
		UUID instrument = UUID.randomUUID();
		UUID dataset = UUID.randomUUID();
		String suffix = UUID.randomUUID().toString().substring(0, 8);
		String counter = "count-" + suffix;
		apply(AUTHOR, """
				name: %s
				type: workflow
				workflow:
				  trigger:
				    event: sciport.harvest.transfer.completed
				    filter:
				      instrument_id: %s
				  outputs:
				    dataset_id: %s
				  dag:
				    - name: count
				      spec:
				        stack: shell
				        command: "wc -c < inputs/frame-0001.txt > outputs/count.txt && mkdir outputs/meta && cp inputs/event.json outputs/meta/"
				""".formatted(counter, instrument, dataset)).expectStatus().isCreated();
		String strangers = "peek-" + suffix;
		apply(STRANGER, """
				name: %s
				type: workflow
				workflow:
				  trigger:
				    event: sciport.harvest.transfer.completed
				    filter: {instrument_id: %s}
				  dag:
				    - name: peek
				      spec: {stack: shell, command: "cat inputs/frame-0001.txt"}
				""".formatted(strangers, instrument)).expectStatus().isCreated();
		String linker = "link-" + suffix;
		apply(AUTHOR, """
				name: %s
				type: workflow
				workflow:
				  trigger:
				    event: sciport.harvest.transfer.completed
				    filter: {instrument_id: %s}
				  dag:
				    - name: link
				      spec: {stack: shell, command: "ln -s /etc/passwd outputs/passwd"}
				""".formatted(linker, instrument)).expectStatus().isCreated();
		// A triggered workflow is active and waits for its event: applying it ran nothing.
		assertThat(runs(AUTHOR, counter)).isEmpty();
		assertThat(resource(AUTHOR, counter)).containsEntry("status", "active");

		String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(FRAME));
		UUID file = HARVESTED;
		String transfer = TopicWriter.event("/sciport/harvest-service", "sciport.harvest.transfer.completed",
				UUID.randomUUID().toString(), "{\"instrument_id\":\"" + instrument + "\",\"transfer_id\":\"t-1\",\"files\":[{"
						+ "\"file_id\":\"" + file + "\",\"filename\":\"frame-0001.txt\",\"size_bytes\":" + FRAME.length
						+ ",\"sha256\":\"" + sha256 + "\"}],\"checksum_verified\":true}");
		TopicWriter.publish(Topics.HARVEST, instrument.toString(), transfer);
		// Delivered again (a replay), and another instrument's transfer: neither starts anything.
		TopicWriter.publish(Topics.HARVEST, instrument.toString(), transfer);
		TopicWriter.publish(Topics.HARVEST, "other", TopicWriter.event("/sciport/harvest-service",
				"sciport.harvest.transfer.completed", "other", "{\"instrument_id\":\"" + UUID.randomUUID()
						+ "\",\"files\":[{\"file_id\":\"" + UUID.randomUUID() + "\",\"filename\":\"x.txt\"}]}"));

		Map<String, Object> run = awaitEnded(AUTHOR, counter);
		assertThat(run).containsEntry("status", "succeeded").containsEntry("trigger", "event");
		assertThat((Map<String, Object>) run.get("event")).containsEntry("type", "sciport.harvest.transfer.completed");
		List<Map<String, Object>> outputs = (List<Map<String, Object>>) run.get("outputs");
		assertThat(outputs).extracting((output) -> output.get("filename"))
			.containsExactly("count.txt", "meta/event.json");
		Map<String, Object> count = outputs.get(0);
		byte[] expected = (FRAME.length + "\n").getBytes(StandardCharsets.UTF_8);
		assertThat(count).containsEntry("size_bytes", expected.length).containsEntry("sha256",
				HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected)));
		// Stored in the blob store, under the run and the output's id.
		assertThat(Files.readAllBytes(BLOBS.resolve("runs").resolve((String) run.get("id")).resolve((String) count.get("file_id"))))
			.isEqualTo(expected);
		JsonNode staged = this.json.readTree(Files.readString(
				BLOBS.resolve("runs").resolve((String) run.get("id")).resolve((String) outputs.get(1).get("file_id"))));
		assertThat(staged.path("instrument_id").asString()).isEqualTo(instrument.toString());

		// The stranger's workflow matched too, but its author may not read the file.
		Map<String, Object> peek = awaitEnded(STRANGER, strangers);
		assertThat(peek).containsEntry("status", "failed");
		assertThat((String) peek.get("error_message")).contains("not readable by the user the run acts for");
		Map<String, Object> link = awaitEnded(AUTHOR, linker);
		assertThat(link).containsEntry("status", "failed");
		assertThat((String) link.get("error_message")).contains("outputs/passwd is not a regular file");

		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.WORKFLOW)) {
			ConsumerRecord<String, String> completed = reader.awaitRecords((record) -> run.get("id").equals(record.key())
					&& record.value().contains("sciport.workflow.run.completed"), 1, Duration.ofSeconds(30)).get(0);
			JsonNode data = this.json.readTree(completed.value()).path("data");
			assertThat(data.path("dataset_id").asString()).isEqualTo(dataset.toString());
			assertThat(data.path("requested_by").asString()).isEqualTo(AUTHOR.id().toString());
			assertThat(data.path("outputs").get(0).path("filename").asString()).isEqualTo("count.txt");
			assertThat(data.path("outputs").get(0).path("file_id").asString()).isEqualTo(count.get("file_id"));
		}
		// Each workflow ran once for the one event delivered twice.
		assertThat(runs(AUTHOR, counter)).hasSize(1);
		assertThat(runs(STRANGER, strangers)).hasSize(1);
		assertThat(runs(AUTHOR, linker)).hasSize(1);
	}

	@Test
	@SuppressWarnings("unchecked")
	void aRunIsGivenEveryFileOfItsInputDatasetFromWhereverItIsKept() throws Exception {
		String name = "gather-" + UUID.randomUUID().toString().substring(0, 8);
		apply(AUTHOR, """
				name: %s
				type: workflow
				workflow:
				  inputs: {dataset_id: %s}
				  dag:
				    - name: list
				      spec: {stack: shell, command: "sha256sum inputs/* > outputs/sums.txt"}
				""".formatted(name, DATASET)).expectStatus().isCreated();
		Map<String, Object> run = awaitEnded(AUTHOR, name);
		assertThat(run).containsEntry("status", "succeeded");
		Map<String, Object> sums = ((List<Map<String, Object>>) run.get("outputs")).get(0);
		String listing = Files.readString(BLOBS.resolve("runs").resolve((String) run.get("id")).resolve((String) sums.get("file_id")));
		assertThat(listing).contains(sha256(NOTES) + "  inputs/notes 1.txt").contains(sha256(FRAME) + "  inputs/frame-0001.txt");
		// The stranger applies the same: the dataset is not theirs to read.
		String peek = "gather-" + UUID.randomUUID().toString().substring(0, 8);
		apply(STRANGER, """
				name: %s
				type: workflow
				workflow:
				  inputs: {dataset_id: %s}
				  dag:
				    - name: list
				      spec: {stack: shell, command: "ls inputs"}
				""".formatted(peek, DATASET)).expectStatus().isCreated();
		Map<String, Object> refused = awaitEnded(STRANGER, peek);
		assertThat(refused).containsEntry("status", "failed");
		assertThat((String) refused.get("error_message")).contains("is not readable by the user the run acts for");
	}

	@Test
	@SuppressWarnings("unchecked")
	void anUploadIntoTheFilteredDatasetStartsAWorkflowWithTheUploadedFile() throws Exception {
		String name = "on-upload-" + UUID.randomUUID().toString().substring(0, 8);
		apply(AUTHOR, """
				name: %s
				type: workflow
				workflow:
				  trigger:
				    event: sciport.upload.completed
				    filter: {dataset_id: %s}
				  dag:
				    - name: copy
				      spec: {stack: shell, command: "cp 'inputs/notes 1.txt' outputs/copy.txt"}
				""".formatted(name, DATASET)).expectStatus().isCreated();
		TopicWriter.publish(Topics.UPLOAD, DATASET.toString(), TopicWriter.event("/sciport/upload-service",
				"sciport.upload.completed", UPLOADED.toString(), "{\"upload_id\":\"" + UPLOADED + "\",\"job_id\":\""
						+ UPLOADED + "\",\"dataset_id\":\"" + DATASET + "\",\"owner_id\":\"" + AUTHOR.id()
						+ "\",\"filename\":\"notes 1.txt\",\"path\":\"uploads/x\",\"size_bytes\":" + NOTES.length
						+ ",\"xxhash64\":\"00\",\"sha256\":\"" + sha256(NOTES) + "\"}"));
		Map<String, Object> run = awaitEnded(AUTHOR, name);
		assertThat(run).containsEntry("status", "succeeded").containsEntry("trigger", "event");
		Map<String, Object> copy = ((List<Map<String, Object>>) run.get("outputs")).get(0);
		assertThat(copy).containsEntry("filename", "copy.txt").containsEntry("sha256", sha256(NOTES));
	}

	@Test
	void aTriggerIsCheckedOnApply() {
		String dag = "  dag:\n    - name: a\n      spec: {stack: shell, command: \"true\"}\n";
		apply(AUTHOR, "name: t1\ntype: workflow\nworkflow:\n  trigger: {event: sciport.upload.nothing}\n" + dag)
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("workflow.trigger.event")
			.jsonPath("$.error.message").value((String message) -> assertThat(message)
				.contains("sciport.harvest.transfer.completed"));
		apply(AUTHOR, "name: t2\ntype: workflow\nworkflow:\n  trigger:\n    event: sciport.harvest.transfer.completed\n"
				+ "    filter: {owner: me}\n" + dag)
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("workflow.trigger.filter.owner");
		apply(AUTHOR, "name: t3\ntype: workflow\nworkflow:\n  trigger:\n    event: sciport.harvest.transfer.completed\n"
				+ "    filter: {instrument_id: seven}\n" + dag)
			.expectStatus().isBadRequest().expectBody()
			.jsonPath("$.error.field").isEqualTo("workflow.trigger.filter.instrument_id");
		apply(AUTHOR, "name: t4\ntype: workflow\nworkflow:\n  trigger: {event: sciport.harvest.transfer.completed}\n"
				+ "  schedule: {cron: \"0 2 * * *\"}\n" + dag)
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("workflow.trigger");
		apply(AUTHOR, "name: t5\ntype: workflow\nworkflow:\n  outputs: {dataset_id: mine}\n" + dag)
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("workflow.outputs.dataset_id");
		apply(AUTHOR, "name: t6\ntype: workflow\nworkflow:\n  inputs: {files: all}\n" + dag)
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("workflow.inputs.files");
	}

	private WebTestClient.ResponseSpec apply(User user, String manifest) {
		return this.client.post().uri("/v1/resources").headers((h) -> h.setBearerAuth(user.token())).contentType(YAML)
			.bodyValue(manifest).exchange();
	}

	private Map<String, Object> resource(User user, String name) {
		return this.client.get().uri("/v1/resources/workflow/" + name).headers((h) -> h.setBearerAuth(user.token()))
			.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> runs(User user, String name) {
		return (List<Map<String, Object>>) this.client.get().uri("/v1/resources/workflow/" + name + "/runs")
			.headers((h) -> h.setBearerAuth(user.token())).exchange().expectStatus().isOk().expectBody(MAP).returnResult()
			.getResponseBody().get("data");
	}

	private Map<String, Object> awaitEnded(User user, String name) {
		return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
			.until(() -> {
				List<Map<String, Object>> runs = runs(user, name);
				return runs.isEmpty() ? Map.<String, Object>of("status", "none") : runs.get(0);
			}, (run) -> List.of("succeeded", "failed", "cancelled").contains(run.get("status")));
	}

}
