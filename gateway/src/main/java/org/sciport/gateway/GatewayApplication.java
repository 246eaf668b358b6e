package org.sciport.gateway;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The gateway. Its configuration file is {@code gateway.yml}, so it can share a class path
 * with the services in the standalone suite.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

	/** The application's name and its configuration file's name. */
	public static final String NAME = "gateway";

	public static SpringApplicationBuilder builder() {
		return new SpringApplicationBuilder(GatewayApplication.class).properties("spring.config.name=" + NAME);
	}

	/**
	 * What the gateway refuses itself (a missing token, a rate limit, bad text) on a seed
	 * surface answers in that surface's error shape, as the service behind would.
	 */
	@org.springframework.context.annotation.Bean
	org.sciport.commons.error.ErrorRenderer seedSurfaceErrors() {
		return new org.sciport.commons.error.PortalErrorRenderer("/api/auth/", "/api/upload/", "/portal/api/");
	}

	/** The instrument harvester's surface: {@code {"detail": ...}}, validation a 422. */
	@org.springframework.context.annotation.Bean
	org.sciport.commons.error.ErrorRenderer harvesterSurfaceErrors() {
		return new org.sciport.commons.error.FastApiErrorRenderer("/api/instruments", "/api/storage-locations",
				"/api/service-accounts", "/api/schedules", "/api/hooks", "/api/files", "/api/transfers",
				"/api/harvest-runs");
	}

	public static void main(String[] args) {
		builder().run(args);
	}

}
