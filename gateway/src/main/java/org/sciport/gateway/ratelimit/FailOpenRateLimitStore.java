package org.sciport.gateway.ratelimit;

import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

/**
 * A store that answers within a time limit or not at all: a counter that fails or is slow (Redis
 * down or overloaded) lets the request through as if nothing had been counted, counted in
 * {@code sciport.gateway.ratelimit.store.failures}, as the well-known gateway limiters do. A
 * rate limit must never take the whole API down with it.
 */
final class FailOpenRateLimitStore implements RateLimitStore {

	private static final Log logger = LogFactory.getLog(FailOpenRateLimitStore.class);

	private final RateLimitStore store;

	private final Duration timeout;

	private final Counter failures;

	private volatile long lastLogged;

	FailOpenRateLimitStore(RateLimitStore store, Duration timeout, MeterRegistry meters) {
		this.store = store;
		this.timeout = timeout;
		this.failures = Counter.builder("sciport.gateway.ratelimit.store.failures")
			.description("Rate-limit counts that failed or timed out; the requests were let through")
			.register(meters);
	}

	@Override
	public Mono<Long> increment(String key, Instant windowEnd) {
		return failOpen(this.store.increment(key, windowEnd));
	}

	@Override
	public Mono<Long> peek(String key) {
		return failOpen(this.store.peek(key));
	}

	private Mono<Long> failOpen(Mono<Long> count) {
		return count.timeout(this.timeout).onErrorResume((ex) -> {
			this.failures.increment();
			long now = System.nanoTime();
			// One line a minute at most: a store that is down fails every request.
			if (now - this.lastLogged > Duration.ofMinutes(1).toNanos()) {
				this.lastLogged = now;
				logger.warn("Rate-limit store failed (" + ex.getClass().getSimpleName()
						+ "); letting requests through uncounted");
			}
			return Mono.just(0L);
		});
	}

}
