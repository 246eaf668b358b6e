package org.sciport.commons.event;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our own Kafka clients (revocations, usage) reach a broker that asks for TLS and SASL the way
 * Spring Kafka's do: with the settings of {@code spring.kafka.*}, as a Strimzi user would give them.
 */
class KafkaConnectionTests {

	@TempDir
	Path temporary;

	@Test
	void carriesTheServersTlsAndSaslSettings() throws Exception {
		Path ca = Files.writeString(this.temporary.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
		String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"sciport\" password=\"p\";";
		MockEnvironment environment = new MockEnvironment()
			.withProperty("spring.kafka.bootstrap-servers", "cluster-kafka-bootstrap:9093")
			.withProperty("spring.kafka.security.protocol", "SASL_SSL")
			.withProperty("spring.kafka.ssl.trust-store-type", "PEM")
			.withProperty("spring.kafka.ssl.trust-store-location", ca.toUri().toString())
			.withProperty("spring.kafka.properties.sasl.mechanism", "SCRAM-SHA-512")
			.withProperty("spring.kafka.properties.sasl.jaas.config", jaas);

		Map<String, Object> settings = KafkaConnection.settings(environment);

		assertThat(settings).containsEntry("bootstrap.servers", "cluster-kafka-bootstrap:9093")
			.containsEntry("security.protocol", "SASL_SSL")
			.containsEntry("ssl.truststore.type", "PEM")
			.containsEntry("ssl.truststore.location", ca.toAbsolutePath().toString())
			.containsEntry("sasl.mechanism", "SCRAM-SHA-512")
			.containsEntry("sasl.jaas.config", jaas);
	}

	@Test
	void aPlainBrokerNeedsOnlyItsServers() {
		assertThat(KafkaConnection.settings(new MockEnvironment().withProperty("spring.kafka.bootstrap-servers", "k:9092")))
			.containsEntry("bootstrap.servers", "k:9092")
			.doesNotContainKey("security.protocol");
	}

}
