package org.sciport.commons.event;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.util.ResourceUtils;

/**
 * How a Kafka client of our own (not one Spring Kafka builds) reaches the brokers: the same
 * {@code spring.kafka.*} settings Spring Kafka's clients use, so a broker that asks for TLS
 * ({@code spring.kafka.security.protocol}, {@code spring.kafka.ssl.*}) or SASL
 * ({@code spring.kafka.properties.sasl.*}) is reached by every client alike. Read from the
 * environment, not from Spring Kafka's own properties class, which the gateway does not carry.
 */
public final class KafkaConnection {

	/** {@code spring.kafka.ssl.*} settings and the client settings they stand for. */
	private static final Map<String, String> SSL = Map.of("trust-store-type", "ssl.truststore.type",
			"trust-store-password", "ssl.truststore.password", "key-store-type", "ssl.keystore.type",
			"key-store-password", "ssl.keystore.password", "key-password", "ssl.key.password", "protocol",
			"ssl.protocol");

	private KafkaConnection() {
	}

	/**
	 * The bootstrap servers and the security settings, as client configuration.
	 */
	public static Map<String, Object> settings(Environment environment) {
		Binder binder = Binder.get(environment);
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("bootstrap.servers", environment.getProperty("spring.kafka.bootstrap-servers", "localhost:9092"));
		String protocol = environment.getProperty("spring.kafka.security.protocol");
		if (protocol != null) {
			settings.put("security.protocol", protocol);
		}
		SSL.forEach((name, setting) -> {
			String value = environment.getProperty("spring.kafka.ssl." + name);
			if (value != null) {
				settings.put(setting, value);
			}
		});
		location(environment, "trust-store-location").ifPresent((path) -> settings.put("ssl.truststore.location", path));
		location(environment, "key-store-location").ifPresent((path) -> settings.put("ssl.keystore.location", path));
		// Everything else a client takes (sasl.mechanism, sasl.jaas.config, ...), as given.
		settings.putAll(binder.bind("spring.kafka.properties", Bindable.mapOf(String.class, String.class))
			.orElse(Map.of()));
		return settings;
	}

	/** Only the bootstrap servers: a broker without TLS or SASL. */
	public static Map<String, Object> plain(String bootstrapServers) {
		return Map.of("bootstrap.servers", bootstrapServers);
	}

	private static java.util.Optional<String> location(Environment environment, String name) {
		String value = environment.getProperty("spring.kafka.ssl." + name);
		if (value == null) {
			return java.util.Optional.empty();
		}
		try {
			return java.util.Optional.of(ResourceUtils.getFile(value).getAbsolutePath());
		}
		catch (java.io.FileNotFoundException ex) {
			throw new IllegalStateException("spring.kafka.ssl." + name + " names no file: " + value, ex);
		}
	}

}
