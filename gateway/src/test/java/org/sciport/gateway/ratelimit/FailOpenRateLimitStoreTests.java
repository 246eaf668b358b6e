package org.sciport.gateway.ratelimit;

import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

class FailOpenRateLimitStoreTests {

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@Test
	void aStoreThatHangsOrFailsLetsTheRequestThroughAndIsCounted() {
		RateLimitStore hanging = new FixedStore(Mono.never());
		RateLimitStore failing = new FixedStore(Mono.error(new IllegalStateException("connection refused")));
		FailOpenRateLimitStore slow = new FailOpenRateLimitStore(hanging, Duration.ofMillis(50), this.meters);
		FailOpenRateLimitStore broken = new FailOpenRateLimitStore(failing, Duration.ofMillis(50), this.meters);
		assertThat(slow.increment("k", Instant.now()).block(Duration.ofSeconds(5))).isZero();
		assertThat(broken.increment("k", Instant.now()).block(Duration.ofSeconds(5))).isZero();
		assertThat(broken.peek("k").block(Duration.ofSeconds(5))).isZero();
		assertThat(this.meters.get("sciport.gateway.ratelimit.store.failures").counter().count()).isEqualTo(3);
	}

	@Test
	void aWorkingStoresCountsPassUnchanged() {
		FailOpenRateLimitStore store = new FailOpenRateLimitStore(new MemoryRateLimitStore(), Duration.ofMillis(250),
				this.meters);
		Instant end = Instant.now().plusSeconds(60);
		store.increment("k", end).block(Duration.ofSeconds(5));
		assertThat(store.increment("k", end).block(Duration.ofSeconds(5))).isEqualTo(2);
		assertThat(store.peek("k").block(Duration.ofSeconds(5))).isEqualTo(2);
		assertThat(this.meters.get("sciport.gateway.ratelimit.store.failures").counter().count()).isZero();
	}

	private record FixedStore(Mono<Long> answer) implements RateLimitStore {

		@Override
		public Mono<Long> increment(String key, Instant windowEnd) {
			return this.answer;
		}

		@Override
		public Mono<Long> peek(String key) {
			return this.answer;
		}

	}

}
