package org.sciport.upload.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

import org.sciport.upload.UploadProperties;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Where unfinished chunked and tus uploads collect their bytes: one directory per upload,
 * named by its job id, holding one file that grows (tus) or fills in (chunks, each at its
 * offset). Nothing here is visible as a file of a dataset; a finished upload is moved into
 * the blob store, and the directory of an abandoned one is removed.
 */
@Component
public class Spool {

	private final Path root;

	Spool(UploadProperties properties) {
		this.root = properties.spoolDirectory().toAbsolutePath().normalize();
		try {
			Files.createDirectories(this.root);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot use the spool directory " + this.root, ex);
		}
	}

	/** The upload's directory, created if needed. */
	public Path directory(UUID id) throws IOException {
		return Files.createDirectories(this.root.resolve(id.toString()));
	}

	/** The single growing file of a tus upload. */
	public Path tusFile(UUID id) throws IOException {
		return directory(id).resolve("data");
	}

	/** The file a chunked upload's chunks are written into, each at its own offset. */
	public Path chunkedFile(UUID id) throws IOException {
		return directory(id).resolve("chunks");
	}

	/** Removes everything the upload collected. */
	public Mono<Void> delete(UUID id) {
		Path directory = this.root.resolve(id.toString());
		return Mono.<Void>fromCallable(() -> {
			if (Files.exists(directory)) {
				try (Stream<Path> paths = Files.walk(directory)) {
					paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
				}
			}
			return null;
		}).subscribeOn(Schedulers.boundedElastic());
	}

}
