package org.sciport.workflow.nextflow;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.SciportException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.sciport.workflow.runs.Runs;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Seed 004's projects ({@code /api/projects/...}) and Nextflow projects
 * ({@code /api/nextflow-projects/...}, also {@code /api/workflows/...} as the original's code named
 * them), in the document's shapes. The token comes as {@code x-access-token} or
 * {@code Authorization: Bearer}.
 */
@RestController
class NextflowProjectController {

	private static final int DEFAULT_LIMIT = 50;

	private static final int MAX_LIMIT = 1000;

	private final NextflowProjects projects;

	private final ProjectFiles files;

	private final NextflowRuns runs;

	private final NextflowWeblog weblog;

	private final Runs logs;

	NextflowProjectController(NextflowProjects projects, ProjectFiles files, NextflowRuns runs, NextflowWeblog weblog,
			Runs logs) {
		this.projects = projects;
		this.files = files;
		this.runs = runs;
		this.weblog = weblog;
		this.logs = logs;
	}

	/** The largest weblog post taken (a failing run's error report included). */
	private static final int MAX_WEBLOG_POST = 4 << 20;

	@ExceptionHandler(NextflowProjects.Unprocessable.class)
	ResponseEntity<Map<String, Object>> unprocessable(NextflowProjects.Unprocessable ex) {
		return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).body(Map.of("errors", ex.errors));
	}

	@GetMapping("/api/projects")
	Mono<Map<String, Object>> list(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			long offset = number(exchange, "offset", 0, Long.MAX_VALUE, 0);
			int limit = (int) number(exchange, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
			return this.projects.list(caller(exchange), offset, limit).map((list) -> Map.of("projects", list));
		});
	}

	@GetMapping("/api/projects/count")
	Mono<Map<String, Object>> count(ServerWebExchange exchange) {
		return Mono.defer(() -> this.projects.count(caller(exchange)).map((count) -> Map.of("count", count)));
	}

	@GetMapping("/api/projects/{id}")
	Mono<Map<String, Object>> get(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.projects.get(caller(exchange), id(id)).map((project) -> Map.of("project", project)));
	}

	@PostMapping("/api/projects/create")
	Mono<Map<String, Object>> create(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.projects.create(caller(exchange), body).map((project) -> Map.of("project", project)));
	}

	@PostMapping("/api/projects/{id}/update")
	Mono<Map<String, Object>> update(@PathVariable String id, @RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.projects.update(caller(exchange), id(id), body)).thenReturn(Map.of());
	}

	@PostMapping("/api/projects/{id}/delete")
	Mono<Map<String, Object>> delete(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.projects.delete(caller(exchange), id(id))).thenReturn(Map.of());
	}

	@GetMapping("/api/projects/{id}/files")
	Mono<ProjectFiles.Listing> files(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			int project = id(id);
			return this.projects.get(caller(exchange), project)
				.then(this.files.list(project, exchange.getRequest().getQueryParams().getFirst("dir")));
		});
	}

	/** Multipart {@code file} and {@code directory}; the file is streamed to the project's area. */
	@PostMapping(path = "/api/projects/{id}/upload-file", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Mono<Map<String, Object>> upload(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			int project = id(id);
			return this.projects.get(caller(exchange), project).then(exchange.getMultipartData()).flatMap((form) -> {
				Part file = form.getFirst("file");
				if (!(file instanceof FilePart part)) {
					return Mono.error(new ValidationException("file", "the form needs a file part named file"));
				}
				Part directoryPart = form.getFirst("directory");
				String directory = (directoryPart instanceof FormFieldPart field) ? field.value() : "";
				return this.files.upload(project, directory, part.filename(), part.content())
					.map((stored) -> Map.<String, Object>of("directory", directory, "file",
							stored.substring(stored.lastIndexOf('/') + 1)));
			});
		});
	}

	@PostMapping("/api/projects/{id}/delete-path")
	Mono<String> deletePath(@PathVariable String id, @RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			int project = id(id);
			return this.projects.get(caller(exchange), project).then(this.files.delete(project, path(body))).thenReturn("");
		});
	}

	@PostMapping("/api/projects/{id}/create-folder")
	Mono<String> createFolder(@PathVariable String id, @RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			int project = id(id);
			return this.projects.get(caller(exchange), project).then(this.files.createFolder(project, path(body)))
				.thenReturn("");
		});
	}

	/** A file as it is, or a folder as a zip ({@code path}; the whole project without one). */
	@GetMapping("/api/projects/{id}/download")
	Mono<ResponseEntity<Flux<DataBuffer>>> download(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			int project = id(id);
			return this.projects.get(caller(exchange), project)
				.then(this.files.download(project, exchange.getRequest().getQueryParams().getFirst("path")))
				.map((download) -> {
					ResponseEntity.BodyBuilder answer = ResponseEntity.ok()
						.contentType(download.folder() ? MediaType.parseMediaType("application/zip")
								: MediaType.APPLICATION_OCTET_STREAM)
						.header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
							.filename(download.name(), StandardCharsets.UTF_8)
							.build()
							.toString());
					if (download.size() != null) {
						answer.contentLength(download.size());
					}
					return answer.body(download.content());
				});
		});
	}

	/** Checks the arguments, marks the project scheduled and launches its run: {@code {"is_scheduled": true}}. */
	@PostMapping("/api/projects/{id}/schedule")
	Mono<Map<String, Object>> schedule(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.runs.schedule(caller(exchange), id(id)));
	}

	/** For administrators' (worker) credentials: the project is no longer scheduled, its counters reset. */
	@PostMapping("/api/projects/{id}/finished")
	Mono<String> finished(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.runs.finished(caller(exchange), id(id))).thenReturn("");
	}

	/**
	 * Nextflow's weblog ({@code -with-weblog}), the document's path and the code's; public at the
	 * token check, taken only with the run's secret.
	 */
	@PostMapping({ "/api/projects/{id}/nextflow-log", "/api/projects/{id}/workflow-log" })
	Mono<String> weblog(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			int project = id(id);
			String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
			// The secret first: nobody else's post is read.
			return this.weblog.authenticate(project, authorization).flatMap((run) -> DataBufferUtils
				.join(exchange.getRequest().getBody(), MAX_WEBLOG_POST)
				.map((buffer) -> {
					byte[] bytes = new byte[buffer.readableByteCount()];
					buffer.read(bytes);
					DataBufferUtils.release(buffer);
					return bytes;
				})
				.defaultIfEmpty(new byte[0])
				.onErrorMap(DataBufferLimitException.class, (ex) -> new SciportException(ErrorCode.PAYLOAD_TOO_LARGE,
						"A weblog post may hold at most " + MAX_WEBLOG_POST + " bytes"))
				.flatMap((body) -> this.weblog.record(run, body)));
		}).thenReturn("");
	}

	/** The project's runs, newest first ({@code offset}, {@code limit}). */
	@GetMapping("/api/projects/{id}/runs")
	Mono<Map<String, Object>> runs(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			long offset = number(exchange, "offset", 0, Long.MAX_VALUE, 0);
			int limit = (int) number(exchange, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
			return this.runs.list(caller(exchange), id(id), offset, limit).map((list) -> Map.of("runs", list));
		});
	}

	/** One run, with the tasks its Nextflow reported. */
	@GetMapping("/api/projects/{id}/runs/{run}")
	Mono<Map<String, Object>> run(@PathVariable String id, @PathVariable String run, ServerWebExchange exchange) {
		return Mono.defer(() -> this.runs.get(caller(exchange), id(id), run).map((found) -> Map.of("run", found)));
	}

	/** A run's log (the latest unless {@code run} names one), with {@code since} and {@code tail}. */
	@GetMapping(value = "/api/projects/{id}/logs", params = "follow!=true")
	Mono<Map<String, Object>> logs(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Runs.LogQuery query = query(exchange);
			return this.logs.logLines(this.runs.logRun(caller(exchange), id(id), query), query);
		});
	}

	/** {@code follow=true}: the lines, then each new one until the run ends; SSE, or NDJSON when asked for. */
	@GetMapping(value = "/api/projects/{id}/logs", params = "follow=true",
			produces = { MediaType.TEXT_EVENT_STREAM_VALUE, MediaType.APPLICATION_NDJSON_VALUE })
	Flux<Map<String, Object>> follow(@PathVariable String id, ServerWebExchange exchange) {
		return Flux.defer(() -> {
			Runs.LogQuery query = query(exchange);
			return this.logs.follow(this.runs.logRun(caller(exchange), id(id), query), query);
		});
	}

	private static Runs.LogQuery query(ServerWebExchange exchange) {
		org.springframework.util.MultiValueMap<String, String> parameters = exchange.getRequest().getQueryParams();
		return Runs.LogQuery.parse(parameters.getFirst("since"), parameters.getFirst("tail"), parameters.getFirst("run"));
	}

	@GetMapping({ "/api/nextflow-projects", "/api/workflows" })
	Map<String, Object> pipelines(ServerWebExchange exchange) {
		caller(exchange);
		return Map.of("nextflow_projects", this.projects.pipelines());
	}

	@GetMapping({ "/api/nextflow-projects/{name}/arguments", "/api/workflows/{name}/arguments" })
	Map<String, Object> arguments(@PathVariable String name, ServerWebExchange exchange) {
		caller(exchange);
		return Map.of("arguments", this.projects.arguments(name));
	}

	private static Caller caller(ServerWebExchange exchange) {
		return AccessTokenFilter.requireCaller(exchange);
	}

	private static int id(String id) {
		try {
			int value = Integer.parseInt(id);
			if (value > 0) {
				return value;
			}
		}
		catch (NumberFormatException ex) {
			// Not a project's id: none is found.
		}
		throw new NotFoundException("No project " + id);
	}

	private static @Nullable String path(JsonNode body) {
		JsonNode path = body.path("path");
		if (!path.isString()) {
			throw new ValidationException("path", "path is required, a relative path inside the project");
		}
		return path.asString();
	}

	private static long number(ServerWebExchange exchange, String name, long min, long max, long fallback) {
		String value = exchange.getRequest().getQueryParams().getFirst(name);
		if (value == null || value.isBlank()) {
			return fallback;
		}
		try {
			long parsed = Long.parseLong(value.trim());
			if (parsed >= min && parsed <= max) {
				return parsed;
			}
		}
		catch (NumberFormatException ex) {
			// Said below.
		}
		throw new ValidationException(name, name + " must be a whole number from " + min + " to " + max);
	}

}
