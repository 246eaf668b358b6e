package org.sciport.upload;

import org.sciport.commons.metrics.Backlog;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * upload-service. Its configuration file is {@code upload-service.yml}, so it can share a class path with the
 * other services in the standalone suite.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class UploadServiceApplication {

	/** The service's name, its configuration file's name and its database's name stem. */
	public static final String NAME = "upload-service";

	/** The conversion queue's depth, as {@code sciport.queue.depth{queue="conversion"}}. */
	@Bean
	Backlog conversionBacklog() {
		return Backlog.queue("conversion", "Uploaded files waiting for their conversion",
				"SELECT count(*) AS n FROM upload WHERE status = 'conversion_queued'");
	}

	public static SpringApplicationBuilder builder() {
		return new SpringApplicationBuilder(UploadServiceApplication.class).properties("spring.config.name=" + NAME);
	}

	public static void main(String[] args) {
		builder().run(args);
	}

}
