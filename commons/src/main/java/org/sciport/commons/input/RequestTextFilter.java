package org.sciport.commons.input;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses text no handler should ever see, before anything reads it: a NUL character
 * ({@code %00}) in the path, in a query parameter's name or value, or in a form field (text
 * PostgreSQL cannot store), and a form body whose percent-encoding is broken ({@code %zz}).
 * Each is a 400 naming the parameter. JSON bodies get the same rule from
 * {@link StrictJson}.
 */
public final class RequestTextFilter implements WebFilter, Ordered {

	private final boolean readForms;

	/**
	 * @param readForms whether form bodies are checked too (not where the body is passed on
	 * unread, as at the gateway)
	 */
	public RequestTextFilter(boolean readForms) {
		this.readForms = readForms;
	}

	@Override
	public int getOrder() {
		// Right after the request id, so the refusal carries it.
		return Ordered.HIGHEST_PRECEDENCE + 1;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		for (PathContainer.Element element : exchange.getRequest().getPath().pathWithinApplication().elements()) {
			if (hasNul(element.value())) {
				return Mono.error(new ValidationException("path", "The path may not contain NUL characters"));
			}
		}
		@Nullable ValidationException query;
		try {
			query = nulIn(exchange.getRequest().getQueryParams());
		}
		catch (IllegalArgumentException ex) {
			query = new ValidationException("query", "The query string is not validly percent-encoded");
		}
		if (query != null) {
			return Mono.error(query);
		}
		MediaType type = exchange.getRequest().getHeaders().getContentType();
		if (!this.readForms || type == null || !MediaType.APPLICATION_FORM_URLENCODED.isCompatibleWith(type)) {
			return chain.filter(exchange);
		}
		return exchange.getFormData()
			.onErrorMap((ex) -> !(ex instanceof ValidationException),
					(ex) -> new ValidationException("body", "The form body is not validly percent-encoded"))
			.flatMap((form) -> {
				ValidationException nul = nulIn(form);
				return (nul != null) ? Mono.<Void>error(nul) : chain.filter(exchange);
			});
	}

	private static @Nullable ValidationException nulIn(MultiValueMap<String, String> parameters) {
		for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
			if (hasNul(parameter.getKey())) {
				return new ValidationException("query", "A parameter name may not contain NUL characters");
			}
			for (String value : parameter.getValue()) {
				if (value != null && hasNul(value)) {
					return new ValidationException(parameter.getKey(),
							"'" + parameter.getKey() + "' may not contain NUL characters");
				}
			}
		}
		return null;
	}

	private static boolean hasNul(String text) {
		return text.indexOf('\u0000') >= 0 || text.contains("%00");
	}

}
