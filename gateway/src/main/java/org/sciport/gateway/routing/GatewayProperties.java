package org.sciport.gateway.routing;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.NotNull;

/**
 * Where the gateway finds each service.
 *
 * @param services base URL of each service
 * @param version the API version reported by {@code GET /v1/status}
 * @param healthTimeout how long {@code GET /health} waits for each service
 * @param resilience timeouts and circuit breakers of the routes
 */
@Validated
@ConfigurationProperties("sciport.gateway")
public record GatewayProperties(@NotNull Services services, @DefaultValue("1.0.0") String version,
		@DefaultValue("2s") java.time.Duration healthTimeout, @DefaultValue Resilience resilience) {

	/**
	 * How the gateway protects clients from a slow or stopped service.
	 *
	 * @param timeout how long a request to a service may take
	 * @param transferTimeout the same for upload and dataset routes, which stream large files
	 * @param openFor how long a tripped circuit answers 503 at once before it tries again
	 * @param failureRate the share of failed calls (percent) that trips a circuit
	 * @param minimumCalls how many calls a circuit must see before it may trip
	 * @param retries extra attempts for idempotent requests without a body when the service
	 * could not be reached
	 */
	public record Resilience(@DefaultValue("60s") java.time.Duration timeout,
			@DefaultValue("30m") java.time.Duration transferTimeout, @DefaultValue("10s") java.time.Duration openFor,
			@DefaultValue("50") float failureRate, @DefaultValue("10") int minimumCalls,
			@DefaultValue("2") int retries) {
	}

	/**
	 * Base URLs of the five services.
	 *
	 * @param auth auth-service
	 * @param upload upload-service
	 * @param dataset dataset-service
	 * @param harvest harvest-service
	 * @param workflow workflow-service
	 */
	public record Services(@NotNull URI auth, @NotNull URI upload, @NotNull URI dataset, @NotNull URI harvest,
			@NotNull URI workflow) {

		/**
		 * The services by name, in a stable order.
		 */
		public Map<String, URI> byName() {
			Map<String, URI> all = new LinkedHashMap<>();
			all.put("auth-service", this.auth);
			all.put("upload-service", this.upload);
			all.put("dataset-service", this.dataset);
			all.put("harvest-service", this.harvest);
			all.put("workflow-service", this.workflow);
			return all;
		}

	}

}
