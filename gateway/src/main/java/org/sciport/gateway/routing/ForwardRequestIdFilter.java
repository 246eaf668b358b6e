package org.sciport.gateway.routing;

import org.sciport.commons.web.RequestIds;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Sends the gateway's request id to the service, replacing whatever the client sent, so the
 * service's logs and error bodies carry the same id as the gateway's.
 */
@Component
class ForwardRequestIdFilter implements GlobalFilter, Ordered {

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		String requestId = RequestIds.of(exchange);
		ServerWebExchange forwarded = exchange.mutate()
			.request((request) -> request.headers((headers) -> headers.set(RequestIds.HEADER, requestId)))
			.build();
		return chain.filter(forwarded);
	}

}
