package org.sciport.dataset.teams;

import java.util.List;
import java.util.UUID;

import org.sciport.commons.error.ValidationException;
import org.sciport.commons.page.PageRequest;
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
	 * The native page asked for ({@code page}, {@code per_page}), after refusing any query
	 * parameter other than those named (which include the page's own, if it takes them).
	 */
	public static PageRequest page(ServerWebExchange exchange, String... known) {
		PageRequest.requireKnown(exchange.getRequest().getQueryParams(), List.of(known));
		return PageRequest.from(exchange.getRequest().getQueryParams());
	}

	/**
	 * Refuses any query parameter other than those named.
	 */
	public static void only(ServerWebExchange exchange, String... known) {
		PageRequest.requireKnown(exchange.getRequest().getQueryParams(), List.of(known));
	}

	/**
	 * The request's path with its query, the base of pagination links.
	 */
	public static String withQuery(ServerWebExchange exchange) {
		String query = exchange.getRequest().getURI().getRawQuery();
		return exchange.getRequest().getURI().getRawPath() + ((query != null) ? "?" + query : "");
	}

}
