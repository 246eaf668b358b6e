package org.sciport.workflow.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.springframework.util.MultiValueMap;

/**
 * A page of a list as the resource API's clients read it: {@code {"data": [...], "meta":
 * {"total", "limit", "offset"}}}, asked for with {@code limit} (20 by default, at most
 * {@value #MAX_LIMIT}) and {@code offset}.
 *
 * @param limit items at most
 * @param offset items skipped
 */
public record Listing(int limit, long offset) {

	/** The most a {@code limit} may ask for. */
	public static final int MAX_LIMIT = 100;

	/** The window a request's query asks for; a bad number is a 400 naming it. */
	public static Listing of(MultiValueMap<String, String> query) {
		return new Listing((int) number(query.getFirst("limit"), "limit", 1, MAX_LIMIT, 20),
				number(query.getFirst("offset"), "offset", 0, Long.MAX_VALUE, 0));
	}

	private static long number(@Nullable String text, String field, long min, long max, long fallback) {
		if (text == null || text.isBlank()) {
			return fallback;
		}
		try {
			long value = Long.parseLong(text.trim());
			if (value >= min && value <= max) {
				return value;
			}
		}
		catch (NumberFormatException ex) {
			// Said below.
		}
		throw new ValidationException(field, field + " must be a whole number from " + min + " to " + max);
	}

	/** The answer: the items and where they stand in the whole list. */
	public Map<String, Object> answer(List<?> items, long total) {
		Map<String, Object> meta = new LinkedHashMap<>();
		meta.put("total", total);
		meta.put("limit", this.limit);
		meta.put("offset", this.offset);
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("data", items);
		answer.put("meta", meta);
		return answer;
	}

}
