package org.sciport.commons.event;

import java.util.Map;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.core.env.Environment;

/**
 * How a Kafka client of our own (not one Spring Kafka builds) reaches the brokers: the same
 * {@code spring.kafka.*} settings Spring Kafka's clients use, so a broker that asks for TLS
 * ({@code spring.kafka.security.protocol}, {@code spring.kafka.ssl.*}) or SASL
 * ({@code spring.kafka.properties.sasl.*}) is reached by every client alike.
 */
public final class KafkaConnection {

	private KafkaConnection() {
	}

	/**
	 * The bootstrap servers and the security settings, as client configuration.
	 */
	public static Map<String, Object> settings(Environment environment) {
		KafkaProperties kafka = Binder.get(environment)
			.bind("spring.kafka", KafkaProperties.class)
			.orElseGet(KafkaProperties::new);
		return kafka.buildAdminProperties();
	}

	/** Only the bootstrap servers: a broker without TLS or SASL. */
	public static Map<String, Object> plain(String bootstrapServers) {
		return Map.of("bootstrap.servers", bootstrapServers);
	}

}
