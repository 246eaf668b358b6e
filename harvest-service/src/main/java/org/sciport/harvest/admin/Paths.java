package org.sciport.harvest.admin;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.sciport.commons.error.ValidationException;

/**
 * Checks shared by the administered resources.
 */
final class Paths {

	private Paths() {
	}

	static UUID uuid(String field, String text) {
		try {
			return UUID.fromString(text);
		}
		catch (IllegalArgumentException ex) {
			throw new org.sciport.commons.error.NotFoundException("no " + field + " " + text);
		}
	}

	/**
	 * A directory on this host, which must be absolute and lie under one of {@code roots}
	 * (after {@code ..} is resolved); symbolic links are resolved where the path exists.
	 */
	static Path underRoots(String field, String text, List<Path> roots) {
		Path path;
		try {
			path = Path.of(text);
		}
		catch (InvalidPathException ex) {
			throw new ValidationException(field, field + " is not a valid path");
		}
		if (!path.isAbsolute()) {
			throw new ValidationException(field, field + " must be an absolute path");
		}
		Path real = real(path.normalize());
		for (Path root : roots) {
			if (real.startsWith(real(root.toAbsolutePath().normalize()))) {
				return path.normalize();
			}
		}
		throw new ValidationException(field, field + " must lie under one of the allowed roots (sciport.harvest.allowed-roots)"
				+ (roots.isEmpty() ? "; none is configured" : ""));
	}

	private static Path real(Path path) {
		try {
			return path.toRealPath();
		}
		catch (java.io.IOException ex) {
			return path;
		}
	}

}
