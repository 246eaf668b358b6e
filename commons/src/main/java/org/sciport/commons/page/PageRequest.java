package org.sciport.commons.page;

import java.util.Collection;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.springframework.util.MultiValueMap;

/**
 * A validated native page request: {@code page} from 1, {@code per_page} from 1 to
 * {@value #MAX_PER_PAGE}, default {@value #DEFAULT_PER_PAGE}.
 *
 * @param page the 1-based page number
 * @param perPage the page size
 */
public record PageRequest(int page, int perPage) {

	public static final int DEFAULT_PER_PAGE = 20;

	public static final int MAX_PER_PAGE = 100;

	public PageRequest {
		if (page < 1) {
			throw new ValidationException("page", "page must be 1 or greater");
		}
		if (perPage < 1 || perPage > MAX_PER_PAGE) {
			throw new ValidationException("per_page", "per_page must be between 1 and " + MAX_PER_PAGE);
		}
	}

	/**
	 * Reads {@code page} and {@code per_page} from query parameters; a non-numeric value is a
	 * validation error naming the parameter.
	 */
	public static PageRequest from(MultiValueMap<String, String> query) {
		return new PageRequest(intParam(query, "page", 1), intParam(query, "per_page", DEFAULT_PER_PAGE));
	}

	/**
	 * Refuses a query parameter the endpoint does not know (a typo would otherwise be ignored
	 * and the answer look right): a validation error naming it and the known ones.
	 */
	public static void requireKnown(MultiValueMap<String, String> query, Collection<String> known) {
		for (String name : query.keySet()) {
			if (!known.contains(name)) {
				throw new ValidationException(name, "unknown parameter '" + name + "'"
						+ (known.isEmpty() ? "; this endpoint takes none" : "; known: " + known.stream().sorted().toList()));
			}
		}
	}

	public long offset() {
		return (long) (this.page - 1) * this.perPage;
	}

	private static int intParam(MultiValueMap<String, String> query, String name, int fallback) {
		@Nullable String value = query.getFirst(name);
		if (value == null || value.isBlank()) {
			return fallback;
		}
		try {
			return Integer.parseInt(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new ValidationException(name, name + " must be an integer");
		}
	}

}
