package org.sciport.auth.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.inbox.ProcessedEvents;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.embedded.EmbeddedKafkaBroker;
import org.sciport.auth.AuthServiceIntegrationTest;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TopicReader;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The outbox and the idempotent consumer against a broker that goes away and comes back: every
 * event written while it is down reaches the topic once it returns, in per-key order, and a
 * consumer that sees each record twice applies each event once.
 */
@AuthServiceIntegrationTest
@TestPropertySource(properties = { "sciport.outbox.poll-interval=200ms", "sciport.outbox.max-backoff=1s" })
class OutboxDeliveryIntegrationTests {

	private static final String TYPE = "sciport.test.outbox.probe";

	private static final int EVENTS = 60;

	private static final List<String> KEYS = List.of("alpha", "beta", "gamma", "delta");

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "auth_outbox");
	}

	@Autowired
	OutboxWriter outbox;

	@Autowired
	ProcessedEvents processedEvents;

	@Autowired
	CloudEventCodec codec;

	@Autowired
	DatabaseClient database;

	@Autowired
	TransactionalOperator transactions;

	@Test
	void deliversEveryEventWrittenWhileTheBrokerWasDownInPerKeyOrderAndOnce() {
		EmbeddedKafkaBroker broker = TestInfrastructure.embeddedKafka();
		assumeTrue(broker != null, "stopping the broker needs the in-process broker");
		this.database.sql("CREATE TABLE probe_effect (event_id TEXT NOT NULL, event_key TEXT NOT NULL, n INT NOT NULL)")
			.then()
			.block();

		broker.stop();
		try {
			for (int n = 0; n < EVENTS; n++) {
				String key = KEYS.get(n % KEYS.size());
				CloudEvent event = CloudEvent.create("/sciport/test", TYPE, key,
						this.codec.toData(Map.of("key", key, "n", n)));
				// Each event commits with a state change of its own, as a service would write it.
				this.transactions.transactional(this.database.sql("SELECT 1").then().then(this.outbox.append(Topics.AUTH, event)))
					.block();
			}
			assertThat(pending()).as("nothing can be published while the broker is down").isEqualTo(EVENTS);
			awaitFailedAttempt();
		}
		finally {
			broker.restart();
		}

		awaitNoPending();
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.AUTH)) {
			List<ConsumerRecord<String, String>> records = reader.awaitRecords(
					(record) -> record.value().contains("\"" + TYPE + "\""), EVENTS, Duration.ofSeconds(60));
			List<CloudEvent> events = records.stream().map((record) -> this.codec.read(record.value())).toList();
			assertThat(events.stream().map(CloudEvent::id).distinct()).hasSize(EVENTS);
			assertThat(records).allSatisfy((record) -> assertThat(record.key())
				.isEqualTo(this.codec.read(record.value()).subject()));
			assertPerKeyOrder(events);

			// Redelivery: the consumer is handed every record twice.
			List<CloudEvent> twice = new ArrayList<>(events);
			twice.addAll(events);
			List<Boolean> applied = Flux.fromIterable(twice)
				.concatMap((event) -> this.processedEvents.processOnce("probe-consumer", event.id(),
						() -> this.database
							.sql("INSERT INTO probe_effect (event_id, event_key, n) VALUES (:id, :key, :n)")
							.bind("id", event.id())
							.bind("key", event.subject())
							.bind("n", event.data().get("n").asInt())
							.then()))
				.collectList()
				.block();
			assertThat(applied).filteredOn(Boolean::booleanValue).hasSize(EVENTS);
			assertThat(this.database.sql("SELECT count(DISTINCT event_id) AS d, count(*) AS c FROM probe_effect")
				.map((row) -> List.of(row.get("d", Long.class), row.get("c", Long.class)))
				.one()
				.block()).containsExactly((long) EVENTS, (long) EVENTS);
		}
	}

	@Test
	void rollsBackTheEventWithTheStateChange() {
		CloudEvent event = CloudEvent.create("/sciport/test", TYPE + ".rolled-back", "omega", null);
		Mono<Void> failing = this.outbox.append(Topics.AUTH, event)
			.then(Mono.error(new IllegalStateException("state change failed")));
		try {
			this.transactions.transactional(failing).block();
		}
		catch (IllegalStateException expected) {
			// the transaction rolled back
		}
		assertThat(this.database.sql("SELECT count(*) AS c FROM outbox_event WHERE event_id = :id::uuid")
			.bind("id", event.id())
			.map((row) -> row.get("c", Long.class))
			.one()
			.block()).isZero();
	}

	@Test
	void refusesAnEventOutsideATransactionAndWritesNothing() {
		CloudEvent event = CloudEvent.create("/sciport/test", TYPE + ".untransacted", "sigma", null);
		reactor.test.StepVerifier.create(this.outbox.append(Topics.AUTH, event))
			.expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("inside the transaction"))
			.verify(java.time.Duration.ofSeconds(10));
		assertThat(this.database.sql("SELECT count(*) AS c FROM outbox_event WHERE event_id = :id::uuid")
			.bind("id", event.id())
			.map((row) -> row.get("c", Long.class))
			.one()
			.block(java.time.Duration.ofSeconds(10))).isZero();
	}

	private static void assertPerKeyOrder(List<CloudEvent> events) {
		Map<String, List<Integer>> byKey = new LinkedHashMap<>();
		for (CloudEvent event : events) {
			byKey.computeIfAbsent(event.subject(), (key) -> new ArrayList<>()).add(event.data().get("n").asInt());
		}
		assertThat(byKey).containsOnlyKeys(KEYS);
		byKey.forEach((key, numbers) -> assertThat(numbers).as("order of key %s", key).isSorted());
	}

	private long pending() {
		return this.database
			.sql("SELECT count(*) AS c FROM outbox_event WHERE sent_at IS NULL AND event_type = :type")
			.bind("type", TYPE)
			.map((row) -> row.get("c", Long.class))
			.one()
			.block();
	}

	private void awaitFailedAttempt() {
		Map<String, Object> seen = new HashMap<>();
		await(() -> {
			Long attempts = this.database.sql("SELECT coalesce(max(attempts), 0) AS a FROM outbox_event WHERE event_type = :type")
				.bind("type", TYPE)
				.map((row) -> row.get("a", Integer.class).longValue())
				.one()
				.block();
			seen.put("attempts", attempts);
			return attempts != null && attempts > 0;
		}, "a failed publish attempt to be recorded " + seen);
	}

	private void awaitNoPending() {
		await(() -> pending() == 0, "every outbox row to be marked sent");
	}

	private static void await(java.util.function.BooleanSupplier condition, String what) {
		long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Timed out waiting for " + what);
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError(ex);
			}
		}
	}

}
