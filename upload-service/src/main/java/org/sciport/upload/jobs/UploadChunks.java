package org.sciport.upload.jobs;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The chunks of chunked uploads that have arrived, each with its SHA-256, and the job's
 * {@code bytes_received} kept as their sum.
 */
@Component
public class UploadChunks {

	private final DatabaseClient database;

	UploadChunks(DatabaseClient database) {
		this.database = database;
	}

	/** The stored chunk's SHA-256; empty if it has not arrived. */
	public Mono<String> sha256(UUID upload, int index) {
		return this.database.sql("SELECT sha256 FROM upload_chunk WHERE upload_id = :id AND chunk_index = :index")
			.bind("id", upload)
			.bind("index", index)
			.map((row) -> row.get("sha256", String.class))
			.one();
	}

	/** The chunks stored so far: index to SHA-256. */
	public Mono<Map<Integer, String>> stored(UUID upload) {
		return this.database.sql("SELECT chunk_index, sha256 FROM upload_chunk WHERE upload_id = :id")
			.bind("id", upload)
			.map((row) -> Map.entry(row.get("chunk_index", Integer.class), row.get("sha256", String.class)))
			.all()
			.collectMap(Map.Entry::getKey, Map.Entry::getValue);
	}

	/**
	 * Records a chunk written in place; {@code false} if another request recorded the same
	 * chunk first. A recorded chunk counts in the job's {@code bytes_received} and moves its
	 * expiry to {@code expires}.
	 */
	public Mono<Boolean> record(UUID upload, int index, long size, String sha256, Instant expires) {
		return this.database
			.sql("INSERT INTO upload_chunk (upload_id, chunk_index, size_bytes, sha256) VALUES (:id, :index, :size, :sha) "
					+ "ON CONFLICT DO NOTHING")
			.bind("id", upload)
			.bind("index", index)
			.bind("size", (int) size)
			.bind("sha", sha256)
			.fetch()
			.rowsUpdated()
			.flatMap((inserted) -> (inserted == 0) ? Mono.just(false)
					: this.database
						.sql("UPDATE upload SET bytes_received = (SELECT coalesce(sum(size_bytes), 0) FROM upload_chunk "
								+ "WHERE upload_id = :id), updated_at = now(), expires_at = :expires WHERE id = :id")
						.bind("id", upload)
						.bind("expires", expires)
						.then()
						.thenReturn(true));
	}

	/** Forgets a chunk, so that it is sent again. */
	public Mono<Void> forget(UUID upload, int index) {
		return this.database.sql("DELETE FROM upload_chunk WHERE upload_id = :id AND chunk_index = :index")
			.bind("id", upload)
			.bind("index", index)
			.then();
	}

}
