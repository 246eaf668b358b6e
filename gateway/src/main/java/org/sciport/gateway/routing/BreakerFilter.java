package org.sciport.gateway.routing;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import org.sciport.commons.error.ServiceUnavailableException;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * A route's circuit breaker and time limit, applied with Resilience4j's own Reactor operators
 * around the proxied exchange. A call the breaker refuses, a timeout or a failed connection
 * before the answer began is a 503 in the error shape, naming the service.
 * <p>
 * Spring Cloud's circuit-breaker filter does the same through its factory, a fallback forward
 * and more per request: on 256 MiB uploads through the suite it took the gateway from about 10%
 * to about 80% slower than calling upload-service directly and let the JVM grow by three times
 * the body, and on small reads it cost more CPU per request than these operators
 * (docs/benchmarks.md, the gateway's cost per request).
 */
final class BreakerFilter implements GatewayFilter {

	private final CircuitBreaker breaker;

	private final Duration timeout;

	private final String service;

	BreakerFilter(CircuitBreaker breaker, Duration timeout, String service) {
		this.breaker = breaker;
		this.timeout = timeout;
		this.service = service;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return chain.filter(exchange)
			.transform(CircuitBreakerOperator.of(this.breaker))
			.timeout(this.timeout)
			.onErrorResume((ex) -> !exchange.getResponse().isCommitted(), (ex) -> Mono.error(
					new ServiceUnavailableException(this.service + "-service is not answering right now; try again shortly")));
	}

}
