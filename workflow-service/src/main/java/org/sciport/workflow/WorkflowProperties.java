package org.sciport.workflow;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * workflow-service's settings ({@code sciport.workflow.*}).
 *
 * @param resourceTypes the resource types that may be applied; {@code workflow} runs, the
 * others are stored
 * @param maxManifestSize the largest manifest a resource may be applied with
 */
@ConfigurationProperties("sciport.workflow")
public record WorkflowProperties(
		@DefaultValue({ "workflow", "service", "worker", "depot", "cluster", "compute", "policy", "secret", "bundle",
				"monitor" }) List<String> resourceTypes,
		@DefaultValue("1MB") DataSize maxManifestSize) {
}
