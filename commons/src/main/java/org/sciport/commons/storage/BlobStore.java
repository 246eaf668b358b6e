package org.sciport.commons.storage;

import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Where Sciport keeps file contents. Keys are relative, slash-separated paths of safe
 * segments ({@link BlobKeys#validate}). A blob becomes visible only when it is completely
 * written: a failed or cancelled write leaves nothing behind under its key.
 */
public interface BlobStore {

	/**
	 * Streams {@code content} into the blob {@code key}, replacing any blob of that key once
	 * the write has completed. Emits what was stored.
	 */
	Mono<StoredBlob> write(String key, Flux<DataBuffer> content);

	/**
	 * Stores a complete local file as the blob {@code key}; the file is gone afterwards (moved
	 * or copied and removed). A store on the same file system moves it without copying.
	 */
	default Mono<StoredBlob> importFile(String key, Path file) {
		return write(key, DataBufferUtils.read(file, DefaultDataBufferFactory.sharedInstance, 1024 * 1024))
			.flatMap((stored) -> Mono.fromCallable(() -> {
				Files.deleteIfExists(file);
				return stored;
			}).subscribeOn(Schedulers.boundedElastic()));
	}

	/**
	 * Streams the blob's content; errors with {@link BlobNotFoundException} if there is none.
	 */
	Flux<DataBuffer> read(String key);

	/**
	 * The stored blob's description, or empty if there is none.
	 */
	Mono<StoredBlob> stat(String key);

	/**
	 * Deletes the blob; deleting a missing blob is not an error.
	 */
	Mono<Void> delete(String key);

	/**
	 * Deletes every blob whose key starts with {@code prefix} followed by a slash.
	 */
	Mono<Void> deleteAll(String prefix);

}
