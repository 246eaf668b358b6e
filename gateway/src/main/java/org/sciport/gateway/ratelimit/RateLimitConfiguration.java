package org.sciport.gateway.ratelimit;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.sciport.commons.web.ClientAddresses;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;

/**
 * The rate-limit filter and its store.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "sciport.gateway.rate-limit.enabled", matchIfMissing = true)
class RateLimitConfiguration {

	@Bean
	RateLimitStore rateLimitStore(RateLimitProperties properties, MeterRegistry meters) {
		return switch (properties.store()) {
			case "memory" -> new MemoryRateLimitStore();
			case "redis" -> new FailOpenRateLimitStore(new RedisRateLimitStore(properties.redisUrl()),
					properties.storeTimeout(), meters);
			default -> throw new IllegalStateException(
					"sciport.gateway.rate-limit.store must be memory or redis, not " + properties.store());
		};
	}

	@Bean
	RateLimitFilter rateLimitFilter(RateLimitProperties properties, RateLimitStore store,
			ClientAddresses clientAddresses, ObjectProvider<Clock> clock) {
		// The windows' clock: the system's, unless the application (a test) gives one.
		return new RateLimitFilter(properties, store, clock.getIfAvailable(Clock::systemUTC), clientAddresses::atTheEdge);
	}

	@Bean
	WebFilter rateLimitHeadersForRefusedRequests(RateLimitFilter rateLimitFilter) {
		return rateLimitFilter.headersForRefusedRequests();
	}

}
