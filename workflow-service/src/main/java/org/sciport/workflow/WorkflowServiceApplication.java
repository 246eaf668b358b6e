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

	public static SpringApplicationBuilder builder() {
		return new SpringApplicationBuilder(WorkflowServiceApplication.class).properties("spring.config.name=" + NAME);
	}

	public static void main(String[] args) {
		builder().run(args);
	}

}
