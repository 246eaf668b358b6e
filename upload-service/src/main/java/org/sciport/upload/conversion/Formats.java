package org.sciport.upload.conversion;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;

/**
 * The formats conversion knows, named as clients name them, and their detection from a file
 * name when the client names none.
 */
public final class Formats {

	/** Formats a client may declare; {@code binary} is stored as is. */
	public static final Set<String> KNOWN = Set.of("hdf5", "nexus", "csv", "tsv", "json", "png", "jpeg", "tiff",
			"binary");

	private static final Map<String, String> BY_EXTENSION = Map.ofEntries(Map.entry("h5", "hdf5"),
			Map.entry("hdf5", "hdf5"), Map.entry("hdf", "hdf5"), Map.entry("nxs", "nexus"), Map.entry("csv", "csv"),
			Map.entry("tsv", "tsv"), Map.entry("tab", "tsv"), Map.entry("json", "json"), Map.entry("png", "png"),
			Map.entry("jpg", "jpeg"), Map.entry("jpeg", "jpeg"), Map.entry("tif", "tiff"), Map.entry("tiff", "tiff"));

	private Formats() {
	}

	/**
	 * The declared format if it is one of {@link #KNOWN} (400 naming {@code format} if not),
	 * otherwise the one the file name suggests, otherwise {@code binary}.
	 */
	public static String resolve(@Nullable String declared, String filename) {
		if (declared != null && !declared.isBlank()) {
			String format = declared.trim().toLowerCase(Locale.ROOT);
			if (!KNOWN.contains(format)) {
				throw new ValidationException("format", "format must be one of " + String.join(", ", KNOWN.stream().sorted().toList()));
			}
			return format;
		}
		int dot = filename.lastIndexOf('.');
		String extension = (dot < 0) ? "" : filename.substring(dot + 1).toLowerCase(Locale.ROOT);
		return BY_EXTENSION.getOrDefault(extension, "binary");
	}

	/**
	 * The format a client declares: {@code format} if given, otherwise the one its instrument's
	 * {@code sensor} implies ({@code 4D_NEXUS} is NeXus, {@code TIFF} is TIFF); {@code null} when
	 * neither says, leaving it to the file name.
	 */
	public static @Nullable String declared(@Nullable String format, @Nullable String sensor) {
		if (format != null && !format.isBlank()) {
			return format;
		}
		if (sensor == null) {
			return null;
		}
		return switch (sensor.trim().toUpperCase(Locale.ROOT)) {
			case "4D_NEXUS", "NEXUS" -> "nexus";
			case "TIFF" -> "tiff";
			default -> null;
		};
	}

}
