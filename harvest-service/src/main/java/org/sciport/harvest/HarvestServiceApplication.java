package org.sciport.harvest;

import org.sciport.commons.metrics.Backlog;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * harvest-service. Its configuration file is {@code harvest-service.yml}, so it can share a class path with the
 * other services in the standalone suite.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class HarvestServiceApplication {

	/** The service's name, its configuration file's name and its database's name stem. */
	public static final String NAME = "harvest-service";

	/** Harvest runs waiting for a harvester, as {@code sciport.queue.depth{queue="harvest"}}. */
	@Bean
	Backlog harvestBacklog() {
		return Backlog.queue("harvest", "Harvest runs queued and not yet started",
				"SELECT count(*) AS n FROM harvest_run WHERE status = 'queued'");
	}

	public static SpringApplicationBuilder builder() {
		return new SpringApplicationBuilder(HarvestServiceApplication.class).properties("spring.config.name=" + NAME);
	}

	public static void main(String[] args) {
		builder().run(args);
	}

}
