package org.sciport.harvest.sources;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;

/**
 * An instrument's files, read with blocking calls.
 */
public interface Source extends AutoCloseable {

	/**
	 * A regular file under the source's directory.
	 *
	 * @param path its path relative to that directory, with {@code /} between names
	 * @param size its size
	 * @param mtime when it was last modified
	 */
	record Found(String path, long size, Instant mtime) {
	}

	/** Every regular file under the directory, recursively; symbolic links are not followed. */
	List<Found> list() throws IOException;

	/** The contents of the file at {@code path} (as {@link Found#path()} gives it). */
	InputStream open(String path) throws IOException;

	@Override
	void close() throws IOException;

}
