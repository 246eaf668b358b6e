package org.sciport.gateway.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Properties;

import org.sciport.gateway.routing.GatewayProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.reactive.config.ResourceHandlerRegistry;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import reactor.core.publisher.Mono;

/**
 * Swagger UI's files under {@code /docs/swagger-ui/}, the page's initializer, and the
 * documents it shows.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocsConfiguration implements WebFluxConfigurer {

	@Bean
	ApiDocuments apiDocuments(GatewayProperties properties, ApplicationContext context) {
		// The gateway's own document comes from its own server, once that listens.
		Mono<URI> self = Mono.fromSupplier(() -> URI
			.create("http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort()));
		return new ApiDocuments(properties.services(), self, properties.healthTimeout().multipliedBy(2));
	}

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler("/docs/swagger-ui/**")
			.addResourceLocations("classpath:/META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion() + "/")
			.setCacheControl(CacheControl.maxAge(Duration.ofDays(1)).cachePublic());
		registry.addResourceHandler("/docs/sciport/**")
			.addResourceLocations("classpath:/sciport-docs/")
			.setCacheControl(CacheControl.noCache());
	}

	private static String swaggerUiVersion() {
		try (InputStream in = ApiDocsConfiguration.class
			.getResourceAsStream("/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
			if (in == null) {
				throw new IllegalStateException("Swagger UI's webjar is not on the class path");
			}
			Properties properties = new Properties();
			properties.load(in);
			return properties.getProperty("version");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
