package org.sciport.gateway.usage;

import java.time.Duration;

import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.KafkaConnection;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The usage reporter ({@code sciport.gateway.usage.enabled}, on by default).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "sciport.gateway.usage.enabled", matchIfMissing = true)
class UsageConfiguration {

	@Bean
	UsageReporter usageReporter(Environment environment, CloudEventCodec codec) {
		return new UsageReporter(KafkaConnection.settings(environment),
				environment.getProperty("sciport.gateway.usage.every", Duration.class, Duration.ofSeconds(5)), codec);
	}

}
