package org.sciport.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transfer windows of {@link RateLimitFilter} on a clock the test sets: requests that carry
 * an upload's bytes are limited per minute as well as per hour.
 */
class RateLimitFilterTests {

	/** 40 s into a minute, 10 min into an hour. */
	private static final Instant START = Instant.parse("2026-12-01T10:10:40Z");

	private static final Caller CALLER = new Caller("7c1d7a52-59f4-4c8e-9d8b-3f1f6c1e2a10", List.of("user"), "free",
			"token-1", START.plus(Duration.ofHours(1)), null, START);

	private final RateLimitProperties properties = new RateLimitProperties(true, 1000, 10000, 100000, 1000, 100, 10, 3,
			3, "memory", Duration.ofMillis(250), "redis://127.0.0.1:6379");

	private final RateLimitStore store = new MemoryRateLimitStore();

	@Test
	void transfersBeyondTheMinutesBurstWaitForTheNextMinute() {
		RateLimitFilter filter = new RateLimitFilter(this.properties, this.store, Clock.fixed(START, ZoneOffset.UTC));
		for (int sent = 1; sent <= 3; sent++) {
			MockServerWebExchange exchange = transfer();
			assertThat(filter.account(exchange).block().retryAfter()).isZero();
			assertThat(exchange.getResponse().getHeaders().getFirst("RateLimit-Policy"))
				.isEqualTo("\"transfer\";q=10;w=3600, \"transfer-burst\";q=3;w=60");
			// The hourly window stays the one the X-RateLimit fields report.
			assertThat(exchange.getResponse().getHeaders().getFirst("X-RateLimit-Remaining")).isEqualTo(Long.toString(10 - sent));
			assertThat(exchange.getResponse().getHeaders().getFirst("RateLimit"))
				.isEqualTo("\"transfer-burst\";r=" + (3 - sent) + ";t=20");
		}
		RateLimitFilter.Decision refused = filter.account(transfer()).block();
		assertThat(refused.retryAfter()).isEqualTo(20);
		assertThat(refused.reason()).isEqualTo("More than 3 upload transfer requests in a minute");

		// The next minute has room again; the hour has counted all four.
		RateLimitFilter later = new RateLimitFilter(this.properties, this.store,
				Clock.fixed(START.plusSeconds(20), ZoneOffset.UTC));
		MockServerWebExchange exchange = transfer();
		assertThat(later.account(exchange).block().retryAfter()).isZero();
		assertThat(exchange.getResponse().getHeaders().getFirst("X-RateLimit-Remaining")).isEqualTo("5");
		assertThat(exchange.getResponse().getHeaders().getFirst("RateLimit")).isEqualTo("\"transfer-burst\";r=2;t=60");
	}

	@Test
	void theHourlyTransferLimitHoldsAcrossMinutes() {
		for (int minute = 0; minute < 4; minute++) {
			RateLimitFilter filter = new RateLimitFilter(this.properties, this.store,
					Clock.fixed(START.plusSeconds(60L * minute), ZoneOffset.UTC));
			for (int i = 0; i < 3 && minute * 3 + i < 10; i++) {
				assertThat(filter.account(transfer()).block().retryAfter()).isZero();
			}
		}
		RateLimitFilter filter = new RateLimitFilter(this.properties, this.store,
				Clock.fixed(START.plusSeconds(300), ZoneOffset.UTC));
		RateLimitFilter.Decision refused = filter.account(transfer()).block();
		assertThat(refused.reason()).isEqualTo("Hourly limit of 10 upload transfer requests reached");
		// Until the hour ends: 10:15:40 to 11:00.
		assertThat(refused.retryAfter()).isEqualTo(Duration.ofMinutes(44).plusSeconds(20).toSeconds());
	}

	@Test
	void apiCallsDoNotUseTheTransferWindows() {
		RateLimitFilter filter = new RateLimitFilter(this.properties, this.store, Clock.fixed(START, ZoneOffset.UTC));
		for (int i = 0; i < 3; i++) {
			filter.account(transfer()).block();
		}
		MockServerWebExchange call = signedIn(MockServerHttpRequest.get("/v1/datasets").build());
		assertThat(filter.account(call).block().retryAfter()).isZero();
		assertThat(call.getResponse().getHeaders().getFirst("X-RateLimit-Remaining")).isEqualTo("999");
	}

	@Test
	void anAddressWhoseApiTokensKeepFailingIsRefusedWithoutAskingAuthService() {
		RateLimitFilter filter = new RateLimitFilter(this.properties, this.store, Clock.fixed(START, ZoneOffset.UTC));
		java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
		org.springframework.web.server.WebFilterChain refusing = (exchange) -> {
			asked.incrementAndGet();
			exchange.getResponse().setStatusCode(org.springframework.http.HttpStatus.UNAUTHORIZED);
			return exchange.getResponse().setComplete();
		};
		for (int i = 0; i < 3; i++) {
			filter.limitApiTokenFailures(apiToken("203.0.113.7"), refusing).block(Duration.ofSeconds(5));
		}
		assertThat(asked).hasValue(3);
		MockServerWebExchange fourth = apiToken("203.0.113.7");
		org.assertj.core.api.Assertions.assertThatExceptionOfType(RateLimitExceededException.class)
			.isThrownBy(() -> filter.limitApiTokenFailures(fourth, refusing).block(Duration.ofSeconds(5)));
		assertThat(fourth.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("20");
		assertThat(asked).hasValue(3);
		// Another address is asked as before; so is this one in the next minute.
		filter.limitApiTokenFailures(apiToken("203.0.113.8"), refusing).block(Duration.ofSeconds(5));
		new RateLimitFilter(this.properties, this.store, Clock.fixed(START.plusSeconds(20), ZoneOffset.UTC))
			.limitApiTokenFailures(apiToken("203.0.113.7"), refusing).block(Duration.ofSeconds(5));
		assertThat(asked).hasValue(5);
	}

	@Test
	void acceptedApiTokensDoNotCountAsFailures() {
		RateLimitFilter filter = new RateLimitFilter(this.properties, this.store, Clock.fixed(START, ZoneOffset.UTC));
		java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
		org.springframework.web.server.WebFilterChain accepting = (exchange) -> {
			asked.incrementAndGet();
			return exchange.getResponse().setComplete();
		};
		for (int i = 0; i < 10; i++) {
			filter.limitApiTokenFailures(apiToken("203.0.113.7"), accepting).block(Duration.ofSeconds(5));
		}
		assertThat(asked).hasValue(10);
	}

	private static MockServerWebExchange apiToken(String address) {
		return MockServerWebExchange.from(MockServerHttpRequest.get("/v1/datasets")
			.header("Authorization", "Bearer sct_made-up")
			.remoteAddress(new java.net.InetSocketAddress(address, 40000))
			.build());
	}

	private static MockServerWebExchange transfer() {
		return signedIn(MockServerHttpRequest.head("/v1/uploads/tus/8f0e3a4c").build());
	}

	private static MockServerWebExchange signedIn(MockServerHttpRequest request) {
		MockServerWebExchange exchange = MockServerWebExchange.from(request);
		// Where AccessTokenFilter leaves the verified caller.
		exchange.getAttributes().put(AccessTokenFilter.class.getName() + ".caller", CALLER);
		assertThat(AccessTokenFilter.caller(exchange)).contains(CALLER);
		return exchange;
	}

}
