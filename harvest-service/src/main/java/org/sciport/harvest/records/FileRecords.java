package org.sciport.harvest.records;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.security.Caller;
import org.sciport.harvest.web.Grantees;
import org.sciport.harvest.web.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * File records and transfers, filtered and checked against the caller.
 */
@Service
public class FileRecords {

	private final DatabaseClient database;

	private final JsonMapper json;

	FileRecords(DatabaseClient database, JsonMapper json) {
		this.database = database;
		this.json = json;
	}

	/**
	 * Filters of the file list.
	 *
	 * @param instrument only this instrument's
	 * @param sourcePathPrefix only files whose source path starts so
	 * @param discoveredAfter only files first discovered after this
	 */
	public record FileFilter(@Nullable UUID instrument, @Nullable String sourcePathPrefix,
			@Nullable Instant discoveredAfter) {
	}

	public Mono<List<Map<String, Object>>> files(Caller caller, FileFilter filter, long offset, int limit) {
		return fileQuery(caller, filter, "SELECT f.* FROM file_record f WHERE ",
				" ORDER BY f.first_discovered_at, f.id OFFSET :offset LIMIT :limit")
			.bind("offset", offset)
			.bind("limit", limit)
			.map(this::fileView)
			.all()
			.collectList();
	}

	public Mono<Long> countFiles(Caller caller, FileFilter filter) {
		return fileQuery(caller, filter, "SELECT count(*) AS n FROM file_record f WHERE ", "")
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	public Mono<Map<String, Object>> file(Caller caller, UUID id) {
		return access(caller, this.database.sql("SELECT f.* FROM file_record f WHERE f.id = :id AND f.deleted_at IS NULL AND "
				+ access(caller)))
			.bind("id", id)
			.map(this::fileView)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no file " + id)));
	}

	/** The file record that an ARK names, if the caller may see it. */
	public Mono<Map<String, Object>> byPersistentId(Caller caller, String ark) {
		return access(caller, this.database.sql("SELECT f.* FROM file_record f WHERE f.persistent_id = :ark AND "
				+ "f.deleted_at IS NULL AND " + access(caller)))
			.bind("ark", ark)
			.map(this::fileView)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no file is identified as " + ark)));
	}

	public Mono<List<Map<String, Object>>> transfers(Caller caller, @Nullable UUID file, @Nullable String status,
			long offset, int limit) {
		return transferQuery(caller, file, status, "SELECT t.* FROM file_transfer t JOIN file_record f ON f.id = t.file_id WHERE ",
				" ORDER BY t.created_at, t.id OFFSET :offset LIMIT :limit")
			.bind("offset", offset)
			.bind("limit", limit)
			.map((row) -> transfer(row))
			.all()
			.collectList();
	}

	public Mono<Long> countTransfers(Caller caller, @Nullable UUID file, @Nullable String status) {
		return transferQuery(caller, file, status,
				"SELECT count(*) AS n FROM file_transfer t JOIN file_record f ON f.id = t.file_id WHERE ", "")
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	public Mono<Map<String, Object>> transfer(Caller caller, UUID id) {
		return access(caller, this.database.sql("SELECT t.* FROM file_transfer t JOIN file_record f ON f.id = t.file_id "
				+ "WHERE t.id = :id AND " + access(caller)))
			.bind("id", id)
			.map((row) -> transfer(row))
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no transfer " + id)));
	}

	private DatabaseClient.GenericExecuteSpec fileQuery(Caller caller, FileFilter filter, String head, String tail) {
		DatabaseClient.GenericExecuteSpec spec = this.database.sql(head + "f.deleted_at IS NULL AND " + access(caller)
				+ " AND (CAST(:instrument AS uuid) IS NULL OR f.instrument_id = :instrument)"
				+ " AND (CAST(:prefix AS text) IS NULL OR starts_with(f.source_path, :prefix))"
				+ " AND (CAST(:after AS timestamptz) IS NULL OR f.first_discovered_at > :after)" + tail);
		spec = Sql.bind(spec, "instrument", filter.instrument(), UUID.class);
		spec = Sql.bind(spec, "prefix", filter.sourcePathPrefix(), String.class);
		spec = Sql.bind(spec, "after", filter.discoveredAfter(), Instant.class);
		return access(caller, spec);
	}

	private DatabaseClient.GenericExecuteSpec transferQuery(Caller caller, @Nullable UUID file, @Nullable String status,
			String head, String tail) {
		DatabaseClient.GenericExecuteSpec spec = this.database.sql(head + access(caller)
				+ " AND (CAST(:file AS uuid) IS NULL OR t.file_id = :file)"
				+ " AND (CAST(:status AS text) IS NULL OR t.status = :status)" + tail);
		spec = Sql.bind(spec, "file", file, UUID.class);
		spec = Sql.bind(spec, "status", status, String.class);
		return access(caller, spec);
	}

	/** The condition under which the caller sees a file record {@code f}. */
	private static String access(Caller caller) {
		return caller.isAdmin() ? "true" : GRANTED;
	}

	/** The condition under which the user bound as {@code :me} sees a file record {@code f}. */
	static final String GRANTED = "(EXISTS (SELECT 1 FROM instrument_access a WHERE a.instrument_id = f.instrument_id AND "
			+ Grantees.reach("a") + ") OR EXISTS (SELECT 1 FROM file_access fa WHERE fa.file_id = f.id AND "
			+ Grantees.reach("fa") + "))";

	private static DatabaseClient.GenericExecuteSpec access(Caller caller, DatabaseClient.GenericExecuteSpec spec) {
		return caller.isAdmin() ? spec : spec.bind("me", UUID.fromString(caller.userId()));
	}

	private Map<String, Object> fileView(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", UUID.class));
		view.put("persistent_id", row.get("persistent_id", String.class));
		view.put("persistent_id_type", row.get("persistent_id_type", String.class));
		view.put("instrument_id", row.get("instrument_id", UUID.class));
		view.put("source_path", row.get("source_path", String.class));
		view.put("filename", row.get("filename", String.class));
		view.put("version", row.get("version", Integer.class));
		view.put("size_bytes", row.get("size_bytes", Long.class));
		view.put("source_mtime", row.get("source_mtime", Instant.class));
		view.put("xxhash", row.get("xxhash", String.class));
		view.put("sha256", row.get("sha256", String.class));
		view.put("first_discovered_at", row.get("first_discovered_at", Instant.class));
		view.put("metadata_", this.json.readTree(Sql.json(row, "metadata_")));
		view.put("state", row.get("state", String.class));
		view.put("created_at", row.get("created_at", Instant.class));
		view.put("updated_at", row.get("updated_at", Instant.class));
		return view;
	}

	private Map<String, Object> transfer(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", UUID.class));
		view.put("file_id", row.get("file_id", UUID.class));
		view.put("run_id", row.get("run_id", UUID.class));
		view.put("storage_location_id", row.get("storage_location_id", UUID.class));
		view.put("destination_path", row.get("destination_path", String.class));
		view.put("transfer_adapter", row.get("transfer_adapter", String.class));
		view.put("bytes_transferred", row.get("bytes_transferred", Long.class));
		view.put("source_checksum", row.get("source_checksum", String.class));
		view.put("dest_checksum", row.get("dest_checksum", String.class));
		view.put("checksum_verified", row.get("checksum_verified", Boolean.class));
		view.put("status", row.get("status", String.class));
		view.put("attempts", row.get("attempts", Integer.class));
		view.put("started_at", row.get("started_at", Instant.class));
		view.put("completed_at", row.get("completed_at", Instant.class));
		view.put("error_message", row.get("error_message", String.class));
		view.put("hook_errors", this.json.readTree(Sql.json(row, "hook_errors")));
		return view;
	}

}
