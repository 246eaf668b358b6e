package org.sciport.gateway.ratelimit;

import java.time.Instant;

import reactor.core.publisher.Mono;

/**
 * Counts requests per key in fixed windows.
 */
public interface RateLimitStore {

	/**
	 * Counts one request against {@code key} in the window ending at {@code windowEnd}; emits
	 * the count including this request.
	 */
	Mono<Long> increment(String key, Instant windowEnd);

	/**
	 * The count of {@code key} in its current window, 0 if there is none; counts nothing.
	 */
	Mono<Long> peek(String key);

}
