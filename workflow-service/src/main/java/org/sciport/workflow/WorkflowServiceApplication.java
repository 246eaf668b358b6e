package org.sciport.workflow;

import org.sciport.commons.metrics.Backlog;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

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

	/** Workflow runs waiting for the executor, as {@code sciport.queue.depth{queue="workflow"}}. */
	@Bean
	Backlog workflowBacklog() {
		return Backlog.queue("workflow", "Workflow runs pending and not yet started",
				"SELECT count(*) AS n FROM workflow_run WHERE status = 'pending'");
	}

	public static SpringApplicationBuilder builder() {
		return new SpringApplicationBuilder(WorkflowServiceApplication.class).properties("spring.config.name=" + NAME);
	}

	public static void main(String[] args) {
		builder().run(args);
	}

}
