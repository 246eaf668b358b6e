package org.sciport.workflow;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * workflow-service. Its configuration file is {@code workflow-service.yml}, so it can share a class path with the
 * other services in the standalone suite.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WorkflowServiceApplication {

	/** The service's name, its configuration file's name and its database's name stem. */
	public static final String NAME = "workflow-service";

	/** Where runs' outputs are stored. */
	@org.springframework.context.annotation.Bean
	@org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean
	org.sciport.commons.storage.BlobStore workflowBlobStore(WorkflowProperties properties) {
		return new org.sciport.commons.storage.LocalBlobStore(properties.storageDirectory());
	}

	public static SpringApplicationBuilder builder() {
		return new SpringApplicationBuilder(WorkflowServiceApplication.class).properties("spring.config.name=" + NAME);
	}

	public static void main(String[] args) {
		builder().run(args);
	}

}
