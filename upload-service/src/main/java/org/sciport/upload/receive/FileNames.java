package org.sciport.upload.receive;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;

/**
 * The rules a client's file name must meet. A name is kept as the client gave it, never
 * rewritten behind its back; one that could escape a directory or confuse a terminal is
 * refused instead.
 */
public final class FileNames {

	/** Bytes, as most file systems count them. */
	static final int MAX_BYTES = 255;

	private FileNames() {
	}

	/**
	 * Returns {@code name} if it is a plain file name; otherwise throws a
	 * {@link ValidationException} naming {@code field}.
	 */
	public static String require(@Nullable String name, String field) {
		if (name == null || name.isBlank()) {
			throw new ValidationException(field, field + " is required");
		}
		if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
			throw new ValidationException(field, field + " is longer than " + MAX_BYTES + " bytes");
		}
		if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
			throw new ValidationException(field, field + " must not contain a path separator");
		}
		if (name.equals(".") || name.contains("..")) {
			throw new ValidationException(field, field + " must not contain '..'");
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
				throw new ValidationException(field, field + " must not contain NUL or control characters");
			}
		}
		return name;
	}

}
