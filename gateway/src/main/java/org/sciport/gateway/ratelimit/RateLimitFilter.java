package org.sciport.gateway.ratelimit;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Function;

import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.ApiTokenExchanger;
import org.sciport.commons.security.Caller;
import org.sciport.commons.web.ClientAddresses;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
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

	private final Function<ServerWebExchange, String> clientAddress;

	RateLimitFilter(RateLimitProperties properties, RateLimitStore store, Clock clock) {
		this(properties, store, clock, ClientAddresses::peer);
	}

	/**
	 * @param clock the windows' clock
	 * @param clientAddress where a request came from (its peer, or what the operator's proxies
	 * in front saw)
	 */
	public RateLimitFilter(RateLimitProperties properties, RateLimitStore store, Clock clock,
			Function<ServerWebExchange, String> clientAddress) {
		this.properties = properties;
		this.store = store;
		this.clock = clock;
		this.clientAddress = clientAddress;
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
	 * Two windows counted together: an hour and, for bursts, a minute.
	 *
	 * @param hourKey the hourly counter's key, up to the window's end
	 * @param minuteKey the minute counter's key, up to the window's end
	 * @param hourName the hourly window's name in the {@code RateLimit} fields
	 * @param minuteName the minute window's name there
	 * @param what what is counted, as the refusal names it
	 */
	private record Windows(String hourKey, String minuteKey, String hourName, String minuteName, long hourly, long perMinute, String what) {
	}

	/**
	 * Counts the request against its caller's (or its address's) windows and writes the limit
	 * headers. A signed-in caller's transfer requests have windows of their own.
	 */
	Mono<Decision> account(ServerWebExchange exchange) {
		Caller caller = AccessTokenFilter.caller(exchange).orElse(null);
		if (caller != null && isTransfer(exchange.getRequest())) {
			String user = "rl:user:" + caller.userId();
			return count(exchange, new Windows(user + ":t:", user + ":tm:", "transfer", "transfer-burst",
					this.properties.transfer(), this.properties.transferBurst(), "upload transfer requests"));
		}
		String principal = "rl:" + ((caller != null) ? "user:" + caller.userId() : "addr:" + this.clientAddress.apply(exchange));
		long hourly = (caller != null) ? this.properties.hourly(caller.plan().toLowerCase(Locale.ROOT))
				: this.properties.anonymous();
		return count(exchange, new Windows(principal + ":h:", principal + ":m:", "hour", "burst", hourly,
				this.properties.burst(), "requests"));
	}

	/**
	 * Counts one request in both windows; the {@code X-RateLimit} fields report the hour, the
	 * {@code RateLimit} field the window with less left.
	 */
	private Mono<Decision> count(ServerWebExchange exchange, Windows windows) {
		long now = this.clock.instant().getEpochSecond();
		long hourEnd = (now / HOUR + 1) * HOUR;
		long minuteEnd = (now / MINUTE + 1) * MINUTE;
		return this.store.increment(windows.hourKey() + hourEnd, Instant.ofEpochSecond(hourEnd))
			.zipWith(this.store.increment(windows.minuteKey() + minuteEnd, Instant.ofEpochSecond(minuteEnd)))
			.map((counts) -> {
				long hourRemaining = Math.max(0, windows.hourly() - counts.getT1());
				long minuteRemaining = Math.max(0, windows.perMinute() - counts.getT2());
				HttpHeaders headers = exchange.getResponse().getHeaders();
				headers.set(LIMIT, Long.toString(windows.hourly()));
				headers.set("X-RateLimit-Remaining", Long.toString(hourRemaining));
				headers.set("X-RateLimit-Reset", Long.toString(hourEnd));
				headers.set("RateLimit-Policy", "\"" + windows.hourName() + "\";q=" + windows.hourly() + ";w=" + HOUR
						+ ", \"" + windows.minuteName() + "\";q=" + windows.perMinute() + ";w=" + MINUTE);
				headers.set("RateLimit", (minuteRemaining < hourRemaining)
						? "\"" + windows.minuteName() + "\";r=" + minuteRemaining + ";t=" + (minuteEnd - now)
						: "\"" + windows.hourName() + "\";r=" + hourRemaining + ";t=" + (hourEnd - now));
				if (counts.getT1() > windows.hourly()) {
					return new Decision("Hourly limit of " + windows.hourly() + " " + windows.what() + " reached",
							hourEnd - now);
				}
				if (counts.getT2() > windows.perMinute()) {
					return new Decision("More than " + windows.perMinute() + " " + windows.what() + " in a minute",
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
			return carriesApiToken(exchange.getRequest()) ? limiter.limitApiTokenFailures(exchange, chain)
					: chain.filter(exchange);
		}, Ordered.HIGHEST_PRECEDENCE + 5);
	}

	/**
	 * Every API token that is not remembered costs the gateway a call to auth-service, so made-up
	 * ones are limited per client address: once an address had {@code api-token-failures} refused
	 * in a minute, its requests with an API token are refused for the rest of it without asking.
	 */
	Mono<Void> limitApiTokenFailures(ServerWebExchange exchange, WebFilterChain chain) {
		long now = this.clock.instant().getEpochSecond();
		long minuteEnd = (now / MINUTE + 1) * MINUTE;
		String key = "rl:addr:" + this.clientAddress.apply(exchange) + ":api-token-failures:" + minuteEnd;
		return this.store.peek(key).flatMap((failures) -> {
			if (failures >= this.properties.apiTokenFailures()) {
				return refuse(exchange, "More than " + this.properties.apiTokenFailures()
						+ " refused API tokens from this address in a minute", minuteEnd - now);
			}
			exchange.getResponse()
				.beforeCommit(() -> HttpStatus.UNAUTHORIZED.equals(exchange.getResponse().getStatusCode())
						? this.store.increment(key, Instant.ofEpochSecond(minuteEnd)).then() : Mono.empty());
			return chain.filter(exchange);
		});
	}

	private static boolean carriesApiToken(ServerHttpRequest request) {
		String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
		String token = (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7))
				? authorization.substring(7).trim() : request.getHeaders().getFirst(AccessTokenFilter.ACCESS_TOKEN_HEADER);
		return token != null && token.trim().startsWith(ApiTokenExchanger.PREFIX);
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


}
