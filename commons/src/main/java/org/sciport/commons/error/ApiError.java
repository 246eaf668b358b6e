package org.sciport.commons.error;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * An error after classification, before it is rendered in a surface's shape.
 *
 * @param status the HTTP status to answer with
 * @param code the machine-readable code
 * @param message a message safe to show to the client
 * @param field the offending request field, if any
 * @param details extra machine-readable details, possibly empty
 */
public record ApiError(HttpStatus status, ErrorCode code, String message, @Nullable String field,
		Map<String, Object> details) {

	public ApiError {
		details = Map.copyOf(details);
	}

	public static ApiError of(ErrorCode code, String message) {
		return new ApiError(code.status(), code, message, null, Map.of());
	}

}
