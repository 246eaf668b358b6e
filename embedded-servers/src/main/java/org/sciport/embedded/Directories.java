package org.sciport.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The temporary directories the embedded servers keep their data in when given none.
 */
final class Directories {

	private Directories() {
	}

	static Path temporary(String prefix) {
		try {
			return Files.createTempDirectory(prefix);
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException("No temporary directory for " + prefix + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Removes {@code directory} and everything in it; what cannot be removed is left to the OS.
	 */
	static void deleteTree(Path directory) {
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// Left to the OS.
		}
	}

}
