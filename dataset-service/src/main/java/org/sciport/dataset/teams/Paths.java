package org.sciport.dataset.teams;

import java.util.UUID;

import org.sciport.commons.error.ValidationException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Small helpers for request paths, shared by the dataset-service controllers.
 */
public final class Paths {

	private Paths() {
	}

	/**
	 * A path or body id as a UUID; anything else is a 400 naming the field.
	 */
	public static UUID uuid(String field, String value) {
		try {
			return UUID.fromString(value);
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException(field, field + " is not a valid id");
		}
	}

	/**
	 * The request's path with its query, the base of pagination links.
	 */
	public static String withQuery(ServerWebExchange exchange) {
		String query = exchange.getRequest().getURI().getRawQuery();
		return exchange.getRequest().getURI().getRawPath() + ((query != null) ? "?" + query : "");
	}

}
