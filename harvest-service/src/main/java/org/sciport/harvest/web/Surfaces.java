package org.sciport.harvest.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ErrorRenderer;
import org.sciport.commons.error.FastApiErrorRenderer;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.page.Page;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;

/**
 * The two surfaces every harvest-service resource is served on. {@code /api/*} answers as the
 * instrument harvester's clients expect: lists as {@code {items, total, skip, limit}} paged by
 * {@code skip} and {@code limit} (25 by default, at most 500), a few lists as plain arrays,
 * errors as {@code {"detail": ...}} with validation failures a 422 in FastAPI's list form.
 * {@code /v1/*} answers in Sciport's native shapes: pages of {@code data}, {@code pagination}
 * and {@code links}, the native error body.
 */
@Configuration(proxyBeanMethods = false)
public class Surfaces {

	/** The most a {@code limit} may ask for. */
	public static final int MAX_LIMIT = 500;

	@Bean
	ErrorRenderer harvesterErrors() {
		return new FastApiErrorRenderer("/api/");
	}

	/**
	 * Which part of a list a request asks for.
	 *
	 * @param offset items to skip
	 * @param limit items at most
	 * @param page the native page request, {@code null} on the harvester's surface
	 */
	public record Window(long offset, int limit, @Nullable PageRequest page) {
	}

	/** Whether the request came in on the native surface. */
	public static boolean isNative(ServerWebExchange exchange) {
		return exchange.getRequest().getPath().value().startsWith("/v1/");
	}

	/** The window a list request asks for, in its surface's parameters. */
	public static Window window(ServerWebExchange exchange) {
		MultiValueMap<String, String> query = exchange.getRequest().getQueryParams();
		if (isNative(exchange)) {
			PageRequest page = PageRequest.from(query);
			return new Window(page.offset(), page.perPage(), page);
		}
		long skip = number(query.getFirst("skip"), "skip", 0, Long.MAX_VALUE / 2, 0);
		int limit = (int) number(query.getFirst("limit"), "limit", 1, MAX_LIMIT, 25);
		return new Window(skip, limit, null);
	}

	/** A list in its surface's shape. */
	public static Object list(ServerWebExchange exchange, Window window, List<?> items, long total) {
		if (window.page() != null) {
			return Page.of(items, total, window.page(), exchange.getRequest().getURI().getRawPath()
					+ ((exchange.getRequest().getURI().getRawQuery() != null)
							? "?" + exchange.getRequest().getURI().getRawQuery() : ""));
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("items", items);
		body.put("total", total);
		body.put("skip", window.offset());
		body.put("limit", window.limit());
		return body;
	}

	/** A list the harvester answers as a plain array (files, transfers, service accounts). */
	public static Object array(ServerWebExchange exchange, Window window, List<?> items, long total) {
		return (window.page() != null) ? list(exchange, window, items, total) : items;
	}

	/** The caller, who must be an administrator. */
	public static Caller admin(ServerWebExchange exchange) {
		Caller caller = AccessTokenFilter.requireCaller(exchange);
		if (!caller.isAdmin()) {
			throw new PermissionDeniedException("this needs the admin role");
		}
		return caller;
	}

	private static long number(@Nullable String text, String field, long min, long max, long fallback) {
		if (text == null || text.isBlank()) {
			return fallback;
		}
		try {
			long value = Long.parseLong(text.trim());
			if (value < min || value > max) {
				throw new ValidationException(field, field + " must be between " + min + " and " + max);
			}
			return value;
		}
		catch (NumberFormatException ex) {
			throw new ValidationException(field, field + " must be a whole number");
		}
	}

}
