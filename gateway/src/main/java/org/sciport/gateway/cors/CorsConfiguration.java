package org.sciport.gateway.cors;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * CORS for the configured origins, answered before the token check: a preflight carries no token
 * (browsers never send one), so tus clients and portals on another origin get their
 * {@code OPTIONS} answered. The answers expose the headers those clients read: tus's, the
 * rate-limit fields, {@code Location}, {@code Retry-After} and the request id. Tokens travel in
 * headers, never cookies, so credentials are not allowed.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CorsProperties.class)
class CorsConfiguration {

	static final List<String> EXPOSED = List.of("Location", "Retry-After", "X-Request-Id", "Tus-Resumable",
			"Tus-Version", "Tus-Extension", "Tus-Max-Size", "Tus-Checksum-Algorithm", "Upload-Offset", "Upload-Length",
			"Upload-Defer-Length", "Upload-Metadata", "Upload-Concat", "Upload-Expires", "X-RateLimit-Limit",
			"X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit", "RateLimit-Policy", "WWW-Authenticate");

	@Bean
	WebFilter corsFilter(CorsProperties properties) {
		if (properties.allowedOrigins().isEmpty()) {
			return new OrderedCorsFilter(null);
		}
		org.springframework.web.cors.CorsConfiguration cors = new org.springframework.web.cors.CorsConfiguration();
		cors.setAllowedOriginPatterns(properties.allowedOrigins());
		cors.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
		cors.addAllowedHeader("*");
		cors.setExposedHeaders(EXPOSED);
		cors.setAllowCredentials(false);
		cors.setMaxAge(properties.maxAge());
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		source.registerCorsConfiguration("/**", cors);
		return new OrderedCorsFilter(new CorsWebFilter(source));
	}

	/**
	 * Right after the request id, before the access token is checked; without origins, nothing.
	 */
	private record OrderedCorsFilter(@Nullable CorsWebFilter cors) implements WebFilter, Ordered {

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
			return (this.cors != null) ? this.cors.filter(exchange, chain) : chain.filter(exchange);
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE + 2;
		}

	}

}
