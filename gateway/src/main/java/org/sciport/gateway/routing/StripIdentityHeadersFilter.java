package org.sciport.gateway.routing;

import java.util.List;
import java.util.Locale;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Removes headers a client could use to claim an identity ({@code X-User-*},
 * {@code X-Sciport-*}, {@code X-Forwarded-User}, {@code X-Remote-User}, {@code X-Auth-*})
 * before anything reads them: first of all the gateway's web filters, ahead of its own token
 * check (which would otherwise see {@code X-Sciport-Acting-For}, a header only services send to
 * each other), so no service ever receives one. Who the caller is comes from its verified token
 * only.
 */
@Component
class StripIdentityHeadersFilter implements WebFilter, Ordered {

	private static final List<String> PREFIXES = List.of("x-user-", "x-sciport-", "x-auth-");

	private static final List<String> NAMES = List.of("x-forwarded-user", "x-remote-user", "remote-user", "x-user");

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
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
