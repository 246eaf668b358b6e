package org.sciport.commons.storage;

import java.util.regex.Pattern;

/**
 * Rules for blob keys, shared by every backend so a key valid in one is valid in all.
 */
public final class BlobKeys {

	private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._\\-]{0,199}");

	private static final int MAX_SEGMENTS = 16;

	private BlobKeys() {
	}

	/**
	 * Returns the key if every segment is safe (letters, digits, dot, dash, underscore; not
	 * starting with a dot, so no {@code ..}); throws {@link IllegalArgumentException} otherwise.
	 */
	public static String validate(String key) {
		String[] segments = key.split("/", -1);
		if (key.isEmpty() || segments.length > MAX_SEGMENTS) {
			throw new IllegalArgumentException("Invalid blob key");
		}
		for (String segment : segments) {
			if (!SEGMENT.matcher(segment).matches()) {
				throw new IllegalArgumentException("Invalid blob key segment");
			}
		}
		return key;
	}

}
