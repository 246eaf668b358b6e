package org.sciport.commons.web;

import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * The request id: taken from a well-formed client {@code X-Request-Id}, otherwise generated.
 * It is echoed in the response header, in every error body and in the request's own log lines.
 */
public final class RequestIds {

	/** The header that carries the request id in and out. */
	public static final String HEADER = "X-Request-Id";

	/** Key of the request id in the exchange attributes, the Reactor context and the logging MDC. */
	public static final String KEY = "request_id";

	private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

	private RequestIds() {
	}

	/**
	 * The client's id if it is well formed (so ids can be correlated across systems), a fresh
	 * one otherwise (so a hostile header cannot inject into logs).
	 */
	public static String accept(@Nullable String clientValue) {
		if (clientValue != null && WELL_FORMED.matcher(clientValue).matches()) {
			return clientValue;
		}
		return "req_" + UUID.randomUUID().toString().replace("-", "");
	}

	/**
	 * The request id of an exchange; assigns one if the filter has not run (e.g. an error
	 * raised before filters).
	 */
	public static String of(ServerWebExchange exchange) {
		String id = exchange.getAttribute(KEY);
		if (id == null) {
			id = accept(exchange.getRequest().getHeaders().getFirst(HEADER));
			exchange.getAttributes().put(KEY, id);
		}
		return id;
	}

}
