package org.sciport.upload.tus;

import java.util.Set;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The tus protocol's frame around every request under {@code /v1/uploads/tus}: each answer
 * carries {@code Tus-Resumable}, a request of another protocol version is refused with 412
 * (naming the versions served), and {@code X-HTTP-Method-Override} turns a POST into the
 * PATCH or DELETE of clients that cannot send those.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class TusProtocolFilter implements WebFilter {

	static final String VERSION = "1.0.0";

	private static final Set<String> OVERRIDABLE = Set.of("PATCH", "DELETE", "HEAD");

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String path = exchange.getRequest().getPath().value();
		if (!path.equals(TusController.BASE) && !path.startsWith(TusController.BASE + "/")) {
			return chain.filter(exchange);
		}
		exchange.getResponse().beforeCommit(() -> {
			exchange.getResponse().getHeaders().set("Tus-Resumable", VERSION);
			return Mono.empty();
		});
		ServerWebExchange effective = exchange;
		String override = exchange.getRequest().getHeaders().getFirst("X-HTTP-Method-Override");
		if (exchange.getRequest().getMethod() == HttpMethod.POST && override != null
				&& OVERRIDABLE.contains(override.trim().toUpperCase(java.util.Locale.ROOT))) {
			HttpMethod method = HttpMethod.valueOf(override.trim().toUpperCase(java.util.Locale.ROOT));
			effective = exchange.mutate().request((request) -> request.method(method)).build();
		}
		if (effective.getRequest().getMethod() != HttpMethod.OPTIONS
				&& !VERSION.equals(effective.getRequest().getHeaders().getFirst("Tus-Resumable"))) {
			exchange.getResponse().setStatusCode(HttpStatus.PRECONDITION_FAILED);
			exchange.getResponse().getHeaders().set("Tus-Version", VERSION);
			return exchange.getResponse().setComplete();
		}
		return chain.filter(effective);
	}

}
