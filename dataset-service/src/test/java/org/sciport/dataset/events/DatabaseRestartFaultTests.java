package org.sciport.dataset.events;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.GatewayEvents;
import org.sciport.commons.event.Topics;
import org.sciport.dataset.DatasetServiceIntegrationTest;
import org.sciport.embedded.EmbeddedPostgresServer;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TopicWriter;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A fault test on the real servers: PostgreSQL is stopped and started again while 500 usage
 * events are being published and consumed. Each event adds one API call to its user's hour, so
 * the counts show both kinds of fault: an event lost leaves a count short, an event applied
 * twice leaves it over. Every count must come out exact once the listener has caught up.
 */
@DatasetServiceIntegrationTest
class DatabaseRestartFaultTests {

	private static final int USERS = 5;

	private static final int EVENTS_PER_USER = 100;

	private static final int EVENTS = USERS * EVENTS_PER_USER;

	/** Events published before the database is stopped, at most. */
	private static final int BEFORE_STOP = 150;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "dataset_pg_restart");
	}

	@Autowired
	DatabaseClient database;

	@Autowired
	Environment environment;

	@Test
	void everyEventConsumedWhileTheDatabaseRestartsIsAppliedExactlyOnce() throws Exception {
		EmbeddedPostgresServer postgres = TestInfrastructure.embeddedPostgres();
		assumeTrue(postgres != null, "stopping the database needs the embedded PostgreSQL");
		List<String> users = IntStream.range(0, USERS).mapToObj((n) -> UUID.randomUUID().toString()).toList();
		Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
		AtomicInteger published = new AtomicInteger();
		java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
		CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> publish(users, hour, published, stopped));

		// Stop the database once the listener is well under way, with most events still to come.
		await().atMost(Duration.ofSeconds(60)).until(() -> applied(users) >= 50);
		postgres.stop();
		int publishedAtStop = published.get();
		stopped.countDown();
		try {
			// Events keep arriving while the database is away; the listener fails on them.
			// Held down for seconds: far longer than quick retries without a wait would last.
			await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30))
				.until(() -> published.get() >= publishedAtStop + 100);
		}
		finally {
			postgres.restart();
		}
		publishing.get();
		assertThat(publishedAtStop).as("the database was stopped mid-stream").isLessThan(EVENTS);

		String group = "dataset-service-usage" + this.environment.getProperty("sciport.events.consumer-group-suffix", "");
		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
			.until(() -> caughtUp(group));
		Map<String, Long> counts = counts(users, hour);
		assertThat(counts).hasSize(USERS).allSatisfy((user, calls) -> assertThat(calls).isEqualTo(EVENTS_PER_USER));
	}

	/**
	 * Publishes the events in a steady stream, holding back after {@link #BEFORE_STOP} until the
	 * database is stopped, so that the outage always falls mid-stream however slow the listener.
	 */
	private static void publish(List<String> users, Instant hour, AtomicInteger published,
			java.util.concurrent.CountDownLatch stopped) {
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrap()), new StringSerializer(),
				new StringSerializer())) {
			for (int n = 0; n < EVENTS; n++) {
				if (n == BEFORE_STOP && !stopped.await(90, java.util.concurrent.TimeUnit.SECONDS)) {
					throw new IllegalStateException("the database was not stopped");
				}
				String user = users.get(n % USERS);
				String event = TopicWriter.event(GatewayEvents.SOURCE, GatewayEvents.Usage.TYPE, user,
						"{\"user_id\":\"" + user + "\",\"hour\":\"" + hour + "\",\"api_calls\":1}");
				producer.send(new ProducerRecord<>(Topics.GATEWAY, user, event)).get();
				published.incrementAndGet();
				// A steady stream (about 5 s in all), so the outage falls in its middle.
				Thread.sleep(10);
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException("Publishing usage events failed", ex);
		}
	}

	private long applied(List<String> users) {
		return counts(users, null).values().stream().mapToLong(Long::longValue).sum();
	}

	private Map<String, Long> counts(List<String> users, Instant hour) {
		Map<String, Long> counts = new HashMap<>();
		this.database
			.sql("SELECT user_id::text AS u, sum(api_calls) AS n FROM api_usage WHERE user_id::text = ANY(:users) "
					+ ((hour != null) ? "AND hour = :hour " : "") + "GROUP BY user_id")
			.bind("users", users.toArray(String[]::new))
			.bindValues((hour != null) ? Map.of("hour", hour) : Map.of())
			.map((row) -> Map.entry(row.get("u", String.class), row.get("n", Number.class).longValue()))
			.all()
			.doOnNext((entry) -> counts.put(entry.getKey(), entry.getValue()))
			.blockLast(Duration.ofSeconds(10));
		return counts;
	}

	/** Whether the group has committed every record on the topic: nothing is left to apply. */
	private static boolean caughtUp(String group) throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				TestInfrastructure.kafkaBootstrap()))) {
			Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
				.partitionsToOffsetAndMetadata()
				.get();
			Set<TopicPartition> partitions = admin.describeTopics(List.of(Topics.GATEWAY))
				.allTopicNames()
				.get()
				.get(Topics.GATEWAY)
				.partitions()
				.stream()
				.map((partition) -> new TopicPartition(Topics.GATEWAY, partition.partition()))
				.collect(java.util.stream.Collectors.toSet());
			Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
			partitions.forEach((partition) -> latest.put(partition, OffsetSpec.latest()));
			var ends = admin.listOffsets(latest).all().get();
			return partitions.stream().allMatch((partition) -> {
				long end = ends.get(partition).offset();
				OffsetAndMetadata at = committed.get(partition);
				return end == 0 || (at != null && at.offset() >= end);
			});
		}
	}

}
