package org.sciport.commons.web;

import java.net.URI;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * The data portal's paths as its web client writes them: every call with a {@code .php}
 * suffix ({@code /portal/api/datasets.php}) and a cache-busting {@code t} parameter. Both are
 * taken off before routing, so that the gateway routes and the services answer
 * {@code /portal/api/datasets} whichever way it was asked.
 */
public final class PortalPaths implements WebFilter, Ordered {

	private static final String PORTAL = "/portal/api/";

	@Override
	public int getOrder() {
		// Before the token check and the routes, which both read the path.
		return Ordered.HIGHEST_PRECEDENCE + 2;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String path = exchange.getRequest().getPath().value();
		boolean portal = path.startsWith(PORTAL);
		boolean php = (portal || path.startsWith("/api/")) && path.endsWith(".php") && path.indexOf('/', 5) > 0;
		boolean cacheBuster = portal && exchange.getRequest().getQueryParams().containsKey("t");
		if (!php && !cacheBuster) {
			return chain.filter(exchange);
		}
		URI uri = exchange.getRequest().getURI();
		UriComponentsBuilder rewritten = UriComponentsBuilder.fromUri(uri);
		if (php) {
			rewritten.replacePath(uri.getRawPath().substring(0, uri.getRawPath().length() - ".php".length()));
		}
		if (cacheBuster) {
			rewritten.replaceQueryParam("t");
		}
		URI target = rewritten.build(true).toUri();
		return chain.filter(exchange.mutate().request((request) -> request.uri(target)).build());
	}

}
