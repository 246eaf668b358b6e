package org.sciport.gateway.ratelimit;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The rate-limit filter and its store.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "sciport.gateway.rate-limit.enabled", matchIfMissing = true)
class RateLimitConfiguration {

	@Bean
	RateLimitStore rateLimitStore(RateLimitProperties properties) {
		if (!"memory".equals(properties.store())) {
			throw new IllegalStateException("sciport.gateway.rate-limit.store=" + properties.store()
					+ " is not available; use memory");
		}
		return new MemoryRateLimitStore();
	}

	@Bean
	RateLimitFilter rateLimitFilter(RateLimitProperties properties, RateLimitStore store) {
		return new RateLimitFilter(properties, store);
	}

}
