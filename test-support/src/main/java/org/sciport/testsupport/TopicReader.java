package org.sciport.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from the beginning with a throw-away consumer group, for tests that check
 * what was published. Every wait is bounded.
 */
public final class TopicReader implements AutoCloseable {

	private final KafkaConsumer<String, String> consumer;

	private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();

	public TopicReader(String bootstrapServers, String topic) {
		Properties config = new Properties();
		config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
		config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
		config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
		this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
		this.consumer.subscribe(List.of(topic));
	}

	/**
	 * Polls until {@code count} records matching {@code filter} have been seen (in total,
	 * across calls) or {@code timeout} has passed; returns the matching records in arrival order.
	 */
	public List<ConsumerRecord<String, String>> awaitRecords(Predicate<ConsumerRecord<String, String>> filter,
			int count, Duration timeout) {
		Instant deadline = Instant.now().plus(timeout);
		while (matching(filter).size() < count && Instant.now().isBefore(deadline)) {
			this.consumer.poll(Duration.ofMillis(200)).forEach(this.seen::add);
		}
		return matching(filter);
	}

	private List<ConsumerRecord<String, String>> matching(Predicate<ConsumerRecord<String, String>> filter) {
		return this.seen.stream().filter(filter).toList();
	}

	@Override
	public void close() {
		this.consumer.close(Duration.ofSeconds(2));
	}

}
