package org.sciport.gateway.ratelimit;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Locale;

import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Applies the caller's limits and reports them on every response: {@code X-RateLimit-Limit},
 * {@code X-RateLimit-Remaining} and {@code X-RateLimit-Reset} (epoch seconds) for the hourly
 * quota, and the IETF {@code RateLimit-Policy} / {@code RateLimit} fields for both windows. Over
 * a limit, the answer is a 429 with {@code Retry-After} and the error code
 * {@code RATE_LIMIT_EXCEEDED}.
 */
public final class RateLimitFilter implements WebFilter, Ordered {

	private static final long HOUR = 3600;

	private static final long MINUTE = 60;

	private final RateLimitProperties properties;

	private final RateLimitStore store;

	public RateLimitFilter(RateLimitProperties properties, RateLimitStore store) {
		this.properties = properties;
		this.store = store;
	}

	@Override
	public int getOrder() {
		// After the access token is checked: a signed-in caller is limited by its account.
		return Ordered.HIGHEST_PRECEDENCE + 20;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		Caller caller = AccessTokenFilter.caller(exchange).orElse(null);
		String principal = (caller != null) ? "user:" + caller.userId() : "addr:" + clientAddress(exchange);
		long hourlyLimit = (caller != null) ? this.properties.hourly(caller.plan().toLowerCase(Locale.ROOT))
				: this.properties.anonymous();
		long burstLimit = this.properties.burst();
		long now = Instant.now().getEpochSecond();
		long hourEnd = (now / HOUR + 1) * HOUR;
		long minuteEnd = (now / MINUTE + 1) * MINUTE;
		return this.store.increment("rl:" + principal + ":h:" + hourEnd, Instant.ofEpochSecond(hourEnd))
			.zipWith(this.store.increment("rl:" + principal + ":m:" + minuteEnd, Instant.ofEpochSecond(minuteEnd)))
			.flatMap((counts) -> {
				long hourRemaining = Math.max(0, hourlyLimit - counts.getT1());
				long burstRemaining = Math.max(0, burstLimit - counts.getT2());
				HttpHeaders headers = exchange.getResponse().getHeaders();
				headers.set("X-RateLimit-Limit", Long.toString(hourlyLimit));
				headers.set("X-RateLimit-Remaining", Long.toString(hourRemaining));
				headers.set("X-RateLimit-Reset", Long.toString(hourEnd));
				headers.set("RateLimit-Policy",
						"\"hour\";q=" + hourlyLimit + ";w=" + HOUR + ", \"burst\";q=" + burstLimit + ";w=" + MINUTE);
				boolean burstTighter = burstRemaining < hourRemaining;
				headers.set("RateLimit", burstTighter ? "\"burst\";r=" + burstRemaining + ";t=" + (minuteEnd - now)
						: "\"hour\";r=" + hourRemaining + ";t=" + (hourEnd - now));
				if (counts.getT1() > hourlyLimit) {
					return refuse(exchange, "Hourly request limit of " + hourlyLimit + " reached", hourEnd - now);
				}
				if (counts.getT2() > burstLimit) {
					return refuse(exchange, "More than " + burstLimit + " requests in a minute", minuteEnd - now);
				}
				return chain.filter(exchange);
			});
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
