package org.sciport.harvest.records;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.security.Caller;
import org.sciport.harvest.storage.StorageTargets;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A harvested file's stored copy: the latest verified transfer's blob, read from its storage
 * location, for whoever may see the file record.
 * <p>
 * workflow-service stages harvested files for the workflows a user applied with its service
 * credential acting for that user ({@code X-Sciport-Acting-For}): the caller is then that user,
 * so a workflow never reads a file its author could not.
 */
@Service
public class FileContents {

	private final DatabaseClient database;

	private final StorageTargets targets;

	FileContents(DatabaseClient database, StorageTargets targets) {
		this.database = database;
		this.targets = targets;
	}

	/**
	 * A stored copy.
	 *
	 * @param filename the file's name
	 * @param size its size in bytes
	 * @param sha256 its SHA-256, if known
	 * @param content its bytes, streamed from the storage location
	 */
	public record Content(String filename, long size, @Nullable String sha256, Flux<DataBuffer> content) {
	}

	public Mono<Content> read(Caller caller, UUID id) {
		UUID me = caller.isAdmin() ? null : UUID.fromString(caller.userId());
		String access = (me == null) ? "true" : FileRecords.GRANTED;
		DatabaseClient.GenericExecuteSpec query = this.database
			.sql("SELECT f.filename, f.size_bytes, f.sha256, t.storage_location_id, t.destination_path FROM file_record f "
					+ "JOIN file_transfer t ON t.file_id = f.id AND t.status = 'completed' AND t.checksum_verified "
					+ "AND t.storage_location_id IS NOT NULL AND t.destination_path IS NOT NULL "
					+ "WHERE f.id = :id AND f.deleted_at IS NULL AND " + access + " ORDER BY t.completed_at DESC LIMIT 1")
			.bind("id", id);
		if (me != null) {
			query = query.bind("me", me);
		}
		return query
			.map((row) -> new Stored(row.get("filename", String.class), row.get("size_bytes", Long.class),
					row.get("sha256", String.class), row.get("storage_location_id", UUID.class),
					row.get("destination_path", String.class)))
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no stored copy of file " + id)))
			.flatMap((stored) -> this.targets.target(stored.location())
				.map((target) -> new Content(stored.filename(), stored.size(), stored.sha256(),
						Flux.defer(() -> target.store().read(stored.key())))));
	}

	private record Stored(String filename, long size, @Nullable String sha256, UUID location, String key) {
	}

}
