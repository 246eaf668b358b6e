package org.sciport.gateway.ratelimit;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;

import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Applies the caller's limits and reports them on every response: {@code X-RateLimit-Limit},
 * {@code X-RateLimit-Remaining} and {@code X-RateLimit-Reset} (epoch seconds) for the hourly
 * quota, and the IETF {@code RateLimit-Policy} / {@code RateLimit} fields for both windows. Over
 * a limit, the answer is a 429 with {@code Retry-After} and the error code
 * {@code RATE_LIMIT_EXCEEDED}. A signed-in caller's transfer requests (see
 * {@link #isTransfer}) count against windows of their own instead (an hour and a minute), and
 * report them.
 */
public final class RateLimitFilter implements WebFilter, Ordered {

	private static final long HOUR = 3600;

	private static final long MINUTE = 60;

	private static final String LIMIT = "X-RateLimit-Limit";

	private static final String CHUNK_PATH = "/api/upload/chunk/";

	/** One tus upload's URL lies below this (the collection itself takes only creations). */
	private static final String TUS_PATH = "/v1/uploads/tus/";

	private final RateLimitProperties properties;

	private final RateLimitStore store;

	private final Clock clock;

	public RateLimitFilter(RateLimitProperties properties, RateLimitStore store) {
		this(properties, store, Clock.systemUTC());
	}

	RateLimitFilter(RateLimitProperties properties, RateLimitStore store, Clock clock) {
		this.properties = properties;
		this.store = store;
		this.clock = clock;
	}

	@Override
	public int getOrder() {
		// After the access token is checked: a signed-in caller is limited by its account.
		return Ordered.HIGHEST_PRECEDENCE + 20;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return account(exchange).flatMap((decision) -> (decision.retryAfter() > 0)
				? refuse(exchange, decision.reason(), decision.retryAfter()) : chain.filter(exchange));
	}

	/**
	 * The outcome of counting one request.
	 *
	 * @param reason why it is refused, if it is
	 * @param retryAfter seconds until it may be retried; 0 if it is allowed
	 */
	record Decision(String reason, long retryAfter) {
	}

	/**
	 * Counts the request against its caller's (or its address's) windows and writes the limit
	 * headers.
	 */
	Mono<Decision> account(ServerWebExchange exchange) {
		Caller caller = AccessTokenFilter.caller(exchange).orElse(null);
		if (caller != null && isTransfer(exchange.getRequest())) {
			return accountTransfer(exchange, "user:" + caller.userId());
		}
		String principal = (caller != null) ? "user:" + caller.userId() : "addr:" + clientAddress(exchange);
		long hourlyLimit = (caller != null) ? this.properties.hourly(caller.plan().toLowerCase(Locale.ROOT))
				: this.properties.anonymous();
		long burstLimit = this.properties.burst();
		long now = this.clock.instant().getEpochSecond();
		long hourEnd = (now / HOUR + 1) * HOUR;
		long minuteEnd = (now / MINUTE + 1) * MINUTE;
		return this.store.increment("rl:" + principal + ":h:" + hourEnd, Instant.ofEpochSecond(hourEnd))
			.zipWith(this.store.increment("rl:" + principal + ":m:" + minuteEnd, Instant.ofEpochSecond(minuteEnd)))
			.map((counts) -> {
				long hourRemaining = Math.max(0, hourlyLimit - counts.getT1());
				long burstRemaining = Math.max(0, burstLimit - counts.getT2());
				HttpHeaders headers = exchange.getResponse().getHeaders();
				headers.set(LIMIT, Long.toString(hourlyLimit));
				headers.set("X-RateLimit-Remaining", Long.toString(hourRemaining));
				headers.set("X-RateLimit-Reset", Long.toString(hourEnd));
				headers.set("RateLimit-Policy",
						"\"hour\";q=" + hourlyLimit + ";w=" + HOUR + ", \"burst\";q=" + burstLimit + ";w=" + MINUTE);
				boolean burstTighter = burstRemaining < hourRemaining;
				headers.set("RateLimit", burstTighter ? "\"burst\";r=" + burstRemaining + ";t=" + (minuteEnd - now)
						: "\"hour\";r=" + hourRemaining + ";t=" + (hourEnd - now));
				if (counts.getT1() > hourlyLimit) {
					return new Decision("Hourly request limit of " + hourlyLimit + " reached", hourEnd - now);
				}
				if (counts.getT2() > burstLimit) {
					return new Decision("More than " + burstLimit + " requests in a minute", minuteEnd - now);
				}
				return new Decision("", 0);
			});
	}

	/**
	 * Counts a signed-in caller's transfer request against its own windows only (an hour and,
	 * for bursts, a minute), and reports them.
	 */
	private Mono<Decision> accountTransfer(ServerWebExchange exchange, String principal) {
		long limit = this.properties.transfer();
		long burstLimit = this.properties.transferBurst();
		long now = this.clock.instant().getEpochSecond();
		long hourEnd = (now / HOUR + 1) * HOUR;
		long minuteEnd = (now / MINUTE + 1) * MINUTE;
		return this.store.increment("rl:" + principal + ":t:" + hourEnd, Instant.ofEpochSecond(hourEnd))
			.zipWith(this.store.increment("rl:" + principal + ":tm:" + minuteEnd, Instant.ofEpochSecond(minuteEnd)))
			.map((counts) -> {
				long remaining = Math.max(0, limit - counts.getT1());
				long burstRemaining = Math.max(0, burstLimit - counts.getT2());
				HttpHeaders headers = exchange.getResponse().getHeaders();
				headers.set(LIMIT, Long.toString(limit));
				headers.set("X-RateLimit-Remaining", Long.toString(remaining));
				headers.set("X-RateLimit-Reset", Long.toString(hourEnd));
				headers.set("RateLimit-Policy", "\"transfer\";q=" + limit + ";w=" + HOUR + ", \"transfer-burst\";q="
						+ burstLimit + ";w=" + MINUTE);
				headers.set("RateLimit", (burstRemaining < remaining)
						? "\"transfer-burst\";r=" + burstRemaining + ";t=" + (minuteEnd - now)
						: "\"transfer\";r=" + remaining + ";t=" + (hourEnd - now));
				if (counts.getT1() > limit) {
					return new Decision("Hourly limit of " + limit + " upload transfer requests reached", hourEnd - now);
				}
				if (counts.getT2() > burstLimit) {
					return new Decision("More than " + burstLimit + " upload transfer requests in a minute",
							minuteEnd - now);
				}
				return new Decision("", 0);
			});
	}

	/**
	 * Whether a request carries (or resumes) the bytes of an upload already begun: a chunk
	 * ({@code PUT /api/upload/chunk/…}), a tus {@code PATCH} or a tus {@code HEAD} asking where
	 * to resume (either also as a {@code POST} with {@code X-HTTP-Method-Override}, as
	 * upload-service takes it). Beginning
	 * and completing an upload are API calls like any other.
	 */
	static boolean isTransfer(ServerHttpRequest request) {
		String path = request.getPath().pathWithinApplication().value();
		HttpMethod method = request.getMethod();
		if (path.startsWith(CHUNK_PATH)) {
			return HttpMethod.PUT.equals(method);
		}
		if (!path.startsWith(TUS_PATH) || path.length() == TUS_PATH.length()) {
			return false;
		}
		String override = request.getHeaders().getFirst("X-HTTP-Method-Override");
		String overridden = (override != null) ? override.trim() : "";
		return HttpMethod.PATCH.equals(method) || HttpMethod.HEAD.equals(method) || (HttpMethod.POST.equals(method)
				&& ("PATCH".equalsIgnoreCase(overridden) || "HEAD".equalsIgnoreCase(overridden)));
	}

	/**
	 * A filter ahead of the token check: a request refused before this filter ran (no or a bad
	 * token) is still counted against its address, and its answer still carries the headers.
	 */
	public WebFilter headersForRefusedRequests() {
		RateLimitFilter limiter = this;
		return new OrderedFilter((exchange, chain) -> {
			exchange.getResponse()
				.beforeCommit(() -> exchange.getResponse().getHeaders().containsHeader(LIMIT) ? Mono.empty()
						: limiter.account(exchange).then());
			return chain.filter(exchange);
		}, Ordered.HIGHEST_PRECEDENCE + 5);
	}

	private record OrderedFilter(WebFilter filter, int order) implements WebFilter, Ordered {

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
			return this.filter.filter(exchange, chain);
		}

		@Override
		public int getOrder() {
			return this.order;
		}

	}

	private static Mono<Void> refuse(ServerWebExchange exchange, String message, long retryAfter) {
		exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter)));
		return Mono.error(new RateLimitExceededException(message, Math.max(1, retryAfter)));
	}

	private static String clientAddress(ServerWebExchange exchange) {
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		return (remote != null && remote.getAddress() != null) ? remote.getAddress().getHostAddress() : "unknown";
	}

}
