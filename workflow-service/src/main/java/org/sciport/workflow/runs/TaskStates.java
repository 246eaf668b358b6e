package org.sciport.workflow.runs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * The states of a run's tasks as they change, written to {@code task_run} in batches by the
 * run's orchestration (one statement for every change since the last), so that a task's
 * threads never wait on the database and a wide DAG costs a few statements a second, not two
 * per task. A task's changes between two writes are merged: the last state wins, its first
 * start is kept.
 */
final class TaskStates {

	private static final Duration WRITE = Duration.ofSeconds(30);

	private final DatabaseClient database;

	private final UUID run;

	private final Map<String, Change> pending = new LinkedHashMap<>();

	TaskStates(DatabaseClient database, UUID run) {
		this.database = database;
		this.run = run;
	}

	private static final class Change {

		String status = "pending";

		@Nullable Integer attempts;

		@Nullable Integer exitCode;

		@Nullable String error;

		@Nullable Instant startedAt;

		@Nullable Instant finishedAt;

	}

	/** A task's attempt began. */
	synchronized void started(String task, int attempt) {
		Change change = this.pending.computeIfAbsent(task, (name) -> new Change());
		change.status = "running";
		change.attempts = attempt;
		change.exitCode = null;
		change.error = null;
		change.finishedAt = null;
		if (change.startedAt == null) {
			change.startedAt = Instant.now();
		}
	}

	/** A task ended: {@code succeeded}, {@code failed}, {@code skipped} or {@code cancelled}. */
	synchronized void ended(String task, String status, @Nullable Integer exitCode, @Nullable String error) {
		Change change = this.pending.computeIfAbsent(task, (name) -> new Change());
		change.status = status;
		change.exitCode = exitCode;
		change.error = error;
		change.finishedAt = Instant.now();
	}

	/** Writes every change since the last write, in one statement. */
	void flush() {
		List<String> tasks = new ArrayList<>();
		List<Change> changes = new ArrayList<>();
		synchronized (this) {
			if (this.pending.isEmpty()) {
				return;
			}
			this.pending.forEach((task, change) -> {
				tasks.add(task);
				changes.add(change);
			});
			this.pending.clear();
		}
		this.database
			.sql("UPDATE task_run t SET status = v.status, attempts = coalesce(v.attempts, t.attempts), exit_code = v.code, "
					+ "error_message = v.error, started_at = coalesce(t.started_at, CAST(v.started AS timestamptz)), "
					+ "finished_at = CAST(v.finished AS timestamptz) FROM unnest(CAST(:tasks AS text[]), "
					+ "CAST(:statuses AS text[]), CAST(:attempts AS integer[]), CAST(:codes AS integer[]), "
					+ "CAST(:errors AS text[]), CAST(:started AS text[]), CAST(:finished AS text[])) "
					+ "AS v(task, status, attempts, code, error, started, finished) WHERE t.run_id = :run AND t.task = v.task")
			.bind("run", this.run)
			.bind("tasks", tasks.toArray(String[]::new))
			.bind("statuses", changes.stream().map((c) -> c.status).toArray(String[]::new))
			.bind("attempts", changes.stream().map((c) -> c.attempts).toArray(Integer[]::new))
			.bind("codes", changes.stream().map((c) -> c.exitCode).toArray(Integer[]::new))
			.bind("errors", changes.stream().map((c) -> c.error).toArray(String[]::new))
			.bind("started", changes.stream().map((c) -> (c.startedAt != null) ? c.startedAt.toString() : null)
				.toArray(String[]::new))
			.bind("finished", changes.stream().map((c) -> (c.finishedAt != null) ? c.finishedAt.toString() : null)
				.toArray(String[]::new))
			.then()
			.block(WRITE);
	}

}
