package org.sciport.workflow.nextflow;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.springframework.core.io.buffer.DataBuffer;
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

	NextflowProjectController(NextflowProjects projects, ProjectFiles files) {
		this.projects = projects;
		this.files = files;
	}

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
