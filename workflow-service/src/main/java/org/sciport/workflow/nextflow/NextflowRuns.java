package org.sciport.workflow.nextflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.Caller;
import org.sciport.workflow.WorkflowProperties;
import org.sciport.workflow.runs.ProjectRuns;
import org.sciport.workflow.runs.Runs;
import org.sciport.workflow.web.Json;
import org.springframework.core.env.Environment;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Running Nextflow projects. {@code schedule} checks the project's arguments against its
 * pipeline's, marks it scheduled and queues a run of one task, {@code nextflow}, carried out by
 * the workflow executor like any other: its output is the run's log, its exit code the task's.
 * <p>
 * When the run starts, a secret only it knows is made: written into a Nextflow configuration
 * file in the run's work directory ({@code weblog.basicToken}, readable by the service's user
 * alone), its SHA-256 kept here. The weblog endpoint takes posts carrying it
 * ({@link NextflowWeblog}) and nothing else. Nextflow starts in the run's own {@code launch}
 * folder, never in the project, whose {@code nextflow.config} it would load. When the run ends,
 * what {@code finished} does is done in the same transaction: the project is no longer
 * scheduled, its counters are reset, the secret ends; what Nextflow published is copied into the
 * project, and the files the run wrote there are its outputs.
 */
@Service
class NextflowRuns implements ProjectRuns {

	/** The task a project's run consists of. */
	static final String TASK = "nextflow";

	private static final SecureRandom RANDOM = new SecureRandom();

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final NextflowProjects projects;

	private final ProjectFiles files;

	private final Runs runs;

	private final WorkflowProperties.Nextflow properties;

	private final JsonMapper json;

	private final Environment environment;

	private final Path runsDirectory;

	NextflowRuns(DatabaseClient database, TransactionalOperator transactions, NextflowProjects projects, ProjectFiles files,
			Runs runs, WorkflowProperties properties, JsonMapper json, Environment environment) {
		this.database = database;
		this.transactions = transactions;
		this.projects = projects;
		this.files = files;
		this.runs = runs;
		this.properties = properties.nextflow();
		this.json = json;
		this.environment = environment;
		this.runsDirectory = properties.runs().workDirectory();
	}

	/**
	 * Schedules a project: its pipeline is configured, every argument of it has a valid value (a
	 * 422 naming each that has not), no run of it is under way, and this installation has a
	 * Nextflow to launch (409 otherwise). Answers {@code {"is_scheduled": true}}.
	 */
	Mono<Map<String, Object>> schedule(Caller caller, int id) {
		return this.projects.get(caller, id).flatMap((project) -> {
			if (Boolean.TRUE.equals(project.get("is_scheduled"))) {
				return Mono.error(new NextflowProjects.Unprocessable("general", "the project is scheduled already"));
			}
			String command = this.properties.command();
			if (command == null || command.isBlank()) {
				return Mono.error(new ConflictException("Nextflow is not installed here: projects cannot be scheduled "
						+ "until sciport.workflow.nextflow.command names its executable"));
			}
			String name = (String) project.get("nextflow_project");
			WorkflowProperties.Pipeline pipeline = (name != null) ? this.properties.pipelines().get(name) : null;
			if (pipeline == null) {
				return Mono.error(new NextflowProjects.Unprocessable("nextflow_project",
						"the project names no pipeline; one of: " + String.join(", ", this.projects.pipelines())));
			}
			UUID run = UUID.randomUUID();
			JsonNode spec = spec(id, run, command, pipeline, (JsonNode) project.get("workflow_arguments"));
			return this.transactions.transactional(this.database
				.sql("UPDATE nextflow_project SET is_scheduled = true, submitted_processes = 0, completed_processes = 0, "
						+ "updated_at = now() WHERE id = :id AND NOT is_scheduled AND deleted_at IS NULL AND NOT EXISTS "
						+ "(SELECT 1 FROM workflow_run WHERE project_id = :id AND status IN ('pending', 'running'))")
				.bind("id", id)
				.fetch()
				.rowsUpdated()
				.flatMap((updated) -> (updated == 0)
						? Mono.error(new NextflowProjects.Unprocessable("general",
								"the project is scheduled already, or its last run is still stopping"))
						: this.runs.queueProject(run, id, spec, UUID.fromString(caller.userId()), caller.isAdmin()))
				.then(this.database
					.sql("INSERT INTO nextflow_run (run_id, project_id) VALUES (:run, :project)")
					.bind("run", run)
					.bind("project", id)
					.then()
					.then(this.database.sql("UPDATE nextflow_project SET current_run = :run WHERE id = :project")
						.bind("run", run)
						.bind("project", id)
						.then())))
				.thenReturn(Map.of("is_scheduled", true));
		});
	}

	/**
	 * The run's spec: one {@code nextflow} task, {@code nextflow -c <weblog config> run <script>
	 * -work-dir <run>/work -with-weblog <url> <options> --parameter value ... --argument value ...}.
	 */
	private JsonNode spec(int id, UUID run, String command, WorkflowProperties.Pipeline pipeline, JsonNode given) {
		String runDirectory = this.runsDirectory.resolve(run.toString()).toAbsolutePath().toString();
		Map<String, List<String>> errors = new LinkedHashMap<>();
		List<String> arguments = new ArrayList<>();
		pipeline.parameters().forEach((name, value) -> {
			arguments.add("--" + name);
			arguments.add(value);
		});
		pipeline.arguments().forEach((name, definition) -> {
			JsonNode value = given.path(name);
			if (value.isObject()) {
				// The original's web client keeps each argument's definition with its value.
				value = value.path("value");
			}
			String type = definition.getOrDefault("type", "text");
			try {
				String checked = argument(id, name, type, value);
				arguments.add("--" + name);
				arguments.add(checked);
			}
			catch (Refused ex) {
				errors.computeIfAbsent(name, (key) -> new ArrayList<>()).add(ex.getMessage());
			}
		});
		if (!errors.isEmpty()) {
			throw new NextflowProjects.Unprocessable(errors);
		}
		ObjectNode task = this.json.createObjectNode();
		task.put("name", TASK);
		ObjectNode taskSpec = task.putObject("spec");
		taskSpec.put("stack", this.properties.stack());
		task.put("timeout", this.properties.timeout().toSeconds() + "s");
		if (this.properties.image() != null) {
			taskSpec.put("image", this.properties.image());
		}
		ArrayNode line = taskSpec.putArray("command");
		line.add(command);
		line.add("-c");
		line.add(runDirectory + "/" + CONFIG);
		line.add("run");
		line.add(script(pipeline));
		line.add("-work-dir");
		line.add(runDirectory + "/work");
		line.add("-with-weblog");
		line.add(weblogUrl(id));
		pipeline.options().forEach(line::add);
		arguments.forEach(line::add);
		ObjectNode variables = taskSpec.putObject("environment");
		this.properties.environment().forEach(variables::put);
		ObjectNode spec = this.json.createObjectNode();
		spec.putObject("workflow").putArray("dag").add(task);
		return spec;
	}

	/** The Nextflow configuration file that holds the weblog secret, in the run's work directory. */
	static final String CONFIG = "sciport-weblog.config";

	private static String script(WorkflowProperties.Pipeline pipeline) {
		String directory = pipeline.directory();
		if (directory == null || directory.isBlank()) {
			return pipeline.script();
		}
		return directory.startsWith("/") || directory.startsWith(".") ? Path.of(directory).resolve(pipeline.script()).toString()
				: directory;
	}

	private String weblogUrl(int project) {
		String base = (this.properties.weblogUrl() != null) ? this.properties.weblogUrl().toString()
				: "http://127.0.0.1:" + this.environment.getProperty("local.server.port",
						this.environment.getProperty("server.port", "8085"));
		return base.replaceAll("/+$", "") + "/api/projects/" + project + "/nextflow-log";
	}

	/** An argument that cannot be given to Nextflow, and why. */
	private static final class Refused extends RuntimeException {

		Refused(String message) {
			super(message, null, false, false);
		}

	}

	/**
	 * A dynamic argument's value as Nextflow gets it, typed by the pipeline's configuration (never
	 * by the client): paths lie inside the project and become absolute, numbers parse.
	 */
	private String argument(int project, String name, String type, JsonNode value) {
		if (value.isMissingNode() || value.isNull() || (value.isString() && value.asString().isBlank())
				|| (value.isArray() && value.isEmpty())) {
			throw new Refused("cannot be empty");
		}
		return switch (type) {
			case "number" -> {
				String text = value.isNumber() ? value.asString() : value.isString() ? value.asString().strip() : "";
				try {
					yield new BigDecimal(text).toString();
				}
				catch (NumberFormatException ex) {
					throw new Refused("must be a number");
				}
			}
			case "path" -> path(project, name, value);
			case "paths" -> {
				if (!value.isArray()) {
					throw new Refused("must be a list of paths inside the project");
				}
				List<String> paths = new ArrayList<>();
				for (JsonNode each : value) {
					paths.add(path(project, name, each));
				}
				yield String.join(",", paths);
			}
			case "file-glob" -> glob(project, name, value);
			default -> {
				if (!value.isString() && !value.isNumber() && !value.isBoolean()) {
					throw new Refused("must be text");
				}
				String text = value.asString();
				if (text.chars().anyMatch((c) -> (c < 0x20 && c != '\t') || c == 0x7f)) {
					throw new Refused("must be a line of text");
				}
				if (text.startsWith("-")) {
					// Nextflow would read it as an option of its own, not as the argument's value.
					throw new Refused("must not start with '-'");
				}
				yield text;
			}
		};
	}

	private String path(int project, String name, JsonNode value) {
		if (!value.isString()) {
			throw new Refused("must be a path inside the project");
		}
		try {
			// The original's client sends paths from the project's root, with a leading slash.
			return this.files.resolve(project, value.asString().strip().replaceFirst("^/+", ""), name, false).toString();
		}
		catch (ValidationException ex) {
			throw new Refused("must be a path inside the project (" + ex.getMessage() + ")");
		}
	}

	/** A glob inside the project: its folders are checked like a path, its last segment may hold wildcards. */
	private String glob(int project, String name, JsonNode value) {
		if (!value.isString()) {
			throw new Refused("must be a file pattern inside the project");
		}
		String pattern = value.asString().strip().replaceFirst("^/+", "");
		int slash = pattern.lastIndexOf('/');
		String folder = (slash < 0) ? "" : pattern.substring(0, slash);
		String last = pattern.substring(slash + 1);
		if (last.isEmpty() || last.chars().allMatch((c) -> c == '.') || last.contains("\\")
				|| last.chars().anyMatch((c) -> c < 0x20 || c == 0x7f) || folder.matches(".*[*?\\[\\]{}].*")) {
			throw new Refused("must be a file pattern inside the project (wildcards in its last segment only)");
		}
		try {
			return this.files.resolve(project, folder, name, true).resolve(last).toString();
		}
		catch (ValidationException ex) {
			throw new Refused("must be a file pattern inside the project (" + ex.getMessage() + ")");
		}
	}

	@Override
	public Prepared prepare(UUID run, int project, Path workDirectory) {
		byte[] secret = new byte[32];
		RANDOM.nextBytes(secret);
		String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
		try {
			Files.createDirectories(workDirectory.resolve("work"));
			Path config = workDirectory.resolve(CONFIG);
			Files.deleteIfExists(config);
			Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			Files.writeString(config, "// Written by Sciport for this run only.\nweblog {\n    basicToken = 'nextflow:" + token
					+ "'\n}\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("the run's weblog configuration could not be written", ex);
		}
		this.database.sql("UPDATE nextflow_run SET secret_sha256 = :hash WHERE run_id = :run")
			.bind("hash", NextflowWeblog.sha256(token))
			.bind("run", run)
			.then()
			.block(java.time.Duration.ofSeconds(30));
		Path root = this.files.root(project);
		Path launch = workDirectory.resolve("launch");
		try {
			Files.createDirectories(launch);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("the run's launch directory could not be made", ex);
		}
		Map<Path, String> before = snapshot(root);
		return new Prepared(launch, root, List.of(root), (warn) -> {
			publish(project, launch, workDirectory, warn);
			return written(root, before);
		});
	}

	/**
	 * Copies what Nextflow wrote in its launch directory into the project, at the same paths, as
	 * the original's users found their results there: regular files, and links (Nextflow
	 * publishes links by default) that lead to a file or folder inside the run's directory, their
	 * target's content. Nextflow's own {@code .nextflow} cache and log stay behind; a path that
	 * would run through a link in the project is left out, said in the run's log.
	 */
	private void publish(int project, Path launch, Path workDirectory, java.util.function.Consumer<String> warn) {
		Path run;
		try {
			run = workDirectory.toRealPath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try (java.util.stream.Stream<Path> entries = Files.walk(launch)) {
			for (Path entry : entries.toList()) {
				Path relative = launch.relativize(entry);
				if (relative.toString().isEmpty() || relative.getName(0).toString().equals(".nextflow")
						|| relative.getFileName().toString().startsWith(".nextflow.log")) {
					continue;
				}
				if (Files.isRegularFile(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
					copy(project, entry, relative, warn);
				}
				else if (Files.isSymbolicLink(entry)) {
					Path target;
					try {
						target = entry.toRealPath();
					}
					catch (IOException ex) {
						warn.accept("Not published: " + relative + " is a broken link");
						continue;
					}
					if (!target.startsWith(run)) {
						warn.accept("Not published: " + relative + " leads outside the run");
						continue;
					}
					if (Files.isRegularFile(target)) {
						copy(project, target, relative, warn);
					}
					else if (Files.isDirectory(target)) {
						try (java.util.stream.Stream<Path> inside = Files.walk(target)) {
							for (Path file : inside.filter((path) -> Files.isRegularFile(path,
									java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
								copy(project, file, relative.resolve(target.relativize(file)), warn);
							}
						}
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("what the run wrote could not be read", ex);
		}
	}

	private void copy(int project, Path from, Path relative, java.util.function.Consumer<String> warn) throws IOException {
		Path target;
		try {
			target = this.files.resolve(project, relative.toString(), "output", false);
		}
		catch (ValidationException ex) {
			warn.accept("Not published: " + relative + " (" + ex.getMessage() + ")");
			return;
		}
		if (Files.isDirectory(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
			warn.accept("Not published: " + relative + " is a folder in the project");
			return;
		}
		Files.createDirectories(target.getParent());
		Files.copy(from, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
	}

	/** The regular files under the project, each with its size and modification time. */
	private static Map<Path, String> snapshot(Path directory) {
		Map<Path, String> files = new HashMap<>();
		try {
			Files.walkFileTree(directory, new SimpleFileVisitor<>() {
				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
					if (attributes.isRegularFile()) {
						files.put(file, attributes.size() + "/" + attributes.lastModifiedTime().toMillis());
					}
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFileFailed(Path file, IOException ex) {
					return FileVisitResult.CONTINUE;
				}
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return files;
	}

	private static List<Path> written(Path directory, Map<Path, String> before) {
		List<Path> written = new ArrayList<>();
		snapshot(directory).forEach((file, seen) -> {
			if (!seen.equals(before.get(file))) {
				written.add(file);
			}
		});
		return written;
	}

	@Override
	public Mono<String> ended(UUID run, int project, String status, @Nullable String error) {
		try {
			Files.deleteIfExists(this.runsDirectory.resolve(run.toString()).resolve(CONFIG));
		}
		catch (IOException ex) {
			// Its secret is revoked below all the same.
		}
		return this.database
			.sql("UPDATE nextflow_project SET is_scheduled = false, submitted_processes = 0, completed_processes = 0, "
					+ "current_run = NULL, updated_at = now() WHERE id = :project AND current_run = :run")
			.bind("project", project)
			.bind("run", run)
			.then()
			.then(this.database.sql("UPDATE nextflow_run SET secret_sha256 = NULL WHERE run_id = :run").bind("run", run).then())
			// A project deleted while its run went on loses the files the run still wrote.
			.then(this.database.sql("SELECT deleted_at IS NOT NULL AS deleted FROM nextflow_project WHERE id = :project")
				.bind("project", project)
				.map((row) -> Boolean.TRUE.equals(row.get("deleted", Boolean.class)))
				.one()
				.filter(Boolean::booleanValue)
				.flatMap((deleted) -> this.files.deleteAll(project).onErrorResume((ex) -> Mono.empty())))
			.then(this.database
				.sql("SELECT n.error_message, t.exit_code FROM nextflow_run n LEFT JOIN task_run t ON t.run_id = n.run_id "
						+ "AND t.task = '" + TASK + "' WHERE n.run_id = :run")
				.bind("run", run)
				.map((row) -> failure(error, row.get("exit_code", Integer.class), row.get("error_message", String.class)))
				.one());
	}

	/** A failed run's error: Nextflow's exit code and what it reported, when it said. */
	private static String failure(@Nullable String error, @Nullable Integer exit, @Nullable String reported) {
		if (error == null) {
			return "";
		}
		String failure = (exit != null && exit != 0) ? "nextflow exited with code " + exit : error;
		return (reported != null && !reported.isBlank()) ? failure + "; Nextflow reported: " + reported : failure;
	}

	/**
	 * {@code finished}: the project is no longer scheduled and its counters are reset; a run of it
	 * still under way is cancelled. For administrators (and their worker credentials) only, as the
	 * document says: the run itself does this when it ends.
	 */
	Mono<Void> finished(Caller caller, int id) {
		if (!caller.isAdmin()) {
			return this.projects.get(caller, id)
				.then(Mono.error(new PermissionDeniedException("finished is called by the run itself, or by an administrator")));
		}
		return this.projects.get(caller, id)
			.then(this.transactions.transactional(this.database
				.sql("SELECT current_run FROM nextflow_project WHERE id = :id FOR UPDATE")
				.bind("id", id)
				.map((row) -> java.util.Optional.ofNullable(row.get("current_run", UUID.class)))
				.one()
				.flatMap((run) -> this.database
					.sql("UPDATE nextflow_project SET is_scheduled = false, submitted_processes = 0, completed_processes = 0, "
							+ "current_run = NULL, updated_at = now() WHERE id = :id")
					.bind("id", id)
					.then().then(run.map(this.runs::requestCancel).orElse(Mono.empty())))));
	}

	/** A project's runs, newest first, each with what its Nextflow reported. */
	Mono<List<Map<String, Object>>> list(Caller caller, int id, long offset, int limit) {
		return this.projects.get(caller, id)
			.then(this.database.sql(RUNS + "WHERE w.project_id = :id ORDER BY w.created_at DESC, w.id OFFSET :offset LIMIT :limit")
				.bind("id", id)
				.bind("offset", offset)
				.bind("limit", limit)
				.map(this::runView)
				.all()
				.collectList());
	}

	/** One run of a project, with its Nextflow tasks. */
	Mono<Map<String, Object>> get(Caller caller, int id, String run) {
		UUID runId = runId(run);
		return this.projects.get(caller, id)
			.then(this.database.sql(RUNS + "WHERE w.project_id = :id AND w.id = :run")
				.bind("id", id)
				.bind("run", runId)
				.map(this::runView)
				.one())
			.switchIfEmpty(Mono.error(() -> new NotFoundException("No run " + run + " of project " + id)))
			.flatMap((view) -> this.database
				.sql("SELECT * FROM nextflow_task WHERE run_id = :run ORDER BY task_id")
				.bind("run", runId)
				.map(NextflowRuns::taskView)
				.all()
				.collectList()
				.map((tasks) -> {
					view.put("tasks", tasks);
					return view;
				}));
	}

	/** The run a project's log request means: the one named, or its latest. */
	Mono<UUID> logRun(Caller caller, int id, Runs.LogQuery query) {
		return this.projects.get(caller, id)
			.then(this.database
				.sql("SELECT id FROM workflow_run WHERE project_id = :id AND (CAST(:run AS uuid) IS NULL OR id = :run) "
						+ "ORDER BY created_at DESC LIMIT 1")
				.bind("id", id)
				.bindValues(Map.of("run", (query.run() != null) ? query.run()
						: org.springframework.r2dbc.core.Parameter.empty(UUID.class)))
				.map((row) -> row.get("id", UUID.class))
				.one());
	}

	private static UUID runId(String run) {
		try {
			return UUID.fromString(run);
		}
		catch (IllegalArgumentException ex) {
			throw new NotFoundException("No run " + run);
		}
	}

	private static final String RUNS = "SELECT w.id, w.status, w.error_message, w.created_at, w.started_at, w.finished_at, "
			+ "w.outputs, w.cancel_requested, t.exit_code, n.nextflow_run_id, n.run_name, n.submitted_processes, "
			+ "n.completed_processes, n.success, n.exit_status, n.error_report FROM workflow_run w "
			+ "JOIN nextflow_run n ON n.run_id = w.id LEFT JOIN task_run t ON t.run_id = w.id AND t.task = '" + TASK + "' ";

	private Map<String, Object> runView(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", UUID.class));
		view.put("status", row.get("status", String.class));
		view.put("exit_code", row.get("exit_code", Integer.class));
		view.put("error_message", row.get("error_message", String.class));
		view.put("cancel_requested", row.get("cancel_requested", Boolean.class));
		view.put("created", row.get("created_at", Instant.class));
		view.put("started", row.get("started_at", Instant.class));
		view.put("finished", row.get("finished_at", Instant.class));
		Map<String, Object> nextflow = new LinkedHashMap<>();
		nextflow.put("run_id", row.get("nextflow_run_id", String.class));
		nextflow.put("run_name", row.get("run_name", String.class));
		nextflow.put("success", row.get("success", Boolean.class));
		nextflow.put("exit_status", row.get("exit_status", Integer.class));
		nextflow.put("error_report", row.get("error_report", String.class));
		view.put("nextflow", nextflow);
		view.put("submitted_processes", row.get("submitted_processes", Integer.class));
		view.put("completed_processes", row.get("completed_processes", Integer.class));
		String outputs = Json.textOrNull(row, "outputs");
		view.put("outputs", (outputs != null) ? this.json.readTree(outputs) : List.of());
		return view;
	}

	private static Map<String, Object> taskView(Readable row) {
		Map<String, Object> task = new LinkedHashMap<>();
		task.put("task_id", row.get("task_id", Long.class));
		task.put("hash", row.get("hash", String.class));
		task.put("name", row.get("name", String.class));
		task.put("process", row.get("process", String.class));
		task.put("status", row.get("status", String.class));
		task.put("exit", row.get("exit_code", Integer.class));
		task.put("attempt", row.get("attempt", Integer.class));
		task.put("error_action", row.get("error_action", String.class));
		task.put("submitted", row.get("submitted_at", Instant.class));
		task.put("started", row.get("started_at", Instant.class));
		task.put("completed", row.get("completed_at", Instant.class));
		task.put("duration_ms", row.get("duration_ms", Long.class));
		task.put("realtime_ms", row.get("realtime_ms", Long.class));
		return task;
	}

}
