package org.sciport.workflow.runs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.SciportException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.Caller;
import org.sciport.workflow.resources.Applied;
import org.sciport.workflow.resources.Manifest;
import org.sciport.workflow.resources.Resources;
import org.sciport.workflow.web.Durations;
import org.sciport.workflow.web.Listing;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;

/**
 * Workflow runs as their users see them: queued when a workflow without a schedule is applied,
 * or by hand; their history, each run with its tasks; and the runs' logs.
 */
@Service
public class Runs implements Applied {

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final Resources resources;

	/** Wakes this replica's executor when a run is queued here. */
	private final Sinks.Many<Boolean> queued = Sinks.many().multicast().directBestEffort();

	private final tools.jackson.databind.json.JsonMapper json;

	Runs(DatabaseClient database, TransactionalOperator transactions, Resources resources,
			tools.jackson.databind.json.JsonMapper json) {
		this.json = json;
		this.database = database;
		this.transactions = transactions;
		this.resources = resources;
	}

	Flux<Boolean> queued() {
		return this.queued.asFlux();
	}

	/**
	 * A workflow applied without a schedule runs once now; one with a schedule is {@code active}
	 * and fires next at its cron's next tick (none after its {@code endOn}).
	 */
	@Override
	public Mono<Void> applied(Caller caller, UUID resource, int revision, Manifest manifest) {
		if (!"workflow".equals(manifest.type())) {
			return Mono.empty();
		}
		JsonNode workflow = manifest.spec().path("workflow");
		if (workflow.has("trigger")) {
			// Started by its events (Triggers), never on apply.
			return this.database
				.sql("UPDATE resource SET next_run_at = NULL, trigger_event = :event, status = 'active' WHERE id = :id")
				.bind("event", workflow.path("trigger").path("event").asString())
				.bind("id", resource)
				.then();
		}
		if (!workflow.has("schedule")) {
			return this.database.sql("UPDATE resource SET next_run_at = NULL, trigger_event = NULL WHERE id = :id")
				.bind("id", resource)
				.then()
				.then(queue(resource, revision, workflow.path("dag"), "apply", UUID.fromString(caller.userId()),
						caller.isAdmin()))
				.then();
		}
		Instant next = nextTick(workflow.path("schedule"), Instant.now());
		return this.database
			.sql("UPDATE resource SET next_run_at = :next, trigger_event = NULL, status = 'active' WHERE id = :id")
			.bindValues(Map.of("next", (next != null) ? next : org.springframework.r2dbc.core.Parameter.empty(Instant.class)))
			.bind("id", resource)
			.then();
	}

	/** A schedule's next tick after {@code after}, or {@code null} once its {@code endOn} is past. */
	static @Nullable Instant nextTick(JsonNode schedule, Instant after) {
		Instant next = org.sciport.commons.schedule.CronSchedule
			.parse(schedule.path("cron").asString(), schedule.path("timezone").asString(null))
			.next(after);
		String endOn = schedule.path("endOn").asString(null);
		Instant end = (endOn != null) ? org.sciport.workflow.resources.WorkflowSpec.endOn(endOn) : null;
		return (next == null || (end != null && next.isAfter(end))) ? null : next;
	}

	/**
	 * Asks a run to stop: a pending one is cancelled at once; a running one stops its tasks within
	 * a second or so. 409 for a run that already ended.
	 */
	public Mono<Map<String, Object>> cancel(Caller caller, String name, @Nullable String workspace, UUID run) {
		return get(caller, name, workspace, run).flatMap((view) -> {
			String status = (String) view.get("status");
			if (!"pending".equals(status) && !"running".equals(status)) {
				return Mono.error(new org.sciport.commons.error.ConflictException("Run " + run + " has ended (" + status + ")"));
			}
			return requestCancel(run).then(get(caller, name, workspace, run));
		});
	}

	/** Marks a run to stop; one not yet claimed is cancelled here and now. */
	public Mono<Void> requestCancel(UUID run) {
		return this.database
			.sql("UPDATE workflow_run SET cancel_requested = true, status = CASE WHEN status = 'pending' THEN 'cancelled' "
					+ "ELSE status END, finished_at = CASE WHEN status = 'pending' THEN now() ELSE finished_at END "
					+ "WHERE id = :id AND status IN ('pending', 'running')")
			.bind("id", run)
			.then()
			.then(this.database.sql("UPDATE task_run SET status = 'cancelled' WHERE run_id = :id AND status = 'pending' "
					+ "AND (SELECT status FROM workflow_run WHERE id = :id) = 'cancelled'")
				.bind("id", run)
				.then());
	}

	/** Starts a run of a workflow now. */
	public Mono<Map<String, Object>> start(Caller caller, String name, @Nullable String workspace) {
		return this.resources.locate(caller, "workflow", name, workspace)
			.flatMap((located) -> this.transactions.transactional(queue(located.id(), located.revision(),
					located.spec().path("workflow").path("dag"), "manual", UUID.fromString(caller.userId()), caller.isAdmin())))
			.flatMap((run) -> get(caller, name, workspace, run));
	}

	/**
	 * Queues a run.
	 *
	 * @param by who started it (by hand or by applying); {@code null} for the schedule's and
	 * events' runs, which act for whoever applied the revision
	 * @param byAdmin whether {@code by} acted as an administrator
	 */
	Mono<UUID> queue(UUID resource, int revision, JsonNode dag, String trigger, @Nullable UUID by, boolean byAdmin) {
		return queue(resource, revision, dag, trigger, by, byAdmin, null);
	}

	/**
	 * The event a run starts on.
	 *
	 * @param id its id (a run per workflow and event id, however often it is delivered)
	 * @param type its type
	 * @param data its data, as JSON
	 */
	record Event(String id, String type, String data) {
	}

	/** Queues a run; empty if the event already started one of this workflow. */
	Mono<UUID> queue(UUID resource, int revision, JsonNode dag, String trigger, @Nullable UUID by, boolean byAdmin,
			@Nullable Event event) {
		UUID run = UUID.randomUUID();
		List<String> tasks = new ArrayList<>();
		for (JsonNode task : dag) {
			tasks.add(task.path("name").asString());
		}
		Map<String, Object> values = new java.util.HashMap<>();
		values.put("by", (by != null) ? by : org.springframework.r2dbc.core.Parameter.empty(UUID.class));
		values.put("event", (event != null) ? event.id() : org.springframework.r2dbc.core.Parameter.empty(String.class));
		values.put("type", (event != null) ? event.type() : org.springframework.r2dbc.core.Parameter.empty(String.class));
		values.put("data", (event != null) ? event.data() : org.springframework.r2dbc.core.Parameter.empty(String.class));
		return this.database
			.sql("INSERT INTO workflow_run (id, resource_id, revision, trigger, status, created_by, by_admin, event_id, "
					+ "event_type, event_data, created_at) VALUES (:id, :resource, :revision, :trigger, 'pending', :by, :admin, "
					+ ":event, :type, CAST(:data AS jsonb), now()) ON CONFLICT (resource_id, event_id) "
					+ "WHERE event_id IS NOT NULL DO NOTHING")
			.bind("id", run)
			.bind("resource", resource)
			.bind("revision", revision)
			.bind("trigger", trigger)
			.bind("admin", byAdmin)
			.bindValues(values)
			.fetch()
			.rowsUpdated()
			.filter((inserted) -> inserted > 0)
			.flatMap((inserted) -> this.database
				.sql("INSERT INTO task_run (run_id, task, position, status) SELECT :run, t.task, t.n, 'pending' "
						+ "FROM unnest(CAST(:tasks AS text[])) WITH ORDINALITY AS t(task, n)")
				.bind("run", run)
				.bind("tasks", tasks.toArray(String[]::new))
				.then()
				.thenReturn(run))
			.doOnSuccess((done) -> this.queued.tryEmitNext(true));
	}

	/**
	 * Queues the run of a Nextflow project: one task, {@code nextflow}, whose spec is the run's
	 * own.
	 *
	 * @param run the run's id
	 * @param project the project
	 * @param spec the run's spec (a {@code workflow.dag} of one task)
	 * @param by who scheduled it
	 * @param byAdmin whether they did so as an administrator
	 */
	public Mono<UUID> queueProject(UUID run, int project, JsonNode spec, UUID by, boolean byAdmin) {
		return this.database
			.sql("INSERT INTO workflow_run (id, project_id, spec, trigger, status, created_by, by_admin, created_at) "
					+ "VALUES (:id, :project, CAST(:spec AS jsonb), 'manual', 'pending', :by, :admin, now())")
			.bind("id", run)
			.bind("project", project)
			.bind("spec", spec.toString())
			.bind("by", by)
			.bind("admin", byAdmin)
			.then()
			.then(this.database.sql("INSERT INTO task_run (run_id, task, position, status) SELECT :run, t.task, t.n, 'pending' "
					+ "FROM unnest(CAST(:tasks AS text[])) WITH ORDINALITY AS t(task, n)")
				.bind("run", run)
				.bind("tasks", java.util.stream.StreamSupport.stream(spec.path("workflow").path("dag").spliterator(), false)
					.map((task) -> task.path("name").asString())
					.toArray(String[]::new))
				.then())
			.thenReturn(run)
			.doOnSuccess((done) -> this.queued.tryEmitNext(true));
	}

	/** A workflow's runs, newest first. */
	public Mono<Map<String, Object>> list(Caller caller, String name, @Nullable String workspace, Listing listing) {
		return this.resources.locate(caller, "workflow", name, workspace).flatMap((located) -> {
			Mono<Long> total = this.database.sql("SELECT count(*) AS n FROM workflow_run WHERE resource_id = :id")
				.bind("id", located.id())
				.map((row) -> row.get("n", Long.class))
				.one();
			Mono<List<Map<String, Object>>> items = this.database
				.sql("SELECT * FROM workflow_run WHERE resource_id = :id ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset")
				.bind("id", located.id())
				.bind("limit", listing.limit())
				.bind("offset", listing.offset())
				.map(this::runView)
				.all()
				.collectList();
			return Mono.zip(items, total).map((page) -> listing.answer(page.getT1(), page.getT2()));
		});
	}

	/** One run with its tasks. */
	public Mono<Map<String, Object>> get(Caller caller, String name, @Nullable String workspace, UUID run) {
		return this.resources.locate(caller, "workflow", name, workspace)
			.flatMap((located) -> this.database.sql("SELECT * FROM workflow_run WHERE id = :run AND resource_id = :id")
				.bind("run", run)
				.bind("id", located.id())
				.map(this::runView)
				.one())
			.switchIfEmpty(Mono.error(() -> new SciportException(ErrorCode.RESOURCE_NOT_FOUND, "Run " + run + " not found",
					null, Map.of("type", "workflow", "name", name, "run", run.toString()), null)))
			.flatMap((view) -> this.database
				.sql("SELECT * FROM task_run WHERE run_id = :run ORDER BY position")
				.bind("run", run)
				.map((row) -> {
					Map<String, Object> task = new LinkedHashMap<>();
					task.put("name", row.get("task", String.class));
					task.put("status", row.get("status", String.class));
					task.put("attempts", row.get("attempts", Integer.class));
					task.put("exit_code", row.get("exit_code", Integer.class));
					task.put("error_message", row.get("error_message", String.class));
					task.put("started", row.get("started_at", Instant.class));
					task.put("finished", row.get("finished_at", Instant.class));
					return task;
				})
				.all()
				.collectList()
				.map((tasks) -> {
					view.put("tasks", tasks);
					return view;
				}));
	}

	/**
	 * What a log is asked for.
	 *
	 * @param after the oldest line's time
	 * @param tail the most lines
	 * @param run the run, {@code null} for the latest
	 */
	public record LogQuery(Instant after, int tail, @Nullable UUID run) {

		/** {@code since} ({@code 30m}, {@code 1h}, {@code 1d}), {@code tail} (1 to 10,000) and {@code run}, checked. */
		public static LogQuery parse(@Nullable String since, @Nullable String tail, @Nullable String run) {
			Duration window = null;
			if (since != null && !since.isBlank()) {
				window = Durations.parse(since);
				if (window == null) {
					throw new ValidationException("since", "since is a duration such as 30m, 1h or 1d");
				}
			}
			int lines = 1000;
			if (tail != null && !tail.isBlank()) {
				try {
					lines = Integer.parseInt(tail.trim());
				}
				catch (NumberFormatException ex) {
					lines = -1;
				}
				if (lines < 1 || lines > 10_000) {
					throw new ValidationException("tail", "tail is a number of lines from 1 to 10000");
				}
			}
			UUID runId = null;
			if (run != null && !run.isBlank()) {
				try {
					runId = UUID.fromString(run.trim());
				}
				catch (IllegalArgumentException ex) {
					throw new ValidationException("run", "run is a run's id");
				}
			}
			return new LogQuery((window != null) ? Instant.now().minus(window) : Instant.EPOCH, lines, runId);
		}

	}

	/**
	 * A resource's log lines: of one run (the latest unless {@code run} names one), those since
	 * {@code since} ago, the last {@code tail} of them, oldest first.
	 */
	private Mono<Map<String, Object>> logs(Caller caller, String type, String name, @Nullable String workspace,
			@Nullable String since, @Nullable String tail, @Nullable String run) {
		return Mono.fromCallable(() -> LogQuery.parse(since, tail, run))
			.flatMap((query) -> logs(this.resources.locate(caller, type, name, workspace)
				.flatMap((located) -> this.database
					.sql("SELECT id FROM workflow_run WHERE resource_id = :id AND (CAST(:run AS uuid) IS NULL OR id = :run) "
							+ "ORDER BY created_at DESC LIMIT 1")
					.bind("id", located.id())
					.bindValues(Map.of("run", (query.run() != null) ? query.run()
							: org.springframework.r2dbc.core.Parameter.empty(UUID.class)))
					.map((row) -> row.get("id", UUID.class))
					.one()), query));
	}

	/** The lines of the run {@code run} finds (none when it finds none), as {@link LogQuery} asks. */
	private Mono<Map<String, Object>> logs(Mono<UUID> run, LogQuery query) {
		return run
			.flatMap((id) -> this.database
				.sql("SELECT seq, at, level, task, message FROM (SELECT * FROM run_log WHERE run_id = :run AND at >= :after "
						+ "ORDER BY seq DESC LIMIT :limit) l ORDER BY seq")
				.bind("run", id)
				.bind("after", query.after())
				.bind("limit", query.tail())
				.map(Runs::line)
				.all()
				.collectList()
				.zipWith(this.database.sql("SELECT COALESCE(max(seq), 0) AS last FROM run_log WHERE run_id = :run")
					.bind("run", id)
					.map((row) -> row.get("last", Long.class))
					.one())
				.map((found) -> {
					Map<String, Object> answer = new LinkedHashMap<>();
					answer.put("logs", found.getT1());
					answer.put("run", id);
					answer.put("last_seq", found.getT2());
					return answer;
				}))
			.defaultIfEmpty(Map.of("logs", List.of()));
	}

	/** The log lines of the run {@code run} finds, as the seed shows them ({@code {"logs": [...]}}). */
	public Mono<Map<String, Object>> logLines(Mono<UUID> run, LogQuery query) {
		return logs(run, query).map(Runs::withoutSeqs);
	}

	/** Follows the log of the run {@code run} finds, as {@link #follow(Caller, String, String, String, String, String, String)}. */
	public Flux<Map<String, Object>> follow(Mono<UUID> run, LogQuery query) {
		return follow(logs(run, query));
	}

	/** The answer of {@code GET .../logs}: the lines, as the seed shows them. */
	public Mono<Map<String, Object>> logLines(Caller caller, String type, String name, @Nullable String workspace,
			@Nullable String since, @Nullable String tail, @Nullable String run) {
		return logs(caller, type, name, workspace, since, tail, run).map(Runs::withoutSeqs);
	}

	private static Map<String, Object> withoutSeqs(Map<String, Object> answer) {
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> lines = (List<Map<String, Object>>) answer.get("logs");
		return Map.of("logs", lines.stream().map(Runs::withoutSeq).toList());
	}

	/** A batch of new log lines, and whether the run had ended before they were read. */
	private record Batch(List<Map<String, Object>> lines, boolean ended) {
	}

	/**
	 * Follows a run's log: the lines {@link #logs} would answer, then each new line as it is
	 * written, until the run has ended and every line was sent. A finished run's log is sent
	 * whole, then the stream ends.
	 */
	public Flux<Map<String, Object>> follow(Caller caller, String type, String name, @Nullable String workspace,
			@Nullable String since, @Nullable String tail, @Nullable String run) {
		return follow(logs(caller, type, name, workspace, since, tail, run));
	}

	private Flux<Map<String, Object>> follow(Mono<Map<String, Object>> logs) {
		return logs.flatMapMany((answer) -> {
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> first = (List<Map<String, Object>>) answer.get("logs");
			UUID id = (UUID) answer.get("run");
			if (id == null) {
				return Flux.empty();
			}
			long[] last = { first.isEmpty() ? (Long) answer.get("last_seq") : (Long) first.get(first.size() - 1).get("seq") };
			Flux<Map<String, Object>> more = Flux.interval(FOLLOW_POLL)
				.concatMap((tick) -> this.database.sql("SELECT status FROM workflow_run WHERE id = :id")
					.bind("id", id)
					.map((row) -> row.get("status", String.class))
					.one()
					.flatMap((status) -> lines(id, last[0]).collectList()
						.map((lines) -> new Batch(lines, !"pending".equals(status) && !"running".equals(status)))))
				.doOnNext((batch) -> {
					if (!batch.lines().isEmpty()) {
						last[0] = (Long) batch.lines().get(batch.lines().size() - 1).get("seq");
					}
				})
				.takeUntil((batch) -> batch.ended() && batch.lines().isEmpty())
				.concatMapIterable(Batch::lines);
			return Flux.fromIterable(first).concatWith(more).map(Runs::withoutSeq);
		});
	}

	/** How often a followed log is read for new lines. */
	private static final Duration FOLLOW_POLL = Duration.ofMillis(300);

	private Flux<Map<String, Object>> lines(UUID run, long after) {
		return this.database
			.sql("SELECT seq, at, level, task, message FROM run_log WHERE run_id = :run AND seq > :after ORDER BY seq LIMIT 1000")
			.bind("run", run)
			.bind("after", after)
			.map(Runs::line)
			.all();
	}

	private static Map<String, Object> line(Readable row) {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("seq", row.get("seq", Long.class));
		line.put("timestamp", row.get("at", Instant.class));
		line.put("level", row.get("level", String.class));
		line.put("task", row.get("task", String.class));
		line.put("message", row.get("message", String.class));
		return line;
	}

	private static Map<String, Object> withoutSeq(Map<String, Object> line) {
		Map<String, Object> copy = new LinkedHashMap<>(line);
		copy.remove("seq");
		return copy;
	}

	private Map<String, Object> runView(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", UUID.class));
		view.put("revision", row.get("revision", Integer.class));
		view.put("trigger", row.get("trigger", String.class));
		view.put("status", row.get("status", String.class));
		view.put("error_message", row.get("error_message", String.class));
		view.put("cancel_requested", row.get("cancel_requested", Boolean.class));
		view.put("created", row.get("created_at", Instant.class));
		view.put("started", row.get("started_at", Instant.class));
		view.put("finished", row.get("finished_at", Instant.class));
		if (row.get("event_id", String.class) != null) {
			view.put("event", Map.of("id", row.get("event_id", String.class), "type", row.get("event_type", String.class)));
		}
		String outputs = org.sciport.workflow.web.Json.textOrNull(row, "outputs");
		view.put("outputs", (outputs != null) ? this.json.readTree(outputs) : List.of());
		return view;
	}

}
