package org.sciport.commons.error;

import org.springframework.web.server.ServerWebExchange;

/**
 * Renders the native {@link ErrorBody}. Used when no more specific renderer claims a request.
 */
public final class NativeErrorRenderer implements ErrorRenderer {

	@Override
	public boolean supports(ServerWebExchange exchange) {
		return true;
	}

	@Override
	public Object render(ApiError error, String requestId) {
		return ErrorBody.of(error, requestId);
	}

}
