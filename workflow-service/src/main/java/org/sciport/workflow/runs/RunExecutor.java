package org.sciport.workflow.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.FileEvents;
import org.sciport.commons.event.Topics;
import org.sciport.commons.event.WorkflowEvents;
import org.sciport.commons.lifecycle.Poller;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.workflow.WorkflowProperties;
import org.sciport.workflow.launcher.TaskLauncher;
import org.sciport.workflow.stacks.KubernetesJobs;
import org.sciport.workflow.stacks.Stacks;
import org.sciport.workflow.web.Durations;
import org.sciport.workflow.web.Json;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Carries out pending runs, at most {@code sciport.workflow.runs.concurrent-runs} at once per
 * replica; a run is claimed by one replica only ({@code FOR UPDATE SKIP LOCKED}).
 * <p>
 * A run follows its DAG: a task starts once every task it depends on succeeded (or failed with
 * {@code continueOnFailure: true}), up to {@code parallelism} at once; a task whose dependency
 * failed otherwise is {@code skipped}. A task is tried again up to {@code retry.limit} times,
 * waiting {@code retry.backoff} (doubled each time); it is stopped after its {@code timeout}.
 * Every line a task writes is kept in the run's log, up to {@code log-lines}, with the lines the
 * run itself writes ({@code Workflow started}, a task's start and end).
 * <p>
 * Stacks ({@link Stacks}): the {@code shell} executor runs {@code spec.command} (a string
 * through {@code /bin/sh -c}, or a list run as it is) with {@code spec.arguments} and
 * {@code spec.environment}, in the run's work directory; the {@code kubernetes} executor runs
 * the task as a Job ({@link KubernetesJobs}); a stack not installed fails its task, naming the
 * stacks this installation has. Shell tasks' processes are started by the fork server
 * ({@link TaskLauncher}), whose lines and exit codes the task's thread follows.
 * <p>
 * The orchestration and the processes run on threads of their own (they wait on processes);
 * the database is written from them with blocking calls, never from an event loop.
 */
@Component
class RunExecutor extends Poller {

	private static final Log logger = LogFactory.getLog(RunExecutor.class);

	/** A running run whose heartbeat is older than this lost its replica. */
	static final Duration ABANDONED = Duration.ofMinutes(2);

	private static final Duration WRITE = Duration.ofSeconds(30);

	/** How often a run beats its heartbeat (and learns whether it was asked to stop). */
	private static final Duration BEAT = Duration.ofSeconds(1);

	/** How often the tasks' changed states are written while a run goes on. */
	private static final Duration TASK_STATES = Duration.ofMillis(200);

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	private final WorkflowProperties.Runs properties;

	private final Runs runs;

	private final JsonMapper json;

	private final RunFiles files;

	private final Stacks stacks;

	private final KubernetesJobs jobs;

	private final ProjectRuns projects;

	private final TaskLauncher launcher;

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "workflow-run");
		thread.setDaemon(true);
		return thread;
	});

	private final AtomicInteger active = new AtomicInteger();

	/** Beats the heartbeats of runs busy outside their DAG (staging, storing outputs). */
	private final java.util.concurrent.ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "workflow-heartbeat");
		thread.setDaemon(true);
		return thread;
	});

	private final Sinks.Many<Boolean> finished = Sinks.many().multicast().directBestEffort();

	RunExecutor(DatabaseClient database, TransactionalOperator transactions, OutboxWriter outbox, CloudEventCodec codec,
			WorkflowProperties properties, Runs runs, JsonMapper json, RunFiles files, Stacks stacks, KubernetesJobs jobs,
			ProjectRuns projects, TaskLauncher launcher) {
		this.database = database;
		this.transactions = transactions;
		this.outbox = outbox;
		this.codec = codec;
		this.properties = properties.runs();
		this.runs = runs;
		this.json = json;
		this.files = files;
		this.stacks = stacks;
		this.jobs = jobs;
		this.projects = projects;
		this.launcher = launcher;
	}

	@Override
	protected Flux<?> ticks() {
		return Flux.merge(Flux.interval(Duration.ZERO, this.properties.poll()), this.runs.queued(), this.finished.asFlux());
	}

	@Override
	protected Mono<Void> round() {
		return abandon().then(drain());
	}

	@Override
	protected Log logger() {
		return logger;
	}

	@Override
	protected String failure() {
		return "Pending workflow runs could not be taken up";
	}

	@Override
	public void stop() {
		super.stop();
		this.threads.shutdownNow();
		this.beats.shutdownNow();
	}

	/**
	 * Runs whose replica stopped beating fail: their tasks may have had effects, so they are not
	 * run again. A project's run frees its project.
	 */
	private Mono<Void> abandon() {
		String stopped = "the replica carrying out the run stopped";
		String old = "status = 'running' AND heartbeat_at < now() - interval '" + ABANDONED.toSeconds() + " seconds'";
		return this.database.sql("SELECT id FROM workflow_run WHERE " + old)
			.map((row) -> row.get("id", UUID.class))
			.all()
			// Each in a transaction of its own: the run's record and its project's together.
			.concatMap((run) -> this.transactions.transactional(this.database
				.sql("UPDATE workflow_run SET status = 'failed', error_message = '" + stopped + "', finished_at = now() "
						+ "WHERE id = :id AND " + old + " RETURNING project_id")
				.bind("id", run)
				.map((row) -> java.util.Optional.ofNullable(row.get("project_id", Integer.class)))
				.one()
				.flatMap((project) -> project.map((id) -> this.projects.ended(run, id, "failed", stopped).then())
					.orElse(Mono.empty()))))
			.then();
	}

	/** Claims pending runs while there is room, each carried out on threads of its own. */
	private Mono<Void> drain() {
		if (this.active.get() >= Math.max(1, this.properties.concurrentRuns())) {
			return Mono.empty();
		}
		return claim().flatMap((run) -> {
			this.active.incrementAndGet();
			CompletableFuture.runAsync(() -> carryOut(run), this.threads).whenComplete((done, failure) -> {
				if (failure != null) {
					logger.error("Workflow run " + run.id() + " ended unexpectedly", failure);
				}
				this.active.decrementAndGet();
				this.finished.tryEmitNext(true);
			});
			return drain();
		});
	}

	/**
	 * A claimed run.
	 *
	 * @param id the run
	 * @param resource its workflow; {@code null} for a project's run
	 * @param project its project, if it is a project's run (its spec is the run's own)
	 * @param revision the revision it runs (0 for a project's run)
	 * @param trigger what started it
	 * @param workspace the workflow's workspace
	 * @param name the workflow's name
	 * @param spec the revision's spec
	 * @param actsFor the user it acts for: who started it, or who applied the revision
	 * @param actsAsAdmin whether they did so as an administrator
	 * @param eventType the type of the event that started it, if one did
	 * @param eventData that event's data
	 */
	record Claimed(UUID id, @Nullable UUID resource, @Nullable Integer project, int revision, String trigger,
			@Nullable String workspace, String name, JsonNode spec,
			UUID actsFor, boolean actsAsAdmin, @Nullable String eventType, @Nullable JsonNode eventData) {

		/** The dataset the workflow's outputs go into, if it names one. */
		@Nullable String dataset() {
			return this.spec.path("workflow").path("outputs").path("dataset_id").asString(null);
		}

	}

	private Mono<Claimed> claim() {
		return this.database
			.sql("UPDATE workflow_run r SET status = 'running', started_at = now(), heartbeat_at = now() FROM workflow_run q "
					+ "LEFT JOIN resource_revision v ON v.resource_id = q.resource_id AND v.revision = q.revision "
					+ "LEFT JOIN resource s ON s.id = q.resource_id LEFT JOIN workspace w ON w.id = s.workspace_id "
					+ "LEFT JOIN nextflow_project p ON p.id = q.project_id "
					+ "WHERE r.id = (SELECT id FROM workflow_run WHERE status = 'pending' "
					+ "ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) AND q.id = r.id AND r.status = 'pending' "
					+ "RETURNING r.id, r.resource_id, r.project_id, r.revision, r.trigger, w.name AS workspace, "
					+ "coalesce(s.name, p.name) AS name, coalesce(v.spec, r.spec) AS spec, "
					+ "coalesce(r.created_by, v.created_by) AS acts_for, "
					+ "CASE WHEN r.created_by IS NULL THEN v.applied_as_admin ELSE r.by_admin END AS acts_as_admin, "
					+ "r.event_type, r.event_data")
			.map((row) -> {
				String event = Json.textOrNull(row, "event_data");
				Integer revision = row.get("revision", Integer.class);
				return new Claimed(row.get("id", UUID.class), row.get("resource_id", UUID.class),
						row.get("project_id", Integer.class), (revision != null) ? revision : 0, row.get("trigger", String.class),
						row.get("workspace", String.class), row.get("name", String.class),
						this.json.readTree(Json.text(row, "spec")), row.get("acts_for", UUID.class),
						Boolean.TRUE.equals(row.get("acts_as_admin", Boolean.class)), row.get("event_type", String.class),
						(event != null) ? this.json.readTree(event) : null);
			})
			.one();
	}

	/**
	 * A task of the run.
	 *
	 * @param name its name
	 * @param dependencies the tasks it waits for
	 * @param spec its spec
	 * @param retries how often it is tried again
	 * @param backoff the first wait before trying again
	 * @param timeout how long one attempt may take
	 * @param continueOnFailure whether its dependants run even if it fails
	 */
	record Task(String name, List<String> dependencies, JsonNode spec, int retries, Duration backoff, Duration timeout,
			boolean continueOnFailure) {
	}

	/** What a run in progress holds: its tasks' processes, and whether it was asked to stop. */
	static final class Live {

		final java.util.Set<TaskLauncher.Launched> launched = java.util.concurrent.ConcurrentHashMap.newKeySet();

		final TaskStates tasks;

		volatile boolean cancelled;

		/** The folders outside the run's work directory its tasks use. */
		volatile List<Path> mounts = List.of();

		Live(TaskStates tasks) {
			this.tasks = tasks;
		}

		void cancel() {
			this.cancelled = true;
			this.launched.forEach(TaskLauncher.Launched::stop);
		}

	}

	private void carryOut(Claimed run) {
		// Whatever the run is busy with, its replica is seen to be alive.
		java.util.concurrent.ScheduledFuture<?> beating = this.beats.scheduleWithFixedDelay(() -> {
			try {
				heartbeat(run);
			}
			catch (RuntimeException ex) {
				// The next beat tries again.
			}
		}, BACKGROUND_BEAT.toMillis(), BACKGROUND_BEAT.toMillis(), TimeUnit.MILLISECONDS);
		try {
			perform(run);
		}
		finally {
			beating.cancel(false);
		}
	}

	/** How often a run's heartbeat is beaten whatever it is busy with; its DAG beats it every second too. */
	private static final Duration BACKGROUND_BEAT = Duration.ofSeconds(15);

	private void perform(Claimed run) {
		RunLog log = new RunLog(this.database, run.id(), this.properties.logLines());
		Live live = new Live(new TaskStates(this.database, run.id()));
		String failure = null;
		List<FileEvents.DatasetFile> outputs = List.of();
		try {
			announce(run, WorkflowEvents.RunStarted.TYPE, new WorkflowEvents.RunStarted(event(run, "running", null)));
			log.line("INFO", null, "Workflow started");
			Path workDirectory = workDirectory(run);
			Files.createDirectories(workDirectory.resolve("outputs"));
			ProjectRuns.Prepared prepared = (run.project() != null)
					? this.projects.prepare(run.id(), run.project(), workDirectory) : null;
			live.mounts = (prepared != null) ? prepared.mounts() : List.of();
			failure = follow(run, tasks(run.spec()), (prepared != null) ? prepared.directory() : workDirectory, log, live);
			if (failure == null && !live.cancelled) {
				outputs = (prepared != null) ? this.files.store(run, prepared.outputs(),
						prepared.written().apply((warning) -> log.line("WARN", null, warning)), log)
						: this.files.store(run, workDirectory, log);
			}
		}
		catch (RunFiles.StagingFailed ex) {
			failure = ex.getMessage();
		}
		catch (IOException ex) {
			failure = "its work directory could not be made: " + ex.getMessage();
		}
		catch (RuntimeException ex) {
			logger.warn("Workflow run " + run.id() + " failed: " + ex.getMessage());
			failure = "the run could not be carried out: " + ex.getMessage();
		}
		if (live.cancelled) {
			log.line("WARN", null, "Workflow cancelled");
		}
		else {
			log.line((failure == null) ? "INFO" : "ERROR", null,
					(failure == null) ? "Workflow succeeded" : "Workflow failed: " + failure);
		}
		log.close();
		live.tasks.flush();
		finish(run, live.cancelled ? "cancelled" : (failure == null) ? "succeeded" : "failed", failure, outputs);
	}

	private Path workDirectory(Claimed run) {
		return this.properties.workDirectory().resolve(run.id().toString()).toAbsolutePath();
	}

	private List<Task> tasks(JsonNode spec) {
		List<Task> tasks = new ArrayList<>();
		for (JsonNode task : spec.path("workflow").path("dag")) {
			List<String> dependencies = new ArrayList<>();
			for (JsonNode dependency : task.path("dependencies")) {
				dependencies.add(dependency.asString());
			}
			Duration backoff = Durations.parse(task.path("retry").path("backoff").asString("1s"));
			Duration timeout = Durations.parse(task.path("timeout").asString(null));
			tasks.add(new Task(task.path("name").asString(), dependencies, task.path("spec"),
					task.path("retry").path("limit").asInt(0), (backoff != null) ? backoff : Duration.ofSeconds(1),
					(timeout != null) ? timeout : this.properties.taskTimeout(),
					task.path("continueOnFailure").asBoolean(false)));
		}
		return tasks;
	}

	/**
	 * Follows the DAG to its end, its tasks running in {@code directory}; the run's failure, or
	 * {@code null} when it succeeded.
	 */
	private @Nullable String follow(Claimed run, List<Task> tasks, Path directory, RunLog log, Live live) {
		Path workDirectory = workDirectory(run);
		this.files.stage(run, workDirectory, log);
		Dag dag = new Dag(tasks);
		Map<String, CompletableFuture<String>> running = new LinkedHashMap<>();
		Instant beat = Instant.now();
		Instant written = Instant.now();
		while (true) {
			if (live.cancelled) {
				for (String cancelled : dag.cancelPending()) {
					live.tasks.ended(cancelled, "cancelled", null, "the run was cancelled");
				}
			}
			for (Dag.Skipped skipped : dag.takeSkipped()) {
				live.tasks.ended(skipped.task(), "skipped", null, "not run: " + skipped.because() + " did not succeed");
				log.line("WARN", skipped.task(), "Task skipped: " + skipped.because() + " did not succeed");
			}
			while (running.size() < Math.max(1, this.properties.parallelism())) {
				Task task = dag.next();
				if (task == null) {
					break;
				}
				running.put(task.name(), CompletableFuture.supplyAsync(() -> attempt(run, task, directory, log, live),
						this.threads).exceptionally((ex) -> {
							logger.warn("Task " + task.name() + " of workflow run " + run.id() + " ended unexpectedly", ex);
							return "failed";
						}));
			}
			if (running.isEmpty()) {
				break;
			}
			try {
				CompletableFuture.anyOf(running.values().toArray(CompletableFuture[]::new)).get(250, TimeUnit.MILLISECONDS);
			}
			catch (java.util.concurrent.TimeoutException ex) {
				// Still running: time to beat.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return "the replica stopped";
			}
			catch (java.util.concurrent.ExecutionException ex) {
				// Each attempt catches its own failures; one that escaped is told below.
			}
			// The tasks' states and log a few times a second, and about once a second the run's
			// heartbeat, which also tells whether it was asked to stop.
			if (Instant.now().isAfter(written.plus(TASK_STATES))) {
				written = Instant.now();
				live.tasks.flush();
				log.flush();
			}
			if (Instant.now().isAfter(beat.plus(BEAT))) {
				beat = Instant.now();
				if (heartbeat(run) && !live.cancelled) {
					log.line("WARN", null, "Cancel requested: stopping the running tasks");
					live.cancel();
				}
			}
			running.entrySet().removeIf((entry) -> {
				if (!entry.getValue().isDone()) {
					return false;
				}
				dag.ended(entry.getKey(), entry.getValue().getNow("failed"));
				return true;
			});
		}
		List<String> failed = dag.unsuccessful();
		return failed.isEmpty() ? null : "task(s) " + String.join(", ", failed) + " did not succeed";
	}

	/**
	 * Where a run's DAG stands: each task's state, how many of its dependencies have not ended,
	 * and the tasks ready to start, in the DAG's order. Each change costs the task's dependants
	 * only, so a wide DAG is followed in time proportional to its tasks and edges.
	 */
	static final class Dag {

		/**
		 * A task that will not run, and the dependency that did not succeed.
		 *
		 * @param task the task
		 * @param because the dependency
		 */
		record Skipped(String task, String because) {
		}

		private final List<Task> tasks;

		private final Map<String, Task> byName = new HashMap<>();

		private final Map<String, String> states = new HashMap<>();

		private final Map<String, Integer> waiting = new HashMap<>();

		private final Map<String, List<Task>> dependants = new HashMap<>();

		private final java.util.ArrayDeque<Task> ready = new java.util.ArrayDeque<>();

		private final List<Skipped> skipped = new ArrayList<>();

		Dag(List<Task> tasks) {
			this.tasks = tasks;
			for (Task task : tasks) {
				this.byName.put(task.name(), task);
				this.states.put(task.name(), "pending");
				this.waiting.put(task.name(), task.dependencies().size());
				for (String dependency : task.dependencies()) {
					this.dependants.computeIfAbsent(dependency, (name) -> new ArrayList<>()).add(task);
				}
				if (task.dependencies().isEmpty()) {
					this.ready.add(task);
				}
			}
		}

		/** The next task to start, marked running; {@code null} when none is ready. */
		@Nullable Task next() {
			Task task = this.ready.poll();
			if (task != null) {
				this.states.put(task.name(), "running");
			}
			return task;
		}

		/**
		 * A task ended ({@code succeeded}, {@code failed}, {@code cancelled}): its dependants are
		 * one dependency nearer to starting, or, when it did not succeed and may not fail, skipped
		 * with theirs.
		 */
		void ended(String name, String state) {
			this.states.put(name, state);
			boolean blocks = "skipped".equals(state)
					|| ("failed".equals(state) && !this.byName.get(name).continueOnFailure());
			for (Task dependant : this.dependants.getOrDefault(name, List.of())) {
				if (!"pending".equals(this.states.get(dependant.name()))) {
					continue;
				}
				if (blocks) {
					this.skipped.add(new Skipped(dependant.name(), name));
					ended(dependant.name(), "skipped");
				}
				else if (this.waiting.merge(dependant.name(), -1, Integer::sum) == 0
						&& ("succeeded".equals(state) || "failed".equals(state))) {
					this.ready.add(dependant);
				}
			}
		}

		/** The tasks skipped since the last call. */
		List<Skipped> takeSkipped() {
			List<Skipped> taken = List.copyOf(this.skipped);
			this.skipped.clear();
			return taken;
		}

		/** Cancels every task not started; answers them. */
		List<String> cancelPending() {
			this.ready.clear();
			List<String> cancelled = new ArrayList<>();
			for (Task task : this.tasks) {
				if ("pending".equals(this.states.get(task.name()))) {
					this.states.put(task.name(), "cancelled");
					cancelled.add(task.name());
				}
			}
			return cancelled;
		}

		/** The tasks that failed the run: skipped, or failed without {@code continueOnFailure}. */
		List<String> unsuccessful() {
			return this.tasks.stream()
				.filter((task) -> "skipped".equals(this.states.get(task.name()))
						|| ("failed".equals(this.states.get(task.name())) && !task.continueOnFailure()))
				.map(Task::name)
				.toList();
		}

	}

	/** Tries a task, again while it may; {@code succeeded} or {@code failed}. */
	private String attempt(Claimed run, Task task, Path directory, RunLog log, Live live) {
		String named = task.spec().path("stack").asString("");
		Stacks.Stack stack = this.stacks.resolve(named).orElse(null);
		if (stack == null) {
			String message = "the stack '" + named + "' is not installed here; installed: "
					+ String.join(", ", this.stacks.installed());
			live.tasks.started(task.name(), 1);
			log.line("ERROR", task.name(), "Task failed: " + message);
			live.tasks.ended(task.name(), "failed", null, message);
			return "failed";
		}
		for (int attempt = 1;; attempt++) {
			if (live.cancelled) {
				live.tasks.ended(task.name(), "cancelled", null, "the run was cancelled");
				return "cancelled";
			}
			live.tasks.started(task.name(), attempt);
			log.line("INFO", task.name(), "Task started" + ((attempt > 1) ? " (attempt " + attempt + ")" : ""));
			Result result = (stack.executor() == Stacks.Executor.SHELL) ? shell(run, task, directory, log, live)
					: job(run, task, attempt, stack, directory, log, live);
			if (live.cancelled) {
				log.line("WARN", task.name(), "Task cancelled");
				live.tasks.ended(task.name(), "cancelled", result.exitCode(), "the run was cancelled");
				return "cancelled";
			}
			if (result.exitCode() != null && result.exitCode() == 0) {
				log.line("INFO", task.name(), "Task completed successfully");
				live.tasks.ended(task.name(), "succeeded", 0, null);
				return "succeeded";
			}
			if (attempt <= task.retries()) {
				Duration wait = task.backoff().multipliedBy(1L << Math.min(attempt - 1, 10));
				log.line("WARN", task.name(), "Task failed: " + result.message() + "; trying again in " + wait.toMillis()
						+ " ms");
				try {
					Thread.sleep(wait.toMillis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					live.tasks.ended(task.name(), "failed", result.exitCode(), "stopped while waiting to try again");
					return "failed";
				}
				continue;
			}
			log.line("ERROR", task.name(), "Task failed: " + result.message());
			live.tasks.ended(task.name(), "failed", result.exitCode(), result.message());
			return "failed";
		}
	}

	/**
	 * How one attempt ended.
	 *
	 * @param exitCode the process's exit code, {@code null} when it did not end by itself
	 * @param message what happened
	 */
	record Result(@Nullable Integer exitCode, String message) {
	}

	/** One attempt as a process in {@code directory}, its home the run's work directory. */
	private Result shell(Claimed run, Task task, Path directory, RunLog log, Live live) {
		Path workDirectory = workDirectory(run);
		List<String> command = new ArrayList<>();
		JsonNode given = task.spec().path("command");
		if (given.isString()) {
			command.addAll(List.of("/bin/sh", "-c", given.asString()));
		}
		else if (given.isArray() && !given.isEmpty()) {
			given.forEach((part) -> command.add(part.asString()));
		}
		else {
			return new Result(null, "a shell task needs spec.command (a string, or a list)");
		}
		task.spec().path("arguments").forEach((argument) -> command.add(argument.asString()));
		Map<String, String> environment = new LinkedHashMap<>();
		String path = System.getenv("PATH");
		environment.put("PATH", (path != null) ? path : "/usr/bin:/bin");
		environment.put("LANG", "C.UTF-8");
		environment.put("HOME", workDirectory.toString());
		environment.put("SCIPORT_RUN_ID", run.id().toString());
		environment.put("SCIPORT_TASK", task.name());
		environment.put("SCIPORT_WORK_DIR", workDirectory.toString());
		for (String name : task.spec().path("environment").propertyNames()) {
			environment.put(name, task.spec().path("environment").path(name).asString());
		}
		TaskLauncher.Launched launched;
		try {
			launched = this.launcher.launch(command, directory, environment);
		}
		catch (IOException ex) {
			return new Result(null, "the command could not be started: " + ex.getMessage());
		}
		live.launched.add(launched);
		if (live.cancelled) {
			launched.stop();
		}
		try {
			TaskLauncher.Ending ending = launched.follow(task.timeout(), (level, line) -> log.line(level, task.name(), line));
			return switch (ending.kind()) {
				case EXITED -> new Result(ending.exitCode(), "exit code " + ending.exitCode());
				case NOT_STARTED -> new Result(null, "the command could not be started: " + ending.reason());
				case TIMED_OUT -> new Result(null, "it ran out of time (" + task.timeout().toSeconds() + " s) and was stopped");
				case LOST -> new Result(null, "the process that starts tasks stopped while it ran");
				case INTERRUPTED -> new Result(null, "the replica stopped");
			};
		}
		finally {
			live.launched.remove(launched);
		}
	}

	/** One attempt as a Kubernetes Job, named after the run, the task and the attempt. */
	private Result job(Claimed run, Task task, int attempt, Stacks.Stack stack, Path directory, RunLog log, Live live) {
		String name = ("sciport-" + run.id().toString().substring(0, 8) + "-" + task.name()).replaceAll("-+$", "");
		name = name.substring(0, Math.min(name.length(), 55)).replaceAll("-+$", "") + "-" + attempt;
		KubernetesJobs.Outcome outcome = this.jobs.run(name,
				Map.of("app.kubernetes.io/managed-by", "sciport-workflow", "sciport.org/run", run.id().toString(),
						"sciport.org/task", task.name()),
				stack, task.spec(), task.timeout(), new KubernetesJobs.Directories(directory, workDirectory(run), live.mounts),
				(level, line) -> log.line(level, task.name(), line),
				() -> live.cancelled);
		return new Result(outcome.exitCode(), outcome.message());
	}

	/** Beats the run's heartbeat; whether someone asked it to stop. */
	private boolean heartbeat(Claimed run) {
		Boolean cancel = this.database
			.sql("UPDATE workflow_run SET heartbeat_at = now() WHERE id = :id RETURNING cancel_requested")
			.bind("id", run.id())
			.map((row) -> row.get("cancel_requested", Boolean.class))
			.one()
			.onErrorResume((ex) -> Mono.empty())
			.block(WRITE);
		return Boolean.TRUE.equals(cancel);
	}

	/**
	 * Records the run's end, the workflow's status (unless it was cancelled) or its project's, and
	 * announces it, in one transaction.
	 */
	private void finish(Claimed run, String status, @Nullable String failure, List<FileEvents.DatasetFile> outputs) {
		// Only a run still running ends here: one given up as abandoned meanwhile keeps that end.
		Mono<Boolean> ended = this.database
			.sql("UPDATE workflow_run SET status = :status, outputs = CAST(:outputs AS jsonb), finished_at = now() "
					+ "WHERE id = :id AND status = 'running'")
			.bind("status", status)
			.bind("outputs", this.json.writeValueAsString(outputs))
			.bind("id", run.id())
			.fetch()
			.rowsUpdated()
			.map((updated) -> updated > 0);
		this.transactions.transactional(ended.filter(Boolean::booleanValue).flatMap((mine) -> {
			Mono<java.util.Optional<String>> told = (run.project() != null)
					? this.projects.ended(run.id(), run.project(), status, failure).map(java.util.Optional::of)
						.defaultIfEmpty(java.util.Optional.empty())
					: Mono.just(java.util.Optional.ofNullable(failure));
			return told;
		}).flatMap((said) -> {
			String error = "succeeded".equals(status) ? null : said.filter((text) -> !text.isEmpty()).orElse(null);
			WorkflowEvents.Run event = event(run, status, error);
			Object data = switch (status) {
				case "succeeded" -> new WorkflowEvents.RunCompleted(event, run.dataset(), outputs);
				case "cancelled" -> new WorkflowEvents.RunCancelled(event);
				default -> new WorkflowEvents.RunFailed(event);
			};
			String type = switch (status) {
				case "succeeded" -> WorkflowEvents.RunCompleted.TYPE;
				case "cancelled" -> WorkflowEvents.RunCancelled.TYPE;
				default -> WorkflowEvents.RunFailed.TYPE;
			};
			return this.database.sql("UPDATE workflow_run SET error_message = :error WHERE id = :id")
				.bindValues(Map.of("error", (error != null) ? error : org.springframework.r2dbc.core.Parameter.empty(String.class)))
				.bind("id", run.id())
				.then()
				.then(this.database.sql("UPDATE task_run SET status = 'skipped', error_message = 'not run: the run ended first' "
						+ "WHERE run_id = :id AND status = 'pending'")
					.bind("id", run.id())
					.then())
				.then(("cancelled".equals(status) || run.resource() == null) ? Mono.<Void>empty() : this.database
					.sql("UPDATE resource SET status = :status WHERE id = :id AND revision = :revision AND deleted_at IS NULL")
					.bind("status", "succeeded".equals(status) ? "active" : "error")
					.bind("id", run.resource())
					.bind("revision", run.revision())
					.then())
				.then(this.outbox.append(Topics.WORKFLOW,
						CloudEvent.create(WorkflowEvents.SOURCE, type, run.id().toString(), this.codec.toData(data))));
		})).block(WRITE);
	}

	private void announce(Claimed run, String type, Object data) {
		this.transactions.transactional(this.outbox.append(Topics.WORKFLOW,
				CloudEvent.create(WorkflowEvents.SOURCE, type, run.id().toString(), this.codec.toData(data))))
			.block(WRITE);
	}

	private static WorkflowEvents.Run event(Claimed run, String status, @Nullable String error) {
		return new WorkflowEvents.Run(run.id().toString(), (run.resource() != null) ? run.resource().toString() : null,
				run.workspace(), run.name(), run.revision(), run.trigger(), status, error, run.actsFor().toString(),
				run.project());
	}

}
