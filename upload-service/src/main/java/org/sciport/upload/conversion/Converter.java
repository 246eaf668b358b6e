package org.sciport.upload.conversion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Reads one stored file of a known format and says what it holds. A converter runs on a
 * worker thread and may block; it reads a local copy of the file.
 */
interface Converter {

	/** Whether this converter reads {@code format}. */
	boolean reads(String format);

	Result convert(Path file) throws IOException;

	/**
	 * What conversion found.
	 *
	 * @param metadata the extracted metadata (lands on the dataset)
	 * @param rows the number of data rows, for tabular files
	 * @param thumbnail a PNG preview, for images
	 */
	record Result(Map<String, Object> metadata, @Nullable Long rows, byte @Nullable [] thumbnail) {
	}

}
