package org.sciport.commons.error;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Root of every error Sciport raises on purpose. Carries the {@link ErrorCode} (and so the
 * HTTP status), a message safe to show to the client, and optionally the offending field
 * and extra details. Anything that is not a {@code SciportException} (or a well-known
 * framework exception) is answered as {@link ErrorCode#INTERNAL_ERROR} without its message.
 */
public class SciportException extends RuntimeException {

	private final ErrorCode code;

	private final @Nullable String field;

	private final Map<String, Object> details;

	public SciportException(ErrorCode code, String message) {
		this(code, message, null, Map.of(), null);
	}

	public SciportException(ErrorCode code, String message, @Nullable String field, Map<String, Object> details,
			@Nullable Throwable cause) {
		super(message, cause);
		this.code = code;
		this.field = field;
		this.details = Map.copyOf(details);
	}

	public ErrorCode code() {
		return this.code;
	}

	public @Nullable String field() {
		return this.field;
	}

	public Map<String, Object> details() {
		return this.details;
	}

}
