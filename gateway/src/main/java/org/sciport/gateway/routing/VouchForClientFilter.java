package org.sciport.gateway.routing;

import org.sciport.commons.web.ClientAddresses;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Tells the service behind which address a request came from, signed so that only the gateway
 * can say it ({@link ClientAddresses}); runs after a client's own {@code X-Sciport-*} headers are
 * removed.
 */
@Component
class VouchForClientFilter implements GlobalFilter, Ordered {

	private final ClientAddresses clientAddresses;

	VouchForClientFilter(ClientAddresses clientAddresses) {
		this.clientAddresses = clientAddresses;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 1;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		String vouch = this.clientAddresses.vouchFor(this.clientAddresses.atTheEdge(exchange));
		if (vouch == null) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate()
			.request((request) -> request.headers((headers) -> headers.set(ClientAddresses.HEADER, vouch)))
			.build());
	}

}
