package org.sciport.commons.error;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.web.server.ServerWebExchange;

/**
 * The data portal's error shape, {@code {success: false, error, code}} (plus the request id),
 * for the paths under the given prefixes. Each service that serves part of the portal
 * registers one for its paths.
 */
public final class PortalErrorRenderer implements ErrorRenderer {

	private final List<String> pathPrefixes;

	public PortalErrorRenderer(String... pathPrefixes) {
		this.pathPrefixes = List.of(pathPrefixes);
	}

	@Override
	public boolean supports(ServerWebExchange exchange) {
		String path = exchange.getRequest().getPath().value();
		return this.pathPrefixes.stream().anyMatch(path::startsWith);
	}

	@Override
	public Object render(ApiError error, String requestId) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("success", false);
		body.put("error", error.message());
		body.put("code", error.code().name());
		body.put("request_id", requestId);
		return body;
	}

}
