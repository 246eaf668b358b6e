package org.sciport.harvest.run;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.Caller;
import org.sciport.harvest.web.Grantees;
import org.sciport.harvest.web.Sql;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The record of harvest runs: requested (queued), claimed and carried out by one replica
 * ({@link Harvester}), finished with their counts. A request carrying an idempotency key that
 * its requester used before answers that earlier run instead of starting another.
 */
@Service
public class HarvestRuns {

	private final DatabaseClient database;

	private final Sinks.Many<Boolean> requested = Sinks.many().multicast().directBestEffort();

	HarvestRuns(DatabaseClient database) {
		this.database = database;
	}

	/** Signals each time a run is queued here (a replica also polls for others' requests). */
	Sinks.Many<Boolean> requested() {
		return this.requested;
	}

	/**
	 * Queues a run of {@code instrument} into {@code storage} (the instrument's default if
	 * {@code null}).
	 */
	public Mono<Map<String, Object>> request(UUID instrument, @Nullable UUID schedule, @Nullable UUID storage,
			String trigger, @Nullable UUID requester, @Nullable String idempotencyKey) {
		if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
			throw new ValidationException("Idempotency-Key", "Idempotency-Key must be 1 to 200 characters");
		}
		UUID id = UUID.randomUUID();
		DatabaseClient.GenericExecuteSpec insert = this.database
			.sql("INSERT INTO harvest_run (id, instrument_id, schedule_id, storage_location_id, trigger, status, "
					+ "idempotency_key, requested_by, created_at) SELECT :id, i.id, :schedule, "
					+ "COALESCE(CAST(:storage AS uuid), i.default_storage_location_id), :trigger, 'queued', :key, :requester, now() "
					+ "FROM instrument i WHERE i.id = :instrument AND i.deleted_at IS NULL")
			.bind("id", id)
			.bind("instrument", instrument)
			.bind("trigger", trigger);
		insert = Sql.bind(insert, "schedule", schedule, UUID.class);
		insert = Sql.bind(insert, "storage", storage, UUID.class);
		insert = Sql.bind(insert, "key", idempotencyKey, String.class);
		insert = Sql.bind(insert, "requester", requester, UUID.class);
		Mono<UUID> created = insert.fetch()
			.rowsUpdated()
			.flatMap((n) -> (n == 0) ? Mono.error(new NotFoundException("no instrument " + instrument)) : Mono.just(id))
			.doOnNext((queued) -> this.requested.tryEmitNext(Boolean.TRUE));
		if (idempotencyKey != null && requester != null) {
			created = created.onErrorResume(DataIntegrityViolationException.class, (ex) -> this.database
				.sql("SELECT id FROM harvest_run WHERE requested_by = :requester AND idempotency_key = :key")
				.bind("requester", requester)
				.bind("key", idempotencyKey)
				.map((row) -> row.get("id", UUID.class))
				.one());
		}
		return created.flatMap(this::get);
	}

	public Mono<Map<String, Object>> get(UUID id) {
		return this.database.sql("SELECT * FROM harvest_run WHERE id = :id")
			.bind("id", id)
			.map(HarvestRuns::view)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no harvest run " + id)));
	}

	/**
	 * Runs the caller may see (all for an administrator; for others, those of instruments
	 * granted to them), newest first.
	 */
	public Mono<List<Map<String, Object>>> list(Caller caller, @Nullable UUID instrument, long offset, int limit) {
		return visible(caller, instrument, "SELECT r.* FROM harvest_run r WHERE ", " ORDER BY r.created_at DESC, r.id "
				+ "OFFSET :offset LIMIT :limit")
			.bind("offset", offset)
			.bind("limit", limit)
			.map(HarvestRuns::view)
			.all()
			.collectList();
	}

	public Mono<Long> count(Caller caller, @Nullable UUID instrument) {
		return visible(caller, instrument, "SELECT count(*) AS n FROM harvest_run r WHERE ", "")
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	/** One run, if the caller may see it; 404 otherwise. */
	public Mono<Map<String, Object>> get(Caller caller, UUID id) {
		return visible(caller, null, "SELECT r.* FROM harvest_run r WHERE r.id = :id AND ", "")
			.bind("id", id)
			.map(HarvestRuns::view)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no harvest run " + id)));
	}

	private DatabaseClient.GenericExecuteSpec visible(Caller caller, @Nullable UUID instrument, String head, String tail) {
		String access = caller.isAdmin() ? "true"
				: "EXISTS (SELECT 1 FROM instrument_access a WHERE a.instrument_id = r.instrument_id AND "
						+ Grantees.reach("a") + ")";
		DatabaseClient.GenericExecuteSpec spec = this.database.sql(head + access
				+ " AND (CAST(:instrument AS uuid) IS NULL OR r.instrument_id = :instrument)" + tail);
		if (!caller.isAdmin()) {
			spec = spec.bind("me", UUID.fromString(caller.userId()));
		}
		return Sql.bind(spec, "instrument", instrument, UUID.class);
	}

	static Map<String, Object> view(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", UUID.class));
		view.put("instrument_id", row.get("instrument_id", UUID.class));
		view.put("schedule_id", row.get("schedule_id", UUID.class));
		view.put("storage_location_id", row.get("storage_location_id", UUID.class));
		view.put("trigger", row.get("trigger", String.class));
		view.put("status", row.get("status", String.class));
		view.put("files_discovered", row.get("files_discovered", Integer.class));
		view.put("files_transferred", row.get("files_transferred", Integer.class));
		view.put("files_skipped", row.get("files_skipped", Integer.class));
		view.put("files_failed", row.get("files_failed", Integer.class));
		view.put("files_held", row.get("files_held", Integer.class));
		view.put("bytes_transferred", row.get("bytes_transferred", Long.class));
		view.put("error_message", row.get("error_message", String.class));
		view.put("created_at", row.get("created_at", Instant.class));
		view.put("started_at", row.get("started_at", Instant.class));
		view.put("completed_at", row.get("completed_at", Instant.class));
		return view;
	}

}
