package org.sciport.commons.storage;

import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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
