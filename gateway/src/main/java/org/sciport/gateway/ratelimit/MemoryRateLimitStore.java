package org.sciport.gateway.ratelimit;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;

/**
 * Window counters in this gateway's memory: right for a single gateway.
 */
public final class MemoryRateLimitStore implements RateLimitStore {

	private record Counter(Instant windowEnd, AtomicLong count) {
	}

	private final Map<String, Counter> counters = new ConcurrentHashMap<>();

	private final AtomicLong calls = new AtomicLong();

	@Override
	public Mono<Long> increment(String key, Instant windowEnd) {
		if (this.calls.incrementAndGet() % 10_000 == 0) {
			Instant now = Instant.now();
			this.counters.values().removeIf((counter) -> !counter.windowEnd().isAfter(now));
		}
		Counter counter = this.counters.compute(key, (k, existing) -> (existing != null
				&& existing.windowEnd().equals(windowEnd)) ? existing : new Counter(windowEnd, new AtomicLong()));
		return Mono.just(counter.count().incrementAndGet());
	}

	@Override
	public Mono<Long> peek(String key) {
		Counter counter = this.counters.get(key);
		// Every key names its window's end, so a counter found is the window's.
		return Mono.just((counter != null) ? counter.count().get() : 0L);
	}

}
