package org.sciport.harvest.storage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.sciport.commons.error.ValidationException;
import org.sciport.commons.storage.BlobKeys;

/**
 * Where a harvested file is stored: {@code {instrument}/{source path}} for a file's first
 * version, {@code {instrument}/v{n}-xver/{source path}} for later ones, so no version overwrites
 * another's copy. Blob keys allow only letters, digits, {@code .}, {@code _} and {@code -} in a
 * segment (and a letter or digit first), while instruments name files as they like: every other
 * byte of a segment's UTF-8 is written {@code -xhh} (so is a {@code -} that an {@code x} or
 * {@code X} follows), and a first byte that may not start a segment {@code 0-XHH}. The mapping is one to
 * one, and since an escape is always {@code -x} and two hex digits, no source path yields the
 * version segment's {@code -xver}.
 */
public final class Keys {

	private Keys() {
	}

	/** The key of version {@code version} of the file at {@code sourcePath} (segments split on {@code /}). */
	public static String of(UUID instrument, int version, String sourcePath) {
		List<String> segments = new ArrayList<>();
		segments.add(instrument.toString());
		if (version > 1) {
			segments.add("v" + version + "-xver");
		}
		for (String segment : sourcePath.split("/")) {
			if (!segment.isEmpty()) {
				segments.add(segment(segment));
			}
		}
		String key = String.join("/", segments);
		try {
			return BlobKeys.validate(key);
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException("source_path", "the file's path is too deep or a name too long to store: "
					+ ex.getMessage());
		}
	}

	static String segment(String name) {
		StringBuilder out = new StringBuilder();
		byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
		for (int i = 0; i < bytes.length; i++) {
			int b = bytes[i] & 0xff;
			// A '-' is kept unless an 'x' or 'X' follows it: "-x" and "0-X" always start an escape.
			boolean plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
					|| ((b == '.' || b == '_') && i > 0)
					|| (b == '-' && i > 0 && !(i + 1 < bytes.length && (bytes[i + 1] == 'x' || bytes[i + 1] == 'X')));
			if (plain) {
				out.append((char) b);
			}
			else if (i == 0) {
				// A segment must start with a letter or digit: a first byte that cannot is written
				// 0-XHH (upper case, which no other escape uses).
				out.append("0-X").append(String.format("%02X", b));
			}
			else {
				out.append("-x").append(String.format("%02x", b));
			}
		}
		return out.toString();
	}

}
