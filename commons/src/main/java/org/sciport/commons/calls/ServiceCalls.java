package org.sciport.commons.calls;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import org.sciport.commons.error.ServiceUnavailableException;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;

/**
 * Guards for calls to other services. Each call has a time limit; a call that cannot reach the
 * other service, or runs out of time, is a {@link ServiceUnavailableException} naming it (a 503,
 * never a 500). Each service called has a circuit breaker: once half of the last
 * {@value #WINDOW} calls (at least {@value #MINIMUM_CALLS}) failed that way, further calls fail at
 * once for {@link #OPEN_FOR} instead of each waiting out its time limit, then a few trial calls
 * go through. Answers the other service gave (a 404, a 403) are not failures of the service and
 * do not count. The breakers' states and calls are published as
 * {@code resilience4j.circuitbreaker.*} metrics.
 */
public final class ServiceCalls {

	static final int WINDOW = 20;

	static final int MINIMUM_CALLS = 10;

	static final Duration OPEN_FOR = Duration.ofSeconds(10);

	private final CircuitBreakerRegistry breakers;

	public ServiceCalls(CircuitBreakerRegistry breakers) {
		this.breakers = breakers;
	}

	/**
	 * A registry with Sciport's breaker settings.
	 */
	public static CircuitBreakerRegistry registry() {
		return CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
			.slidingWindowSize(WINDOW)
			.minimumNumberOfCalls(MINIMUM_CALLS)
			.failureRateThreshold(50)
			.waitDurationInOpenState(OPEN_FOR)
			.permittedNumberOfCallsInHalfOpenState(3)
			.recordException((ex) -> ex instanceof ServiceUnavailableException)
			.build());
	}

	/**
	 * The guard for calls to {@code service} (one breaker per service, however many guards).
	 */
	public Guard to(String service, Duration timeout) {
		return new Guard(service, timeout, this.breakers.circuitBreaker(service));
	}

	/**
	 * Guards the calls to one service.
	 */
	public static final class Guard {

		private final String service;

		private final Duration timeout;

		private final CircuitBreaker breaker;

		Guard(String service, Duration timeout, CircuitBreaker breaker) {
			this.service = service;
			this.timeout = timeout;
			this.breaker = breaker;
		}

		/**
		 * {@code call} with the time limit and the circuit breaker.
		 */
		public <T> Mono<T> guard(Mono<T> call) {
			return call.timeout(this.timeout)
				.onErrorMap((ex) -> ex instanceof WebClientRequestException || ex instanceof TimeoutException
						|| ex instanceof java.net.ConnectException,
						(ex) -> new ServiceUnavailableException(this.service + " could not be reached"))
				.transformDeferred(CircuitBreakerOperator.of(this.breaker))
				.onErrorMap(CallNotPermittedException.class,
						(ex) -> new ServiceUnavailableException(this.service + " is unavailable; try again shortly"));
		}

		CircuitBreaker.State state() {
			return this.breaker.getState();
		}

	}

}
