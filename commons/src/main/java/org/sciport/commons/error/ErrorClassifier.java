package org.sciport.commons.error;

import java.util.List;
import java.util.Map;

import io.r2dbc.spi.R2dbcException;
import tools.jackson.databind.exc.JsonNodeException;
import org.jspecify.annotations.Nullable;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.MissingRequestValueException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.PayloadTooLargeException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.core.JacksonException;

/**
 * Turns any throwable into an {@link ApiError}. Client mistakes become 4xx with a message
 * that names what is wrong; everything unexpected becomes a bare {@code INTERNAL_ERROR} whose
 * message says nothing about internals.
 */
public final class ErrorClassifier {

	/**
	 * PostgreSQL's states for text it cannot store: a NUL byte ({@code 22021}
	 * character_not_in_repertoire) and {@code \u0000} in JSON ({@code 22P05}
	 * untranslatable_character).
	 */
	private static final java.util.Set<String> UNSTORABLE_TEXT = java.util.Set.of("22021", "22P05");

	private ErrorClassifier() {
	}

	public static ApiError classify(Throwable error) {
		if (error instanceof SciportException e) {
			return new ApiError(e.code().status(), e.code(), e.getMessage(), e.field(), e.details());
		}
		if (error instanceof WebExchangeBindException e) {
			return bindingError(e);
		}
		if (error instanceof MissingRequestValueException e) {
			return new ApiError(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_ERROR,
					"Required " + e.getLabel() + " '" + e.getName() + "' is missing", e.getName(), Map.of());
		}
		if (findCause(error, DataBufferLimitException.class) != null || error instanceof PayloadTooLargeException) {
			return ApiError.of(ErrorCode.PAYLOAD_TOO_LARGE, "Request body is too large");
		}
		if (error instanceof ServerWebInputException e) {
			return inputError(e);
		}
		if (error instanceof MethodNotAllowedException) {
			return ApiError.of(ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed on this resource");
		}
		if (error instanceof UnsupportedMediaTypeStatusException e) {
			return ApiError.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
					"Content type " + (e.getContentType() != null ? e.getContentType() : "(none)")
							+ " is not supported here");
		}
		if (error instanceof NotAcceptableStatusException) {
			return ApiError.of(ErrorCode.NOT_ACCEPTABLE, "No acceptable representation");
		}
		if (error instanceof ResponseStatusException e) {
			return fromStatus(e.getStatusCode());
		}
		JsonNodeException node = findCause(error, JsonNodeException.class);
		if (node != null) {
			// A handler read a body value as a type it is not (an object where text belongs).
			return ApiError.of(ErrorCode.VALIDATION_ERROR, "A value in the request body has the wrong type");
		}
		R2dbcException database = findCause(error, R2dbcException.class);
		if (database != null && UNSTORABLE_TEXT.contains(database.getSqlState())) {
			// The last line of defence: text that slipped past the request checks and cannot be
			// stored. The statement failed, so its transaction wrote nothing.
			return ApiError.of(ErrorCode.VALIDATION_ERROR, "A value holds characters that cannot be stored");
		}
		return ApiError.of(ErrorCode.INTERNAL_ERROR, "An internal error occurred");
	}

	private static ApiError bindingError(WebExchangeBindException e) {
		FieldError first = e.getFieldError();
		if (first == null) {
			return ApiError.of(ErrorCode.VALIDATION_ERROR, "Request validation failed");
		}
		return new ApiError(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_ERROR,
				first.getField() + ": " + first.getDefaultMessage(), first.getField(), Map.of());
	}

	private static ApiError inputError(ServerWebInputException e) {
		UnrecognizedPropertyException unknown = findCause(e, UnrecognizedPropertyException.class);
		if (unknown != null) {
			return new ApiError(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_ERROR,
					"Unknown field '" + unknown.getPropertyName() + "'", unknown.getPropertyName(), Map.of());
		}
		MismatchedInputException mismatched = findCause(e, MismatchedInputException.class);
		String field = (mismatched != null) ? path(mismatched.getPath()) : null;
		if (field != null) {
			// Well-formed JSON, but a value that does not fit its field (a user id that is no UUID).
			return new ApiError(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_ERROR,
					"Field '" + field + "' has a value of the wrong type or format", field, Map.of());
		}
		if (findCause(e, JacksonException.class) != null || findCause(e, DecodingException.class) != null) {
			return ApiError.of(ErrorCode.VALIDATION_ERROR, "Request body is not valid JSON for this operation");
		}
		return ApiError.of(ErrorCode.VALIDATION_ERROR,
				e.getReason() != null ? e.getReason() : "Request validation failed");
	}

	/** A field's place in the body ({@code members[0].user_id}), or null for the body itself. */
	private static @Nullable String path(List<JacksonException.Reference> references) {
		StringBuilder path = new StringBuilder();
		for (JacksonException.Reference reference : references) {
			if (reference.getPropertyName() != null) {
				path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
			}
			else if (reference.getIndex() >= 0) {
				path.append('[').append(reference.getIndex()).append(']');
			}
		}
		return path.isEmpty() ? null : path.toString();
	}

	private static ApiError fromStatus(HttpStatusCode status) {
		for (ErrorCode code : ErrorCode.values()) {
			if (code.status().value() == status.value()) {
				return ApiError.of(code, defaultMessage(code));
			}
		}
		return status.is4xxClientError()
				? new ApiError(HttpStatus.valueOf(status.value()), ErrorCode.VALIDATION_ERROR, "Request failed",
						null, Map.of())
				: ApiError.of(ErrorCode.INTERNAL_ERROR, "An internal error occurred");
	}

	private static String defaultMessage(ErrorCode code) {
		return switch (code) {
			case RESOURCE_NOT_FOUND -> "No such resource";
			case INVALID_API_KEY -> "Authentication required";
			case INSUFFICIENT_PERMISSIONS -> "Not permitted";
			case SERVICE_UNAVAILABLE -> "Service temporarily unavailable";
			case RATE_LIMIT_EXCEEDED -> "Rate limit exceeded";
			case INTERNAL_ERROR -> "An internal error occurred";
			default -> "Request failed";
		};
	}

	private static <T extends Throwable> @Nullable T findCause(Throwable error, Class<T> type) {
		@Nullable Throwable current = error;
		for (int depth = 0; current != null && depth < 16; depth++) {
			if (type.isInstance(current)) {
				return type.cast(current);
			}
			current = current.getCause();
		}
		return null;
	}

}
