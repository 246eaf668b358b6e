package org.sciport.gateway.routing;

import java.net.URI;

import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The route table: every path prefix of the native API and of the seed surfaces, to the
 * service that owns it (see {@code docs/architecture.md}). More specific prefixes are listed
 * before the broader prefix they sit under.
 */
@Configuration(proxyBeanMethods = false)
class RoutesConfiguration {

	@Bean
	RouteLocator sciportRoutes(RouteLocatorBuilder builder, GatewayProperties properties) {
		GatewayProperties.Services services = properties.services();
		return builder.routes()
			.route("auth", (r) -> r.path(RouteTable.AUTH).uri(uri(services.auth())))
			.route("upload", (r) -> r.path(RouteTable.UPLOAD).uri(uri(services.upload())))
			.route("dataset", (r) -> r.path(RouteTable.DATASET).uri(uri(services.dataset())))
			.route("harvest", (r) -> r.path(RouteTable.HARVEST).uri(uri(services.harvest())))
			.route("workflow", (r) -> r.path(RouteTable.WORKFLOW).uri(uri(services.workflow())))
			.build();
	}

	private static String uri(URI base) {
		return base.toString();
	}

}
