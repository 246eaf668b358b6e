package org.sciport.auth;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * auth-service. Its configuration file is {@code auth-service.yml}, so it can share a class
 * path with the other services in the standalone suite.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AuthServiceApplication {

	/** The service's name, its configuration file's name and its database's name stem. */
	public static final String NAME = "auth-service";

	public static SpringApplicationBuilder builder() {
		return new SpringApplicationBuilder(AuthServiceApplication.class).properties("spring.config.name=" + NAME);
	}

	public static void main(String[] args) {
		builder().run(args);
	}

}
