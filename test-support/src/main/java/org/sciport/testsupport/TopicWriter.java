package org.sciport.testsupport;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes events to the test broker as another service would, for tests of consumers. Each
 * send waits for the broker's acknowledgement.
 */
public final class TopicWriter {

	private TopicWriter() {
	}

	/**
	 * A CloudEvents 1.0 structured event with a fresh id.
	 *
	 * @param source the producing service's source, such as {@code /sciport/upload-service}
	 * @param type the event type
	 * @param subject the aggregate id (also the Kafka key when published)
	 * @param data the event data as a JSON object
	 */
	public static String event(String source, String type, String subject, String data) {
		return "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"" + source + "\",\"type\":\""
				+ type + "\",\"subject\":\"" + subject + "\",\"time\":\"" + Instant.now()
				+ "\",\"datacontenttype\":\"application/json\",\"data\":" + data + "}";
	}

	/** Sends {@code value} to {@code topic} under {@code key} and waits until it is stored. */
	public static void publish(String topic, String key, String value) throws InterruptedException, ExecutionException {
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrap()), new StringSerializer(),
				new StringSerializer())) {
			producer.send(new ProducerRecord<>(topic, key, value)).get();
		}
	}

}
