package org.sciport.dataset.events;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.dataset.DatasetServiceIntegrationTest;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TopicReader;
import org.sciport.testsupport.TopicWriter;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The listeners' error policy on real PostgreSQL and Kafka: while the database cannot apply
 * events they are retried, not skipped, and every one is applied once when it can again; a
 * record that is no event at all goes to the dead-letter topic, is counted, and holds nothing
 * up behind it.
 */
@DatasetServiceIntegrationTest
class ListenerErrorPolicyIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static final int EVENTS = 40;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "dataset_listener_errors");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	DatabaseClient database;

	@Autowired
	MeterRegistry meters;

	@Test
	void eventsThatFailWhileTheDatabaseCannotApplyThemAreRetriedAndAppliedOnceEach() throws Exception {
		User owner = TestTokens.user();
		String dataset = dataset(owner);
		// The idempotent consumer's table gone: every attempt to apply an event fails, as with the
		// database down, and rolls back.
		this.database.sql("ALTER TABLE processed_event RENAME TO processed_event_away").then()
			.block(Duration.ofSeconds(10));
		try {
			for (int i = 0; i < EVENTS; i++) {
				String transfer = "transfer-" + i;
				TopicWriter.publish(Topics.HARVEST, transfer, TopicWriter.event("/sciport/harvest",
						"sciport.harvest.transfer.completed", transfer, "{\"dataset_id\":\"" + dataset
								+ "\",\"transfer_id\":\"" + transfer + "\",\"files\":[{\"filename\":\"frame-" + i
								+ ".h5\",\"size_bytes\":" + (i + 1) + "}]}"));
			}
			// Tried and failed, several times over (the first retry comes a second later):
			// nothing was applied, and nothing was skipped for good.
			await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
				.until(() -> files(owner, dataset).isEmpty());
		}
		finally {
			this.database.sql("ALTER TABLE processed_event_away RENAME TO processed_event").then()
				.block(Duration.ofSeconds(10));
		}
		await().atMost(Duration.ofSeconds(90)).until(() -> files(owner, dataset).size() >= EVENTS);
		List<Map<String, Object>> files = files(owner, dataset);
		assertThat(files).hasSize(EVENTS);
		assertThat(files).extracting((file) -> file.get("filename")).doesNotHaveDuplicates();
		assertThat(this.client.get().uri("/v1/datasets/" + dataset).headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectBody(MAP).returnResult().getResponseBody())
			.containsEntry("file_count", EVENTS)
			.containsEntry("size_bytes", EVENTS * (EVENTS + 1) / 2);
	}

	@Test
	void aRecordThatIsNoEventGoesToTheDeadLetterTopicAndHoldsNothingUp() throws Exception {
		User owner = TestTokens.user();
		String dataset = dataset(owner);
		String key = "poison-" + UUID.randomUUID();
		double before = deadLetters();
		TopicWriter.publish(Topics.HARVEST, key, "this is not a CloudEvent {");
		TopicWriter.publish(Topics.HARVEST, key, TopicWriter.event("/sciport/harvest",
				"sciport.harvest.transfer.completed", key, "{\"dataset_id\":\"" + dataset
						+ "\",\"files\":[{\"filename\":\"after-the-poison.h5\",\"size_bytes\":7}]}"));
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.HARVEST + ".dlt")) {
			List<ConsumerRecord<String, String>> dead = reader.awaitRecords((record) -> key.equals(record.key()), 1,
					Duration.ofSeconds(30));
			assertThat(dead).hasSize(1);
			assertThat(dead.get(0).value()).isEqualTo("this is not a CloudEvent {");
			assertThat(dead.get(0).headers().lastHeader("kafka_dlt-exception-fqcn")).isNotNull();
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> files(owner, dataset).size() == 1);
		// Two of this service's consumers read the topic (the registered files and the webhooks):
		// each sets the record aside once.
		await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters() >= before + 2);
		assertThat(deadLetters()).isEqualTo(before + 2);
	}

	private double deadLetters() {
		io.micrometer.core.instrument.Counter counter = this.meters.find("sciport.events.dead_letters")
			.tag("topic", Topics.HARVEST)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private String dataset(User owner) {
		return (String) this.client.post().uri("/v1/datasets").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "Instrument " + UUID.randomUUID()))
			.exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody().get("id");
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> files(User user, String dataset) {
		return (List<Map<String, Object>>) this.client.get().uri("/v1/datasets/" + dataset + "/files")
			.headers((h) -> h.setBearerAuth(user.token())).exchange().expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody().get("data");
	}

}
