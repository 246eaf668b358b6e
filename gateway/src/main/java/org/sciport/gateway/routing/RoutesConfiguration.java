package org.sciport.gateway.routing;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JConfigBuilder;
import org.springframework.cloud.client.circuitbreaker.Customizer;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.RetryGatewayFilterFactory;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.GatewayFilterSpec;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.cloud.gateway.route.builder.UriSpec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/**
 * The route table: every path prefix of the native API and of the seed surfaces, to the
 * service that owns it (see {@code docs/architecture.md}). Every route has a circuit breaker
 * with a time limit (a stopped or hanging service gives a 503 in the error shape, not a hang),
 * and idempotent requests without a body are retried when the service could not be reached.
 */
@Configuration(proxyBeanMethods = false)
class RoutesConfiguration {

	/** Where a route whose service cannot answer is forwarded. */
	static final String UNAVAILABLE = "forward:/gateway/unavailable/";

	@Bean
	RouteLocator sciportRoutes(RouteLocatorBuilder builder, GatewayProperties properties,
			ReactiveResilience4JCircuitBreakerFactory breakers) {
		GatewayProperties.Services services = properties.services();
		int retries = properties.resilience().retries();
		TransferBreakerFilter uploadBreaker = new TransferBreakerFilter(breakers.getCircuitBreakerRegistry()
			.circuitBreaker("upload", breakerConfig(properties.resilience())), properties.resilience().transferTimeout(),
				"upload");
		return builder.routes()
			.route("auth", (r) -> r.path(RouteTable.AUTH).filters((f) -> protect(f, "auth", retries)).uri(uri(services.auth())))
			// Its breaker is applied without Spring Cloud's circuit-breaker filter (see TransferBreakerFilter).
			.route("upload", (r) -> r.path(RouteTable.UPLOAD)
				.filters((f) -> f.filter(uploadBreaker).filter(readsOnly(retryFilter(retries))))
				.uri(uri(services.upload())))
			.route("dataset", (r) -> r.path(RouteTable.DATASET).filters((f) -> protect(f, "dataset", retries))
				.uri(uri(services.dataset())))
			.route("harvest", (r) -> r.path(RouteTable.HARVEST).filters((f) -> protect(f, "harvest", retries))
				.uri(uri(services.harvest())))
			.route("workflow", (r) -> r.path(RouteTable.WORKFLOW).filters((f) -> protect(f, "workflow", retries))
				.uri(uri(services.workflow())))
			.build();
	}

	private static UriSpec protect(GatewayFilterSpec filters, String service, int retries) {
		return retry(filters.circuitBreaker((breaker) -> breaker.setName(service).setFallbackUri(UNAVAILABLE + service)),
				retries);
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

	private static GatewayFilterSpec retry(GatewayFilterSpec filters, int retries) {
		return filters.retry((retry) -> retry.setRetries(retries)
				.setMethods(HttpMethod.GET, HttpMethod.HEAD)
				.setSeries()
				.setStatuses()
				.setExceptions(IOException.class, TimeoutException.class)
				.setBackoff(Duration.ofMillis(50), Duration.ofMillis(500), 2, true));
	}

	@Bean
	Customizer<ReactiveResilience4JCircuitBreakerFactory> routeBreakers(GatewayProperties properties) {
		GatewayProperties.Resilience resilience = properties.resilience();
		return (factory) -> factory.configureDefault((id) -> new Resilience4JConfigBuilder(id)
			.circuitBreakerConfig(breakerConfig(resilience))
			.timeLimiterConfig(TimeLimiterConfig.custom()
				.timeoutDuration(("upload".equals(id) || "dataset".equals(id)) ? resilience.transferTimeout()
						: resilience.timeout())
				.build())
			.build());
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
