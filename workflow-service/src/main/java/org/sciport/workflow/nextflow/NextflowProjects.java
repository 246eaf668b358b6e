package org.sciport.workflow.nextflow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.security.Caller;
import org.sciport.workflow.WorkflowProperties;
import org.sciport.workflow.runs.Runs;
import org.sciport.workflow.web.Json;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Nextflow projects: each has an owner, and another user's is a 404 (an administrator sees
 * every one). A project names the pipeline it runs ({@code nextflow_project}, the code's
 * {@code workflow}) from the configured ones, and its arguments ({@code workflow_arguments}).
 */
@Service
class NextflowProjects {

	private final DatabaseClient database;

	private final ProjectFiles files;

	private final WorkflowProperties.Nextflow properties;

	private final JsonMapper json;

	private final Runs runs;

	NextflowProjects(DatabaseClient database, ProjectFiles files, WorkflowProperties properties, JsonMapper json,
			Runs runs) {
		this.runs = runs;
		this.database = database;
		this.files = files;
		this.properties = properties.nextflow();
		this.json = json;
	}

	/** A refusal in the original's shape: 422 {@code {"errors": {field: [message]}}}. */
	static final class Unprocessable extends RuntimeException {

		final Map<String, List<String>> errors;

		Unprocessable(String field, String message) {
			this(Map.of(field, List.of(message)));
		}

		Unprocessable(Map<String, List<String>> errors) {
			super(errors.toString(), null, false, false);
			this.errors = Map.copyOf(errors);
		}

	}

	Mono<List<Map<String, Object>>> list(Caller caller, long offset, int limit) {
		return this.database
			.sql("SELECT * FROM nextflow_project WHERE deleted_at IS NULL AND (:admin OR owner_id = :me) "
					+ "ORDER BY id OFFSET :offset LIMIT :limit")
			.bind("admin", caller.isAdmin())
			.bind("me", UUID.fromString(caller.userId()))
			.bind("offset", offset)
			.bind("limit", limit)
			.map(this::view)
			.all()
			.collectList();
	}

	Mono<Long> count(Caller caller) {
		return this.database
			.sql("SELECT count(*) AS n FROM nextflow_project WHERE deleted_at IS NULL AND (:admin OR owner_id = :me)")
			.bind("admin", caller.isAdmin())
			.bind("me", UUID.fromString(caller.userId()))
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	Mono<Map<String, Object>> get(Caller caller, int id) {
		return this.database
			.sql("SELECT * FROM nextflow_project WHERE id = :id AND deleted_at IS NULL AND (:admin OR owner_id = :me)")
			.bind("id", id)
			.bind("admin", caller.isAdmin())
			.bind("me", UUID.fromString(caller.userId()))
			.map(this::view)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("No project " + id)));
	}

	Mono<Map<String, Object>> create(Caller caller, JsonNode body) {
		JsonNode name = body.path("name");
		if (!name.isString() || name.asString().isBlank() || name.asString().length() > 512) {
			return Mono.error(new Unprocessable("name", "name is required, 1 to 512 characters"));
		}
		return this.database
			.sql("INSERT INTO nextflow_project (owner_id, name, created_at, updated_at) VALUES (:me, :name, now(), now()) "
					+ "RETURNING id")
			.bind("me", UUID.fromString(caller.userId()))
			.bind("name", name.asString().strip())
			.map((row) -> row.get("id", Integer.class))
			.one()
			.flatMap((id) -> get(caller, id));
	}

	/** Sets the pipeline and its arguments (the document's names, or the code's). */
	Mono<Void> update(Caller caller, int id, JsonNode body) {
		JsonNode pipeline = first(body, "nextflow_project", "workflow");
		JsonNode arguments = first(body, "workflow_arguments", "nextflow_arguments", "nextflow_argumenty");
		if (pipeline != null && !pipeline.isNull()
				&& (!pipeline.isString() || !this.properties.pipelines().containsKey(pipeline.asString()))) {
			return Mono.error(new Unprocessable("nextflow_project", "nextflow_project must be one of: "
					+ String.join(", ", pipelines())));
		}
		if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
			return Mono.error(new Unprocessable("workflow_arguments", "workflow_arguments is an object of arguments"));
		}
		return get(caller, id).then(this.database
			.sql("UPDATE nextflow_project SET nextflow_project = CASE WHEN :setPipeline THEN CAST(:pipeline AS text) "
					+ "ELSE nextflow_project END, workflow_arguments = coalesce(CAST(:arguments AS jsonb), workflow_arguments), "
					+ "updated_at = now() WHERE id = :id")
			.bind("setPipeline", pipeline != null)
			.bindValues(Map.of("pipeline", (pipeline != null && pipeline.isString()) ? pipeline.asString()
					: org.springframework.r2dbc.core.Parameter.empty(String.class), "arguments",
					(arguments != null && arguments.isObject()) ? arguments.toString()
							: org.springframework.r2dbc.core.Parameter.empty(String.class)))
			.bind("id", id)
			.then());
	}

	/** Deletes the project and its files; a run of it under way is cancelled. */
	Mono<Void> delete(Caller caller, int id) {
		return get(caller, id)
			.then(this.database
				.sql("WITH old AS (SELECT id, current_run FROM nextflow_project WHERE id = :id FOR UPDATE) "
						+ "UPDATE nextflow_project p SET deleted_at = now(), is_scheduled = false, current_run = NULL "
						+ "FROM old WHERE p.id = old.id RETURNING old.current_run")
				.bind("id", id)
				.map((row) -> java.util.Optional.ofNullable(row.get("current_run", UUID.class)))
				.one())
			.flatMap((run) -> run.map(this.runs::requestCancel).orElse(Mono.empty()))
			.then(this.files.deleteAll(id).onErrorResume((ex) -> Mono.empty()));
	}

	List<String> pipelines() {
		return this.properties.pipelines().keySet().stream().sorted().toList();
	}

	Map<String, Map<String, String>> arguments(String pipeline) {
		WorkflowProperties.Pipeline found = this.properties.pipelines().get(pipeline);
		if (found == null) {
			throw new NotFoundException("No nextflow project " + pipeline);
		}
		return found.arguments();
	}

	private Map<String, Object> view(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", Integer.class));
		view.put("name", row.get("name", String.class));
		view.put("workflow_arguments", this.json.readTree(Json.text(row, "workflow_arguments")));
		view.put("nextflow_project", row.get("nextflow_project", String.class));
		// The name the original's own web client reads.
		view.put("workflow", row.get("nextflow_project", String.class));
		view.put("submitted_processes", row.get("submitted_processes", Integer.class));
		view.put("completed_processes", row.get("completed_processes", Integer.class));
		view.put("is_scheduled", row.get("is_scheduled", Boolean.class));
		return view;
	}

	private static @Nullable JsonNode first(JsonNode body, String... names) {
		List<String> given = new ArrayList<>(List.of(names));
		for (String name : given) {
			if (body.has(name)) {
				return body.get(name);
			}
		}
		return null;
	}

}
