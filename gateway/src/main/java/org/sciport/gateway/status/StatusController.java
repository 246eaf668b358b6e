package org.sciport.gateway.status;

import java.time.Instant;

import org.sciport.gateway.routing.GatewayProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/status}: that the API answers, its version and the server's time.
 */
@RestController
class StatusController {

	private final GatewayProperties properties;

	StatusController(GatewayProperties properties) {
		this.properties = properties;
	}

	@GetMapping("/v1/status")
	ApiStatus status() {
		return new ApiStatus("operational", this.properties.version(), Instant.now());
	}

	/**
	 * The status document.
	 *
	 * @param status always {@code operational} while the gateway answers
	 * @param version the API version
	 * @param timestamp the server's current time
	 */
	record ApiStatus(String status, String version, Instant timestamp) {
	}

}
