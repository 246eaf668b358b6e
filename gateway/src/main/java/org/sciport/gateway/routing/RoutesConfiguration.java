package org.sciport.gateway.routing;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.RetryGatewayFilterFactory;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/**
 * The route table: every path prefix of the native API and of the seed surfaces, to the
 * service that owns it (see {@code docs/architecture.md}). Every route has a circuit breaker
 * with a time limit ({@link BreakerFilter}: a stopped or hanging service gives a 503 in the
 * error shape, not a hang), and GET and HEAD requests are retried when the service could not be
 * reached.
 */
@Configuration(proxyBeanMethods = false)
class RoutesConfiguration {

	@Bean
	RouteLocator sciportRoutes(RouteLocatorBuilder builder, GatewayProperties properties,
			ReactiveResilience4JCircuitBreakerFactory breakers) {
		GatewayProperties.Services services = properties.services();
		GatewayProperties.Resilience resilience = properties.resilience();
		GatewayFilter retry = readsOnly(retryFilter(resilience.retries()));
		// The routes that carry files (uploads, dataset downloads) have the longer time limit.
		java.util.function.BiFunction<String, Duration, GatewayFilter> breaker = (service, timeout) -> new BreakerFilter(
				breakers.getCircuitBreakerRegistry().circuitBreaker(service, breakerConfig(resilience)), timeout, service);
		return builder.routes()
			.route("auth", (r) -> r.path(RouteTable.AUTH)
				.filters((f) -> f.filter(breaker.apply("auth", resilience.timeout())).filter(retry))
				.uri(uri(services.auth())))
			.route("upload", (r) -> r.path(RouteTable.UPLOAD)
				.filters((f) -> f.filter(breaker.apply("upload", resilience.transferTimeout())).filter(retry))
				.uri(uri(services.upload())))
			.route("dataset", (r) -> r.path(RouteTable.DATASET)
				.filters((f) -> f.filter(breaker.apply("dataset", resilience.transferTimeout())).filter(retry))
				.uri(uri(services.dataset())))
			.route("harvest", (r) -> r.path(RouteTable.HARVEST)
				.filters((f) -> f.filter(breaker.apply("harvest", resilience.timeout())).filter(retry))
				.uri(uri(services.harvest())))
			.route("workflow", (r) -> r.path(RouteTable.WORKFLOW)
				.filters((f) -> f.filter(breaker.apply("workflow", resilience.timeout())).filter(retry))
				.uri(uri(services.workflow())))
			.build();
	}

	/**
	 * The retry filter for GET and HEAD only, skipped entirely for other methods: wrapped
	 * around an upload, Spring Cloud Gateway's retry filter let the JVM's direct memory fill
	 * with the body (a 1 GiB upload through a gateway of 700 MB heap ran out of direct memory).
	 */
	private static GatewayFilter readsOnly(GatewayFilter filter) {
		return (exchange, chain) -> {
			HttpMethod method = exchange.getRequest().getMethod();
			return (method == HttpMethod.GET || method == HttpMethod.HEAD) ? filter.filter(exchange, chain)
					: chain.filter(exchange);
		};
	}

	private static GatewayFilter retryFilter(int retries) {
		RetryGatewayFilterFactory.RetryConfig config = new RetryGatewayFilterFactory.RetryConfig();
		retrySettings(config, retries);
		return new RetryGatewayFilterFactory().apply(config);
	}

	private static void retrySettings(RetryGatewayFilterFactory.RetryConfig retry, int retries) {
		retry.setRetries(retries)
			.setMethods(HttpMethod.GET, HttpMethod.HEAD)
			.setSeries()
			.setStatuses()
			.setExceptions(IOException.class, TimeoutException.class)
			.setBackoff(Duration.ofMillis(50), Duration.ofMillis(500), 2, true);
	}

	static CircuitBreakerConfig breakerConfig(GatewayProperties.Resilience resilience) {
		return CircuitBreakerConfig.custom()
			.slidingWindowSize(Math.max(20, resilience.minimumCalls()))
			.minimumNumberOfCalls(resilience.minimumCalls())
			.failureRateThreshold(resilience.failureRate())
			.waitDurationInOpenState(resilience.openFor())
			.permittedNumberOfCallsInHalfOpenState(2)
			.build();
	}

	private static String uri(URI base) {
		return base.toString();
	}

}
