package org.sciport.commons.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Blobs as files under one root directory. A write goes to a temporary file in the same
 * file system, is forced to disk, and is then renamed atomically into place (the directory
 * forced too, so the rename outlives a crash), so a reader never sees a half-written blob and
 * a crash leaves at most an orphaned temporary file (removed at the next start).
 */
public final class LocalBlobStore implements BlobStore {

	private static final int READ_BUFFER_SIZE = 256 * 1024;

	private final Path root;

	private final Path incoming;

	public LocalBlobStore(Path root) {
		this.root = root.toAbsolutePath().normalize();
		this.incoming = this.root.resolve(".incoming");
		try {
			Files.createDirectories(this.incoming);
			clearIncoming();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot use blob directory " + this.root, ex);
		}
	}

	@Override
	public Mono<StoredBlob> write(String key, Flux<DataBuffer> content) {
		Path target = pathOf(key);
		Path temp = this.incoming.resolve(UUID.randomUUID() + ".part");
		return ChannelWriter.write(content, () -> FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
			.then(Mono.fromCallable(() -> commit(temp, target, key)).subscribeOn(Schedulers.boundedElastic()))
			// On failure the partial file is gone before the error reaches the caller.
			.onErrorResume((ex) -> Mono.fromRunnable(() -> deleteQuietly(temp))
				.subscribeOn(Schedulers.boundedElastic())
				.then(Mono.error(ex)))
			.doOnCancel(() -> discard(temp));
	}

	/**
	 * Forces the file to disk and renames it into place when it lies on this store's file
	 * system; otherwise copies it like any other write.
	 */
	@Override
	public Mono<StoredBlob> importFile(String key, Path file) {
		Path target = pathOf(key);
		return Mono.fromCallable(() -> {
			try {
				return commit(file, target, key, false);
			}
			catch (AtomicMoveNotSupportedException ex) {
				return null;
			}
		})
			.subscribeOn(Schedulers.boundedElastic())
			.switchIfEmpty(Mono.defer(() -> BlobStore.super.importFile(key, file)));
	}

	@Override
	public Flux<DataBuffer> read(String key) {
		Path path = pathOf(key);
		return DataBufferUtils.read(path, DefaultDataBufferFactory.sharedInstance, READ_BUFFER_SIZE)
			.onErrorMap(NoSuchFileException.class, (ex) -> new BlobNotFoundException(key));
	}

	@Override
	public Mono<StoredBlob> stat(String key) {
		Path path = pathOf(key);
		return Mono.fromCallable(() -> Files.isRegularFile(path) ? new StoredBlob(key, Files.size(path)) : null)
			.subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Mono<Void> delete(String key) {
		Path path = pathOf(key);
		return Mono.<Void>fromCallable(() -> {
			Files.deleteIfExists(path);
			return null;
		}).subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Mono<Void> deleteAll(String prefix) {
		Path directory = pathOf(prefix);
		return Mono.<Void>fromCallable(() -> {
			deleteTree(directory);
			return null;
		}).subscribeOn(Schedulers.boundedElastic());
	}

	private Path pathOf(String key) {
		Path path = this.root.resolve(BlobKeys.validate(key)).normalize();
		if (!path.startsWith(this.root) || path.startsWith(this.incoming)) {
			throw new IllegalArgumentException("Invalid blob key");
		}
		return path;
	}

	private static StoredBlob commit(Path temp, Path target, String key) throws IOException {
		return commit(temp, target, key, true);
	}

	/**
	 * Forces {@code temp} to disk and renames it to {@code target} atomically; without
	 * {@code fallBackToCopy}, a rename across file systems throws
	 * {@link AtomicMoveNotSupportedException}.
	 */
	private static StoredBlob commit(Path temp, Path target, String key, boolean fallBackToCopy) throws IOException {
		try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
			channel.force(true);
		}
		long size = Files.size(temp);
		Files.createDirectories(target.getParent());
		try {
			Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (AtomicMoveNotSupportedException ex) {
			if (!fallBackToCopy) {
				throw ex;
			}
			Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
		}
		forceDirectory(target.getParent());
		return new StoredBlob(key, size);
	}

	/**
	 * Forces a directory's entries to disk, so that a rename into it survives a crash. Not
	 * every platform can open a directory for this (Windows cannot); there the rename alone
	 * has to do.
	 */
	private static void forceDirectory(Path directory) {
		try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException ex) {
			// Not supported here; the file itself is on disk already.
		}
	}

	private void clearIncoming() throws IOException {
		try (Stream<Path> leftovers = Files.list(this.incoming)) {
			leftovers.forEach(LocalBlobStore::deleteQuietly);
		}
	}

	private static void deleteTree(Path directory) throws IOException {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach(LocalBlobStore::deleteQuietly);
		}
	}


	private static void discard(Path temp) {
		Schedulers.boundedElastic().schedule(() -> deleteQuietly(temp));
	}

	private static void deleteQuietly(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			// Best effort: an orphaned temporary file is removed at the next start.
		}
	}

}
