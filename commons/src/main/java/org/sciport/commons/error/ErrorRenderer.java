package org.sciport.commons.error;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;

/**
 * Renders an {@link ApiError} in the shape a surface promises. The native renderer answers
 * every request; a seed adapter registers its own renderer (as a bean) for the paths it serves,
 * so each surface keeps its documented error shape while classification stays in one place.
 */
public interface ErrorRenderer {

	/**
	 * Whether this renderer owns the error shape of the given request.
	 */
	boolean supports(ServerWebExchange exchange);

	/**
	 * The body to serialise as JSON.
	 */
	Object render(ApiError error, String requestId);

	/**
	 * The status to answer with: the error's own, unless the surface promises another.
	 */
	default HttpStatus status(ApiError error) {
		return error.status();
	}

}
