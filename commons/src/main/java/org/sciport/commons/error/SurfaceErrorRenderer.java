package org.sciport.commons.error;

import java.util.List;

import org.springframework.web.server.ServerWebExchange;

/**
 * A seed surface's renderer: it owns the error shape of the requests under its path prefixes.
 */
public abstract class SurfaceErrorRenderer implements ErrorRenderer {

	private final List<String> pathPrefixes;

	protected SurfaceErrorRenderer(String... pathPrefixes) {
		this.pathPrefixes = List.of(pathPrefixes);
	}

	@Override
	public final boolean supports(ServerWebExchange exchange) {
		String path = exchange.getRequest().getPath().value();
		return this.pathPrefixes.stream().anyMatch(path::startsWith);
	}

}
