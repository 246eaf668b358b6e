package org.sciport.dataset;

import org.sciport.commons.metrics.Backlog;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * dataset-service. Its configuration file is {@code dataset-service.yml}, so it can share a class path with the
 * other services in the standalone suite.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DatasetServiceApplication {

	/** The service's name, its configuration file's name and its database's name stem. */
	public static final String NAME = "dataset-service";

	/** Webhook deliveries not yet made, as {@code sciport.queue.depth{queue="webhooks"}}. */
	@Bean
	Backlog webhookBacklog() {
		return Backlog.queue("webhooks", "Webhook deliveries waiting to be sent or retried",
				"SELECT count(*) AS n FROM webhook_delivery WHERE status IN ('pending', 'sending')");
	}

	public static SpringApplicationBuilder builder() {
		return new SpringApplicationBuilder(DatasetServiceApplication.class).properties("spring.config.name=" + NAME);
	}

	public static void main(String[] args) {
		builder().run(args);
	}

}
