package org.sciport.harvest.admin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.harvest.run.HarvestRuns;
import org.sciport.commons.schedule.CronSchedule;
import org.sciport.harvest.web.Administered;
import org.sciport.harvest.web.Body;
import org.sciport.harvest.web.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Harvest schedules: an instrument, a 5-field cron expression in a time zone, whether it is
 * enabled, and a storage location overriding the instrument's. An instrument may have several,
 * each firing on its own. Editing a schedule leaves {@code enabled} as it was unless the edit
 * names it.
 */
@Service
public class Schedules {

	static final Set<String> FIELDS = Set.of("instrument_id", "default_storage_location_id", "cron_expression",
			"timezone", "enabled");

	private final DatabaseClient database;

	private final HarvestRuns runs;

	Schedules(DatabaseClient database, HarvestRuns runs) {
		this.database = database;
		this.runs = runs;
	}

	public Mono<List<Map<String, Object>>> list(@Nullable UUID instrument, long offset, int limit) {
		return Sql.bind(this.database.sql("SELECT * FROM harvest_schedule WHERE deleted_at IS NULL "
				+ "AND (CAST(:instrument AS uuid) IS NULL OR instrument_id = :instrument) ORDER BY created_at, id "
				+ "OFFSET :offset LIMIT :limit"), "instrument", instrument, UUID.class)
			.bind("offset", offset)
			.bind("limit", limit)
			.map(Schedules::view)
			.all()
			.collectList();
	}

	public Mono<Long> count(@Nullable UUID instrument) {
		return Sql.bind(this.database.sql("SELECT count(*) AS n FROM harvest_schedule WHERE deleted_at IS NULL "
				+ "AND (CAST(:instrument AS uuid) IS NULL OR instrument_id = :instrument)"), "instrument", instrument, UUID.class)
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	public Mono<Map<String, Object>> get(UUID id) {
		return this.database.sql("SELECT * FROM harvest_schedule WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.map(Schedules::view)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no schedule " + id)));
	}

	public Mono<Map<String, Object>> create(Body body) {
		UUID instrument = body.uuid("instrument_id");
		if (instrument == null) {
			throw new ValidationException("instrument_id", "instrument_id is required");
		}
		UUID storage = body.uuid("default_storage_location_id");
		CronSchedule cron = CronSchedule.parse(body.required("cron_expression", 200), body.text("timezone", 64));
		Boolean enabled = body.bool("enabled");
		UUID id = UUID.randomUUID();
		return exists("instrument", "instrument_id", instrument).then(exists("storage_location", "default_storage_location_id", storage))
			.then(Mono.defer(() -> Sql.bind(this.database
				.sql("INSERT INTO harvest_schedule (id, instrument_id, default_storage_location_id, cron_expression, timezone, "
						+ "enabled, next_run_at, created_at, updated_at) VALUES (:id, :instrument, :storage, :cron, :zone, :enabled, "
						+ ":next, now(), now())")
				.bind("id", id)
				.bind("instrument", instrument)
				.bind("cron", cron.expression())
				.bind("zone", cron.zone().getId())
				.bind("enabled", enabled == null || enabled), "storage", storage, UUID.class)
				.bindValues(next(cron))
				.then()))
			.then(Mono.defer(() -> get(id)));
	}

	public Mono<Map<String, Object>> update(UUID id, Body body) {
		return this.database.sql("SELECT * FROM harvest_schedule WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.map((row) -> row.get("cron_expression", String.class) + "\n" + row.get("timezone", String.class) + "\n"
					+ row.get("instrument_id", UUID.class))
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no schedule " + id)))
			.flatMap((stored) -> {
				String[] parts = stored.split("\n");
				CronSchedule cron = CronSchedule.parse(
						body.has("cron_expression") ? body.required("cron_expression", 200) : parts[0],
						body.has("timezone") ? body.text("timezone", 64) : parts[1]);
				UUID instrument = body.has("instrument_id") ? body.uuid("instrument_id") : UUID.fromString(parts[2]);
				if (instrument == null) {
					throw new ValidationException("instrument_id", "instrument_id is required");
				}
				StringBuilder sets = new StringBuilder("cron_expression = :cron, timezone = :zone, instrument_id = :instrument, "
						+ "next_run_at = :next, updated_at = now()");
				Map<String, Object> values = new LinkedHashMap<>(next(cron));
				values.put("cron", cron.expression());
				values.put("zone", cron.zone().getId());
				values.put("instrument", instrument);
				if (body.has("enabled")) {
					Boolean enabled = body.bool("enabled");
					if (enabled == null) {
						throw new ValidationException("enabled", "enabled must be true or false");
					}
					sets.append(", enabled = :enabled");
					values.put("enabled", enabled);
				}
				UUID storage = body.uuid("default_storage_location_id");
				if (body.has("default_storage_location_id")) {
					sets.append(", default_storage_location_id = :storage");
				}
				DatabaseClient.GenericExecuteSpec spec = this.database
					.sql("UPDATE harvest_schedule SET " + sets + " WHERE id = :id")
					.bind("id", id)
					.bindValues(values);
				if (body.has("default_storage_location_id")) {
					spec = Sql.bind(spec, "storage", storage, UUID.class);
				}
				return exists("instrument", "instrument_id", instrument)
					.then(exists("storage_location", "default_storage_location_id", storage))
					.then(spec.then());
			})
			.then(Mono.defer(() -> get(id)));
	}

	public Mono<Void> delete(UUID id) {
		return this.database.sql("UPDATE harvest_schedule SET deleted_at = now() WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.fetch()
			.rowsUpdated()
			.flatMap((n) -> (n == 0) ? Mono.error(new NotFoundException("no schedule " + id)) : Mono.empty());
	}

	/**
	 * Starts a run of the schedule's instrument now. A retried trigger with the same
	 * {@code idempotencyKey} answers the run the first one started.
	 */
	public Mono<Map<String, Object>> trigger(UUID id, UUID requester, @Nullable String idempotencyKey) {
		return this.database
			.sql("SELECT instrument_id, default_storage_location_id FROM harvest_schedule WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.map((row) -> new UUID[] { row.get("instrument_id", UUID.class), row.get("default_storage_location_id", UUID.class) })
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no schedule " + id)))
			.flatMap((ids) -> this.runs.request(ids[0], id, ids[1], "manual", requester, idempotencyKey))
			.map((run) -> {
				Map<String, Object> answer = new LinkedHashMap<>();
				answer.put("flow_run_id", run.get("id"));
				answer.put("schedule_id", id);
				answer.put("run_id", run.get("id"));
				answer.put("status", run.get("status"));
				return answer;
			});
	}

	private static Map<String, Object> next(CronSchedule cron) {
		Instant next = cron.next(Instant.now());
		return Map.of("next", (next != null) ? next : org.springframework.r2dbc.core.Parameter.empty(Instant.class));
	}

	private Mono<Void> exists(String table, String field, @Nullable UUID id) {
		return Administered.reference(this.database, table, table.replace('_', ' '), field, id);
	}

	private static Map<String, Object> view(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", UUID.class));
		view.put("instrument_id", row.get("instrument_id", UUID.class));
		view.put("default_storage_location_id", row.get("default_storage_location_id", UUID.class));
		view.put("cron_expression", row.get("cron_expression", String.class));
		view.put("timezone", row.get("timezone", String.class));
		view.put("enabled", row.get("enabled", Boolean.class));
		view.put("next_run_at", row.get("next_run_at", Instant.class));
		view.put("last_run_at", row.get("last_run_at", Instant.class));
		view.put("created_at", row.get("created_at", Instant.class));
		view.put("updated_at", row.get("updated_at", Instant.class));
		return view;
	}

}
