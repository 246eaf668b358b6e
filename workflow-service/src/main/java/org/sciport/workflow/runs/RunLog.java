package org.sciport.workflow.runs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * A run's log, written to the database in batches: it stays readable after the run and its
 * processes are gone. A task's thread only adds its lines; the run's orchestration writes them a
 * few times a second ({@link #flush}), so that no task waits on the database (unless
 * {@value #BACKLOG} lines wait, when the thread adding one writes them). Batches are written in
 * the order they were taken. At most {@code limit} lines are kept; the rest are counted, and one
 * last line says how many were not kept. A line longer than 8 KiB is cut.
 */
final class RunLog {

	private static final int BACKLOG = 5000;

	private static final int LONGEST = 8 * 1024;

	/** Held while a batch is written, so that batches land in the order they were taken. */
	private final Object writing = new Object();

	private final DatabaseClient database;

	private final UUID run;

	private final int limit;

	private final List<Object[]> pending = new ArrayList<>();

	private int kept;

	private int dropped;

	RunLog(DatabaseClient database, UUID run, int limit) {
		this.database = database;
		this.run = run;
		this.limit = limit;
	}

	/** Adds a line (the task's, or the run's own when {@code task} is {@code null}). */
	void line(String level, @Nullable String task, String message) {
		boolean backlog;
		synchronized (this) {
			if (this.kept >= this.limit) {
				this.dropped++;
				return;
			}
			this.kept++;
			String text = (message.length() > LONGEST) ? message.substring(0, LONGEST) + " [cut]" : message;
			this.pending.add(new Object[] { Instant.now().toString(), level, task, text });
			backlog = this.pending.size() >= BACKLOG;
		}
		if (backlog) {
			flush();
		}
	}

	/** Writes what is waiting. */
	void flush() {
		synchronized (this.writing) {
			List<Object[]> lines;
			synchronized (this) {
				if (this.pending.isEmpty()) {
					return;
				}
				lines = new ArrayList<>(this.pending);
				this.pending.clear();
			}
			write(lines);
		}
	}

	private void write(List<Object[]> lines) {
		this.database
			.sql("INSERT INTO run_log (run_id, at, level, task, message) SELECT :run, CAST(l.at AS timestamptz), l.level, "
					+ "l.task, l.message FROM unnest(CAST(:at AS text[]), CAST(:level AS text[]), CAST(:task AS text[]), "
					+ "CAST(:message AS text[])) WITH ORDINALITY AS l(at, level, task, message, n) ORDER BY l.n")
			.bind("run", this.run)
			.bind("at", lines.stream().map((line) -> (String) line[0]).toArray(String[]::new))
			.bind("level", lines.stream().map((line) -> (String) line[1]).toArray(String[]::new))
			.bind("task", lines.stream().map((line) -> (String) line[2]).toArray(String[]::new))
			.bind("message", lines.stream().map((line) -> (String) line[3]).toArray(String[]::new))
			.then()
			.block(Duration.ofSeconds(30));
	}

	/** Writes the rest, says what was not kept, and records how many lines the run wrote. */
	void close() {
		synchronized (this) {
			if (this.dropped > 0) {
				this.pending.add(new Object[] { Instant.now().toString(), "WARN", null,
						this.dropped + " more line(s) were not kept: a run keeps at most " + this.limit });
			}
		}
		flush();
		this.database.sql("UPDATE workflow_run SET log_lines = :lines WHERE id = :id")
			.bind("lines", this.kept + this.dropped)
			.bind("id", this.run)
			.then()
			.block(Duration.ofSeconds(30));
	}

}
