package org.sciport.upload;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * upload-service. Its configuration file is {@code upload-service.yml}, so it can share a class path with the
 * other services in the standalone suite.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class UploadServiceApplication {

	/** The service's name, its configuration file's name and its database's name stem. */
	public static final String NAME = "upload-service";

	public static SpringApplicationBuilder builder() {
		return new SpringApplicationBuilder(UploadServiceApplication.class).properties("spring.config.name=" + NAME);
	}

	public static void main(String[] args) {
		builder().run(args);
	}

}
