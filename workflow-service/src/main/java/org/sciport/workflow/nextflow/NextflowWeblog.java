package org.sciport.workflow.nextflow;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.AuthenticationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The weblog endpoint's work: what Nextflow's weblog observer posts about a run, taken only with
 * the run's secret ({@code Authorization: Basic}, as {@code weblog.basicToken} makes Nextflow
 * send it).
 * <p>
 * {@code process_submitted} and {@code process_completed} count a run's submitted and
 * completed processes, once per {@code (task_id, event)} however often a post is repeated; a
 * completion whose submission never arrived counts as both, so completed never exceeds
 * submitted. A retried task is a new {@code task_id} and counts again, as Nextflow ran it again;
 * cached tasks of a {@code -resume} send nothing and count nothing. Each trace record updates
 * its task, never back to an earlier state. {@code started}, {@code error} and
 * {@code completed} record the run's name, id, outcome and error.
 */
@Service
class NextflowWeblog {

	/** The events Nextflow's weblog observer sends. */
	private static final java.util.Set<String> EVENTS = java.util.Set.of("started", "process_submitted",
			"process_started", "process_completed", "error", "completed");

	/** Nextflow's exit code of a task that has not ended. */
	private static final int UNKNOWN_EXIT = Integer.MAX_VALUE;

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final JsonMapper json;

	NextflowWeblog(DatabaseClient database, TransactionalOperator transactions, JsonMapper json) {
		this.database = database;
		this.transactions = transactions;
		this.json = json;
	}

	static byte[] sha256(String secret) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The secret a request carries: the password of its Basic credentials (Nextflow sends
	 * {@code weblog.basicToken}, {@code user:secret}, that way); 401 without one.
	 */
	static String secret(@Nullable String authorization) {
		if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
			throw AuthenticationException.missing("The weblog takes posts from the run's own Nextflow only: "
					+ "Basic credentials with the run's secret are required");
		}
		String decoded;
		try {
			decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			throw new AuthenticationException("The weblog's Basic credentials are not Base64");
		}
		String secret = decoded.substring(decoded.indexOf(':') + 1);
		if (secret.isBlank()) {
			throw new AuthenticationException("The weblog's Basic credentials carry no secret");
		}
		return secret;
	}

	/**
	 * The running run of the project whose secret the request carries; 401 when none has it (a
	 * run's secret ends with it).
	 *
	 * @param project the project of the path
	 * @param authorization the request's {@code Authorization}
	 */
	Mono<UUID> authenticate(int project, @Nullable String authorization) {
		byte[] hash = sha256(secret(authorization));
		return this.database
			.sql("SELECT n.run_id FROM nextflow_run n JOIN workflow_run w ON w.id = n.run_id WHERE n.project_id = :project "
					+ "AND n.secret_sha256 = :hash AND w.status = 'running'")
			.bind("project", project)
			.bind("hash", hash)
			.map((row) -> row.get("run_id", UUID.class))
			.one()
			.switchIfEmpty(Mono.error(() -> new AuthenticationException("No running run of this project has that secret")));
	}

	/**
	 * Records one post for a run.
	 *
	 * @param run the run ({@link #authenticate})
	 * @param body the post's bytes (Nextflow's writer may mangle non-ASCII text: decoded leniently)
	 */
	Mono<Void> record(UUID run, byte[] body) {
		return Mono.fromCallable(() -> parse(body)).flatMap((post) -> {
			String event = post.path("event").asString("");
			if (!EVENTS.contains(event)) {
				// A newer Nextflow's event: taken, and left alone.
				return Mono.empty();
			}
			return this.transactions.transactional(recordRun(run, event, post).then(recordTrace(run, event, post)));
		});
	}

	private JsonNode parse(byte[] body) {
		JsonNode post;
		try {
			post = this.json.readTree(new String(body, StandardCharsets.UTF_8));
		}
		catch (JacksonException ex) {
			throw new NextflowProjects.Unprocessable("request body", "must be a JSON object of Nextflow's weblog");
		}
		if (post == null || !post.isObject()) {
			throw new NextflowProjects.Unprocessable("request body", "must be a JSON object of Nextflow's weblog");
		}
		if (!post.path("event").isString()) {
			throw new NextflowProjects.Unprocessable("event", "is required");
		}
		return post;
	}

	/** The run's own facts: its name and id, and once it ends, its outcome and error. */
	private Mono<Void> recordRun(UUID run, String event, JsonNode post) {
		JsonNode workflow = post.path("metadata").path("workflow");
		boolean ended = event.equals("completed") || event.equals("error");
		String error = text(workflow.path("errorMessage"));
		if (error == null && event.equals("error") && post.path("trace").isObject()) {
			error = text(post.path("trace").path("error_action"));
			error = (error != null) ? "task " + text(post.path("trace").path("name")) + " failed (" + error + ")" : null;
		}
		return this.database
			.sql("UPDATE nextflow_run SET nextflow_run_id = coalesce(:id, nextflow_run_id), "
					+ "run_name = coalesce(:name, run_name), last_event = :event, last_event_at = now(), "
					+ "success = CASE WHEN :ended AND :success IS NOT NULL THEN :success ELSE success END, "
					+ "exit_status = CASE WHEN :ended THEN coalesce(:exit, exit_status) ELSE exit_status END, "
					+ "error_message = coalesce(:error, error_message), error_report = coalesce(:report, error_report) "
					+ "WHERE run_id = :run")
			.bindValues(Map.of("id", value(text(post.path("runId"))), "name", value(text(post.path("runName"))), "success",
					workflow.path("success").isBoolean() ? workflow.path("success").asBoolean() : Parameter.empty(Boolean.class),
					"exit", workflow.path("exitStatus").isInt() ? workflow.path("exitStatus").asInt()
							: Parameter.empty(Integer.class),
					"error", value(error), "report", value(text(workflow.path("errorReport")))))
			.bind("event", event)
			.bind("ended", ended)
			.bind("run", run)
			.then();
	}

	/** A task's trace record: its state, and the run's counts of submitted and completed processes. */
	private Mono<Void> recordTrace(UUID run, String event, JsonNode post) {
		JsonNode trace = post.path("trace");
		if (!trace.isObject() || !trace.path("task_id").canConvertToLong()) {
			return Mono.empty();
		}
		long task = trace.path("task_id").asLong();
		String status = trace.path("status").asString("SUBMITTED").toUpperCase(java.util.Locale.ROOT);
		int exit = trace.path("exit").asInt(UNKNOWN_EXIT);
		Mono<Void> state = this.database
			.sql("INSERT INTO nextflow_task AS t (run_id, task_id, hash, name, process, status, exit_code, attempt, "
					+ "error_action, submitted_at, started_at, completed_at, duration_ms, realtime_ms, trace) VALUES (:run, :task, "
					+ ":hash, :name, :process, :status, :exit, :attempt, :action, :submitted, :started, :completed, :duration, "
					+ ":realtime, CAST(:trace AS jsonb)) ON CONFLICT (run_id, task_id) DO UPDATE SET hash = EXCLUDED.hash, "
					+ "name = EXCLUDED.name, process = EXCLUDED.process, status = EXCLUDED.status, "
					+ "exit_code = coalesce(EXCLUDED.exit_code, t.exit_code), attempt = EXCLUDED.attempt, "
					+ "error_action = coalesce(EXCLUDED.error_action, t.error_action), "
					+ "submitted_at = coalesce(EXCLUDED.submitted_at, t.submitted_at), "
					+ "started_at = coalesce(EXCLUDED.started_at, t.started_at), "
					+ "completed_at = coalesce(EXCLUDED.completed_at, t.completed_at), "
					+ "duration_ms = coalesce(EXCLUDED.duration_ms, t.duration_ms), "
					+ "realtime_ms = coalesce(EXCLUDED.realtime_ms, t.realtime_ms), trace = EXCLUDED.trace "
					+ "WHERE " + rank("t.status") + " <= " + rank("EXCLUDED.status"))
			.bind("run", run)
			.bind("task", task)
			.bind("status", status)
			.bind("trace", trace.toString())
			.bindValues(Map.of("hash", value(text(trace.path("hash"))), "name", value(text(trace.path("name"))), "process",
					value(text(trace.path("process"))), "exit", (exit != UNKNOWN_EXIT) ? exit : Parameter.empty(Integer.class),
					"attempt", trace.path("attempt").canConvertToInt() ? trace.path("attempt").asInt()
							: Parameter.empty(Integer.class),
					"action", value(text(trace.path("error_action")))))
			.bindValues(Map.of("submitted", time(trace.path("submit")), "started", time(trace.path("start")), "completed",
					time(trace.path("complete")), "duration", millis(trace.path("duration")), "realtime",
					millis(trace.path("realtime"))))
			.then();
		Mono<Void> counted = switch (event) {
			case "process_submitted" -> count(run, task, "process_submitted", "submitted_processes");
			case "process_completed" -> count(run, task, "process_submitted", "submitted_processes")
				.then(count(run, task, "process_completed", "completed_processes"));
			default -> Mono.empty();
		};
		return state.then(counted);
	}

	/** Counts the event once for the task: in the run's counter, and in its project's while it is the current run. */
	private Mono<Void> count(UUID run, long task, String event, String counter) {
		return this.database
			.sql("INSERT INTO nextflow_weblog_event (run_id, task_id, event) VALUES (:run, :task, :event) ON CONFLICT DO NOTHING")
			.bind("run", run)
			.bind("task", task)
			.bind("event", event)
			.fetch()
			.rowsUpdated()
			.filter((inserted) -> inserted > 0)
			.flatMap((inserted) -> this.database
				.sql("UPDATE nextflow_run SET " + counter + " = " + counter + " + 1 WHERE run_id = :run")
				.bind("run", run)
				.then()
				.then(this.database.sql("UPDATE nextflow_project SET " + counter + " = " + counter + " + 1 WHERE current_run = :run")
					.bind("run", run)
					.then()));
	}

	private static String rank(String status) {
		return "(CASE " + status + " WHEN 'SUBMITTED' THEN 1 WHEN 'RUNNING' THEN 2 ELSE 3 END)";
	}

	private static @Nullable String text(JsonNode node) {
		return (node.isString() || node.isNumber()) ? node.asString() : null;
	}

	private static Object value(@Nullable String text) {
		return (text != null) ? text : Parameter.empty(String.class);
	}

	/** Nextflow's times are epoch milliseconds, 0 until known. */
	private static Object time(JsonNode node) {
		return (node.canConvertToLong() && node.asLong() > 0) ? Instant.ofEpochMilli(node.asLong())
				: Parameter.empty(Instant.class);
	}

	private static Object millis(JsonNode node) {
		return (node.canConvertToLong() && node.asLong() >= 0) ? (Object) node.asLong() : Parameter.empty(Long.class);
	}

}
