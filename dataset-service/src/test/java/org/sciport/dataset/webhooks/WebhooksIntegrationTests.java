package org.sciport.dataset.webhooks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.dataset.DatasetServiceIntegrationTest;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TopicWriter;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks on real PostgreSQL and Kafka, to receivers started in the test that verify each
 * signature with an implementation written from the Standard Webhooks specification (checked
 * against its published test vector): an event about a dataset reaches its owner's subscription
 * and never another user's; a receiver that fails three times then succeeds gets one success and
 * four recorded attempts; an event delivered twice by Kafka is sent once; a rotated secret signs
 * beside the old one; seed 003's {@code resources} filter and payload; the subscription API's
 * checks.
 */
@DatasetServiceIntegrationTest
class WebhooksIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static HttpServer receiver;

	/** What each receiver path got, verified: the payloads, and each delivery's id. */
	private static final Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();

	private static final Map<String, List<String>> ids = new ConcurrentHashMap<>();

	/** The secrets each path verifies with (any of them may have signed). */
	private static final Map<String, List<String>> secrets = new ConcurrentHashMap<>();

	private static final AtomicInteger flaky = new AtomicInteger();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "dataset_webhooks");
		registry.add("sciport.webhooks.allow-private", () -> "true");
		String keys = System.getProperty("java.io.tmpdir") + "/sciport-webhook-keys-" + java.util.UUID.randomUUID() + "/secrets.key";
		registry.add("sciport.webhooks.secrets.key-file", () -> keys);
		registry.add("sciport.webhooks.retries", () -> "200ms,200ms,200ms,200ms,200ms,200ms");
		registry.add("sciport.webhooks.poll", () -> "100ms");
	}

	@BeforeAll
	static void startReceiver() throws Exception {
		receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		receiver.createContext("/", (exchange) -> {
			String path = exchange.getRequestURI().getPath();
			byte[] body = exchange.getRequestBody().readAllBytes();
			String id = exchange.getRequestHeaders().getFirst("webhook-id");
			String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
			String signature = exchange.getRequestHeaders().getFirst("webhook-signature");
			boolean valid = id != null && timestamp != null && signature != null && secrets.getOrDefault(path, List.of())
				.stream()
				.anyMatch((secret) -> verifies(secret, id, timestamp, body, signature));
			if (!valid) {
				answer(exchange, 401);
				return;
			}
			if (path.equals("/flaky") && flaky.incrementAndGet() <= 3) {
				answer(exchange, 503);
				return;
			}
			received.computeIfAbsent(path, (key) -> new CopyOnWriteArrayList<>()).add(JSON.readTree(body));
			ids.computeIfAbsent(path, (key) -> new CopyOnWriteArrayList<>()).add(id);
			if (path.equals("/chatty")) {
				// An answer far larger than what is kept of it.
				byte[] answer = "x".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
				exchange.sendResponseHeaders(200, answer.length);
				exchange.getResponseBody().write(answer);
				exchange.close();
				return;
			}
			answer(exchange, 204);
		});
		receiver.start();
	}

	@AfterAll
	static void stopReceiver() {
		receiver.stop(0);
	}

	/**
	 * Standard Webhooks, from the specification: the key is the base64 after {@code whsec_}; the
	 * signed content is {@code id.timestamp.body}; the header holds space-separated
	 * {@code v1,<base64 HMAC-SHA256>} signatures, any of which may match.
	 */
	static boolean verifies(String secret, String id, String timestamp, byte[] body, String header) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
			mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
			String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
			for (String candidate : header.split(" ")) {
				if (java.security.MessageDigest.isEqual(candidate.getBytes(StandardCharsets.UTF_8),
						expected.getBytes(StandardCharsets.UTF_8))) {
					return true;
				}
			}
			return false;
		}
		catch (java.security.GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void answer(HttpExchange exchange, int status) throws java.io.IOException {
		exchange.sendResponseHeaders(status, -1);
		exchange.close();
	}

	@Autowired
	WebTestClient client;

	@Autowired
	org.springframework.r2dbc.core.DatabaseClient database;

	@Test
	void theReceiversVerifierAgreesWithTheSpecificationsTestVector() {
		assertThat(verifies("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
				"{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8),
				"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")).isTrue();
		assertThat(verifies("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265331",
				"{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8),
				"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")).isFalse();
	}

	@Test
	@SuppressWarnings("unchecked")
	void anEventReachesTheSubscriptionsOfWhoeverMayReadItsObjectOnceAndInItsShape() throws Exception {
		User owner = TestTokens.user();
		User stranger = TestTokens.user();
		Map<String, Object> mine = subscribe(owner, "/owner", List.of("dataset.*"));
		subscribe(stranger, "/stranger", List.of("*"));
		assertThat((String) mine.get("secret")).startsWith("whsec_");
		// The secret is shown once.
		assertThat(get(owner, "/v1/webhooks/" + mine.get("id"))).doesNotContainKey("secret");

		String dataset = (String) this.client.post().uri("/v1/datasets").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "Beamline 4"))
			.exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody().get("id");
		await().atMost(Duration.ofSeconds(30)).until(() -> received.getOrDefault("/owner", List.of()).size() >= 1);
		JsonNode created = received.get("/owner").get(0);
		assertThat(created.path("event").asString()).isEqualTo("dataset.created");
		assertThat(created.path("type").asString()).isEqualTo("sciport.dataset.created");
		assertThat(created.path("data").path("dataset_id").asString()).isEqualTo(dataset);
		assertThat(created.path("timestamp").asString()).isNotBlank();

		// The same event delivered twice by Kafka is sent once.
		String again = TopicWriter.event("/sciport/dataset-service", "sciport.dataset.updated", dataset,
				"{\"dataset_id\":\"" + dataset + "\",\"owner_id\":\"" + owner.id() + "\",\"name\":\"Beamline 4\"}");
		TopicWriter.publish(Topics.DATASET, dataset, again);
		TopicWriter.publish(Topics.DATASET, dataset, again);
		await().atMost(Duration.ofSeconds(30)).until(() -> received.get("/owner").size() >= 2);
		String marker = TopicWriter.event("/sciport/dataset-service", "sciport.dataset.deleted", dataset,
				"{\"dataset_id\":\"" + dataset + "\",\"owner_id\":\"" + owner.id() + "\"}");
		TopicWriter.publish(Topics.DATASET, dataset, marker);
		await().atMost(Duration.ofSeconds(30)).until(() -> received.get("/owner").size() >= 3);
		assertThat(received.get("/owner")).extracting((payload) -> payload.path("event").asString())
			.containsExactly("dataset.created", "dataset.updated", "dataset.deleted");
		assertThat(ids.get("/owner")).doesNotHaveDuplicates();
		// The stranger subscribed to everything, and received nothing about the dataset.
		assertThat(received.getOrDefault("/stranger", List.of()))
			.noneMatch((payload) -> dataset.equals(payload.path("data").path("dataset_id").asString()));

		// Every attempt is recorded (the last one's answer a moment after the receiver has it).
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
				(List<Map<String, Object>>) get(owner, "/v1/webhooks/" + mine.get("id") + "/deliveries").get("data"))
			.hasSize(3)
			.allSatisfy((delivery) -> assertThat(delivery).containsEntry("status", "delivered")
				.containsEntry("attempt_count", 1)));
	}

	@Test
	@SuppressWarnings("unchecked")
	void aReceiverThatFailsThreeTimesGetsOneSuccessAfterFourAttemptsAndARotatedSecretStillSigns() throws Exception {
		User owner = TestTokens.user();
		Map<String, Object> hook = subscribe(owner, "/flaky", List.of("project.created"));
		String project = (String) this.client.post().uri("/v1/projects").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "Alloys"))
			.exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody().get("id");
		await().atMost(Duration.ofSeconds(30)).until(() -> received.getOrDefault("/flaky", List.of()).size() == 1);
		Map<String, Object> delivery = await().atMost(Duration.ofSeconds(10)).until(
				() -> ((List<Map<String, Object>>) get(owner, "/v1/webhooks/" + hook.get("id") + "/deliveries").get("data")).get(0),
				(found) -> "delivered".equals(found.get("status")));
		assertThat(delivery).containsEntry("attempt_count", 4);
		assertThat((List<Map<String, Object>>) delivery.get("attempts")).extracting((attempt) -> attempt.get("status_code"))
			.containsExactly(503, 503, 503, 204);
		assertThat(received.get("/flaky").get(0).path("data").path("project_id").asString()).isEqualTo(project);
		// Every attempt carried the same webhook-id: the receiver saw one id, once.
		assertThat(ids.get("/flaky")).containsExactly(delivery.get("id").toString());

		// A rotation: the new secret is shown once, and the old one still signs beside it.
		Map<String, Object> rotated = this.client.post().uri("/v1/webhooks/" + hook.get("id") + "/rotate")
			.headers((h) -> h.setBearerAuth(owner.token())).exchange().expectStatus().isOk().expectBody(MAP).returnResult()
			.getResponseBody();
		assertThat(rotated.get("secret")).isNotEqualTo(hook.get("secret"));
		secrets.put("/flaky", List.of((String) hook.get("secret")));
		this.client.post().uri("/v1/webhooks/" + hook.get("id") + "/ping").headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isAccepted();
		await().atMost(Duration.ofSeconds(30)).until(() -> received.get("/flaky").size() == 2);
		assertThat(received.get("/flaky").get(1).path("event").asString()).isEqualTo("webhook.ping");
	}

	@Test
	@SuppressWarnings("unchecked")
	void aDeliveryIsSentAgainOnRequestAndASubscriptionFailingForDaysIsDisabledSayingWhy() throws Exception {
		User owner = TestTokens.user();
		Map<String, Object> hook = subscribe(owner, "/again", List.of("project.created"));
		this.client.post().uri("/v1/projects").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "Optics"))
			.exchange().expectStatus().isCreated();
		await().atMost(Duration.ofSeconds(30)).until(() -> received.getOrDefault("/again", List.of()).size() == 1);
		// Sent again only once its first sending is recorded as delivered.
		String delivery = (String) await().atMost(Duration.ofSeconds(10))
			.until(() -> ((List<Map<String, Object>>) get(owner, "/v1/webhooks/" + hook.get("id") + "/deliveries")
				.get("data")).get(0), (found) -> "delivered".equals(found.get("status")))
			.get("id");
		this.client.post().uri("/v1/webhooks/" + hook.get("id") + "/deliveries/" + delivery + "/redeliver")
			.headers((h) -> h.setBearerAuth(owner.token())).exchange().expectStatus().isAccepted();
		await().atMost(Duration.ofSeconds(30)).until(() -> received.get("/again").size() == 2);
		// Sent again with the same webhook-id, so a receiver can tell.
		assertThat(ids.get("/again")).containsExactly(delivery, delivery);

		// At most 4 KiB of an answer is kept.
		Map<String, Object> chatty = subscribe(owner, "/chatty", List.of("project.created"));
		this.client.post().uri("/v1/projects").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "Acoustics"))
			.exchange().expectStatus().isCreated();
		Map<String, Object> answered = await().atMost(Duration.ofSeconds(30)).until(
				() -> ((List<Map<String, Object>>) get(owner, "/v1/webhooks/" + chatty.get("id") + "/deliveries").get("data")),
				(found) -> !found.isEmpty() && "delivered".equals(found.get(0).get("status"))).get(0);
		assertThat((String) ((List<Map<String, Object>>) answered.get("attempts")).get(0).get("response_excerpt"))
			.hasSize(4096);

		// A subscription whose deliveries have failed for days: the next failure disables it.
		Map<String, Object> broken = subscribe(owner, "/broken", List.of("project.created"));
		secrets.remove("/broken");
		this.database.sql("UPDATE webhook_subscription SET failing_since = now() - interval '4 days' WHERE id = :id")
			.bind("id", UUID.fromString((String) broken.get("id"))).then().block(Duration.ofSeconds(10));
		try (org.sciport.testsupport.TopicReader reader = new org.sciport.testsupport.TopicReader(
				TestInfrastructure.kafkaBootstrap(), Topics.DATASET)) {
			this.client.post().uri("/v1/projects").headers((h) -> h.setBearerAuth(owner.token()))
				.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "Lasers"))
				.exchange().expectStatus().isCreated();
			Map<String, Object> disabled = await().atMost(Duration.ofSeconds(30))
				.until(() -> get(owner, "/v1/webhooks/" + broken.get("id")), (found) -> Boolean.FALSE.equals(found.get("active")));
			assertThat((String) disabled.get("disabled_reason")).contains("every delivery failed since");
			assertThat(reader.awaitRecords((record) -> record.value().contains("sciport.dataset.webhook.disabled")
					&& record.value().contains((String) broken.get("id")), 1, Duration.ofSeconds(30))).hasSize(1);
		}
	}

	@Test
	void seed003sSdkCallAndItsResourcesFilterAndPayload() throws Exception {
		User admin = TestTokens.admin();
		Map<String, Object> hook = this.client.post().uri("/v1/webhooks").headers((h) -> h.setBearerAuth(admin.token()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("url", url("/resources"), "events", List.of("resource.created", "resource.updated"),
					"resources", List.of("workflow", "service")))
			.exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody();
		secrets.put("/resources", List.of((String) hook.get("secret")));
		String resource = UUID.randomUUID().toString();
		TopicWriter.publish(Topics.WORKFLOW, resource, TopicWriter.event("/sciport/workflow-service",
				"sciport.workflow.resource.created", resource, "{\"resource_id\":\"" + resource + "\",\"workspace\":\"analytics\","
						+ "\"type\":\"depot\",\"name\":\"lake\",\"version\":\"1.0.0\",\"revision\":1,\"status\":\"pending\"}"));
		TopicWriter.publish(Topics.WORKFLOW, resource, TopicWriter.event("/sciport/workflow-service",
				"sciport.workflow.resource.updated", resource, "{\"resource_id\":\"" + resource + "\",\"workspace\":\"analytics\","
						+ "\"type\":\"workflow\",\"name\":\"my-workflow\",\"version\":\"1.0.1\",\"revision\":2,\"status\":\"active\"}"));
		await().atMost(Duration.ofSeconds(30)).until(() -> received.getOrDefault("/resources", List.of()).size() >= 1);
		// A user's subscription receives the events of the resources they applied, and no one else's
		// (depots: not among the administrator's subscription's resources).
		User author = TestTokens.user();
		subscribe(author, "/authored", List.of("resource.*"));
		for (String by : List.of(author.id().toString(), UUID.randomUUID().toString())) {
			String other = UUID.randomUUID().toString();
			TopicWriter.publish(Topics.WORKFLOW, other, TopicWriter.event("/sciport/workflow-service",
					"sciport.workflow.resource.created", other, "{\"resource_id\":\"" + other + "\",\"workspace\":\"public\","
							+ "\"type\":\"depot\",\"name\":\"etl-" + by.substring(0, 8) + "\",\"version\":\"1.0.0\","
							+ "\"revision\":1,\"status\":\"pending\",\"created_by\":\"" + by + "\"}"));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> received.getOrDefault("/authored", List.of()).size() >= 1);
		// The other author's resource never arrives.
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
			.until(() -> received.getOrDefault("/authored", List.of()).size() == 1);
		assertThat(received.get("/authored")).singleElement().satisfies((event) -> assertThat(
				event.path("resource").path("name").asString()).isEqualTo("etl-" + author.id().toString().substring(0, 8)));
		assertThat(received.get("/resources")).hasSize(1);
		JsonNode payload = received.get("/resources").get(0);
		assertThat(payload.path("event").asString()).isEqualTo("resource.updated");
		assertThat(payload.path("resource").path("type").asString()).isEqualTo("workflow");
		assertThat(payload.path("resource").path("name").asString()).isEqualTo("my-workflow");
		assertThat(payload.path("resource").path("workspace").asString()).isEqualTo("analytics");
		assertThat(payload.path("resource").path("status").asString()).isEqualTo("active");
		assertThat(payload.path("timestamp").asString()).isNotBlank();
	}

	@Test
	void theSubscriptionApiChecksWhatItIsGivenAndKeepsSubscriptionsToTheirOwners() {
		User owner = TestTokens.user();
		refused(owner, Map.of("url", "ftp://example.org/", "events", List.of("dataset.*")), "url");
		refused(owner, Map.of("events", List.of("dataset.*")), "url");
		refused(owner, Map.of("url", url("/x"), "events", List.of("nothing.happened")), "events");
		refused(owner, Map.of("url", url("/x"), "events", List.of()), "events");
		refused(owner, Map.of("url", url("/x"), "events", List.of("dataset.*"), "secret", "short"), "secret");
		refused(owner, Map.of("url", url("/x"), "events", List.of("dataset.*"), "colour", "red"), "colour");
		Map<String, Object> hook = subscribe(owner, "/x", List.of("user.invited", "data.processed"));
		// Its secret is kept sealed, never as it was shown.
		String stored = this.database.sql("SELECT secret FROM webhook_subscription WHERE id = :id")
			.bind("id", UUID.fromString((String) hook.get("id"))).map((row) -> row.get("secret", String.class)).one()
			.block(Duration.ofSeconds(10));
		assertThat(stored).startsWith("v1:").doesNotContain(((String) hook.get("secret")).substring("whsec_".length()));
		this.client.get().uri("/v1/webhooks/" + hook.get("id")).headers((h) -> h.setBearerAuth(TestTokens.user().token()))
			.exchange().expectStatus().isNotFound();
		this.client.patch().uri("/v1/webhooks/" + hook.get("id")).headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("active", false))
			.exchange().expectStatus().isOk().expectBody().jsonPath("$.active").isEqualTo(false);
		this.client.get().uri("/v1/webhooks").headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isOk().expectBody().jsonPath("$.data.length()").isEqualTo(1)
			.jsonPath("$.pagination.total").isEqualTo(1);
		this.client.delete().uri("/v1/webhooks/" + hook.get("id")).headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isNoContent();
		this.client.get().uri("/v1/webhooks/" + hook.get("id")).headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isNotFound();
	}

	private void refused(User user, Map<String, Object> body, String field) {
		this.client.post().uri("/v1/webhooks").headers((h) -> h.setBearerAuth(user.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange().expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo(field);
	}

	private Map<String, Object> subscribe(User user, String path, List<String> events) {
		Map<String, Object> hook = this.client.post().uri("/v1/webhooks").headers((h) -> h.setBearerAuth(user.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("url", url(path), "events", events))
			.exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody();
		secrets.put(path, List.of((String) hook.get("secret")));
		return hook;
	}

	private Map<String, Object> get(User user, String path) {
		return this.client.get().uri(path).headers((h) -> h.setBearerAuth(user.token())).exchange().expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody();
	}

	private static String url(String path) {
		return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
	}

}
