package org.sciport.harvest.sources;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory on this host (a mounted share, for most instruments).
 */
public final class LocalSource implements Source {

	private final Path root;

	public LocalSource(Path root) {
		this.root = root;
	}

	public Path root() {
		return this.root;
	}

	@Override
	public List<Found> list() throws IOException {
		if (!Files.isDirectory(this.root, LinkOption.NOFOLLOW_LINKS)) {
			throw new SourceException("the source directory " + this.root + " is not there");
		}
		List<Found> found = new ArrayList<>();
		Files.walkFileTree(this.root, new SimpleFileVisitor<>() {
			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
				if (attributes.isRegularFile()) {
					String relative = LocalSource.this.root.relativize(file).toString()
						.replace(file.getFileSystem().getSeparator(), "/");
					found.add(new Found(relative, attributes.size(), attributes.lastModifiedTime().toInstant()));
				}
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult visitFileFailed(Path file, IOException ex) {
				return FileVisitResult.CONTINUE;
			}
		});
		return found;
	}

	@Override
	public InputStream open(String path) throws IOException {
		Path file = this.root.resolve(path).normalize();
		if (!file.startsWith(this.root)) {
			throw new SourceException("the path " + path + " leaves the source directory");
		}
		return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
	}

	@Override
	public void close() {
	}

}
