package org.sciport.gateway.routing;

import java.util.List;
import java.util.Locale;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Removes headers a client could use to claim an identity ({@code X-User-*},
 * {@code X-Sciport-*}, {@code X-Forwarded-User}, {@code X-Remote-User}, {@code X-Auth-*})
 * before a request reaches a service: who the caller is comes from its verified token only.
 */
@Component
class StripIdentityHeadersFilter implements GlobalFilter, Ordered {

	private static final List<String> PREFIXES = List.of("x-user-", "x-sciport-", "x-auth-");

	private static final List<String> NAMES = List.of("x-forwarded-user", "x-remote-user", "remote-user", "x-user");

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		boolean claims = exchange.getRequest().getHeaders().headerNames().stream().anyMatch(StripIdentityHeadersFilter::isIdentity);
		if (!claims) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate()
			.request((request) -> request.headers((headers) -> List.copyOf(headers.headerNames())
				.stream()
				.filter(StripIdentityHeadersFilter::isIdentity)
				.forEach(headers::remove)))
			.build());
	}

	static boolean isIdentity(String header) {
		String name = header.toLowerCase(Locale.ROOT);
		return NAMES.contains(name) || PREFIXES.stream().anyMatch(name::startsWith);
	}

}
