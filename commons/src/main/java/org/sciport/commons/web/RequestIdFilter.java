package org.sciport.commons.web;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Assigns the request id before anything else runs, returns it in the response header and
 * puts it in the Reactor context, from where a step that logs copies it into the logging MDC
 * ({@link RequestIdLogging}).
 */
public final class RequestIdFilter implements WebFilter, Ordered {

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String requestId = RequestIds.of(exchange);
		exchange.getResponse().getHeaders().set(RequestIds.HEADER, requestId);
		return chain.filter(exchange).contextWrite(context -> context.put(RequestIds.KEY, requestId));
	}

}
