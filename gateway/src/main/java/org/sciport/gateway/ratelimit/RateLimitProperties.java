package org.sciport.gateway.ratelimit;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Rate limits ({@code sciport.gateway.rate-limit.*}). Every caller has an hourly quota, by
 * plan for signed-in callers and per client address otherwise, and a per-minute burst limit.
 * The requests of an upload in progress that carry its bytes have an hourly quota and a
 * per-minute burst limit of their own:
 * a large file sent in small chunks must not run into the limits meant for API calls.
 *
 * @param enabled whether limits are applied
 * @param free requests per hour on the free plan
 * @param professional requests per hour on the professional plan
 * @param enterprise requests per hour on the enterprise plan
 * @param anonymous requests per hour per client address without a token
 * @param burst requests per minute for any caller
 * @param transfer requests per hour that carry an upload's bytes (a chunk, a tus {@code PATCH}
 * or a tus {@code HEAD} to resume), per signed-in caller, counted apart from the others
 * @param transferBurst such requests per minute per signed-in caller: each one reads the
 * upload's state, so even empty ones must not come without limit
 * @param apiTokenFailures refused API tokens ({@code sct_…}) per client address and minute; past
 * it, requests with an API token from that address are refused before auth-service is asked
 * @param store {@code memory} (one gateway) or {@code redis} (replicas share the limits)
 * @param storeTimeout how long a count in Redis may take; a slower or failed one lets the
 * request through (counted in {@code sciport.gateway.ratelimit.store.failures})
 * @param redisUrl the Redis server for {@code store=redis}, e.g. {@code redis://host:6379}
 */
@ConfigurationProperties("sciport.gateway.rate-limit")
public record RateLimitProperties(@DefaultValue("true") boolean enabled, @DefaultValue("1000") long free,
		@DefaultValue("10000") long professional, @DefaultValue("100000") long enterprise,
		@DefaultValue("1000") long anonymous, @DefaultValue("100") long burst, @DefaultValue("100000") long transfer,
		@DefaultValue("6000") long transferBurst, @DefaultValue("30") long apiTokenFailures,
		@DefaultValue("memory") String store, @DefaultValue("250ms") java.time.Duration storeTimeout,
		@DefaultValue("redis://127.0.0.1:6379") String redisUrl) {

	long hourly(String plan) {
		return switch (plan) {
			case "professional" -> this.professional;
			case "enterprise" -> this.enterprise;
			default -> this.free;
		};
	}

}
