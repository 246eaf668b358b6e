package org.sciport.workflow.resources;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.workflow.web.Listing;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code /v1/resources}: apply (YAML or JSON), list, read, re-apply, delete, and the revisions
 * of each, in the shapes the resource API's clients read.
 */
@RestController
class ResourceController {

	private final Resources resources;

	ResourceController(Resources resources) {
		this.resources = resources;
	}

	@PostMapping("/v1/resources")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Map<String, Object>> create(@RequestBody(required = false) @Nullable String body,
			@RequestParam(required = false) @Nullable String workspace, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Manifest manifest = this.resources.manifest((body != null) ? body : "",
					exchange.getRequest().getHeaders().getContentType());
			return this.resources.create(AccessTokenFilter.requireCaller(exchange), manifest, workspace);
		}).map((resource) -> answer("Resource created successfully", resource));
	}

	@GetMapping("/v1/resources")
	Mono<Map<String, Object>> list(@RequestParam(required = false) @Nullable String type,
			@RequestParam(required = false) @Nullable String workspace, ServerWebExchange exchange) {
		return Mono.defer(() -> this.resources.list(AccessTokenFilter.requireCaller(exchange), blankToNull(type),
				blankToNull(workspace), Listing.of(exchange.getRequest().getQueryParams())));
	}

	@GetMapping("/v1/resources/{type}/{name}")
	Mono<Map<String, Object>> get(@PathVariable String type, @PathVariable String name,
			@RequestParam(required = false) @Nullable String workspace, ServerWebExchange exchange) {
		return Mono.defer(() -> this.resources.get(AccessTokenFilter.requireCaller(exchange), type, name, workspace));
	}

	@PutMapping("/v1/resources/{type}/{name}")
	Mono<Map<String, Object>> update(@PathVariable String type, @PathVariable String name,
			@RequestBody(required = false) @Nullable String body, @RequestParam(required = false) @Nullable String workspace,
			ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Manifest manifest = this.resources.manifest((body != null) ? body : "",
					exchange.getRequest().getHeaders().getContentType());
			return this.resources.update(AccessTokenFilter.requireCaller(exchange), type, name, manifest, workspace);
		}).map((resource) -> answer("Resource updated successfully", resource));
	}

	@DeleteMapping("/v1/resources/{type}/{name}")
	Mono<Map<String, Object>> delete(@PathVariable String type, @PathVariable String name,
			@RequestParam(required = false) @Nullable String workspace, ServerWebExchange exchange) {
		return Mono.defer(() -> this.resources.delete(AccessTokenFilter.requireCaller(exchange), type, name, workspace))
			.map((resource) -> answer("Resource deleted successfully", resource));
	}

	@GetMapping("/v1/resources/{type}/{name}/revisions")
	Mono<Map<String, Object>> revisions(@PathVariable String type, @PathVariable String name,
			@RequestParam(required = false) @Nullable String workspace, ServerWebExchange exchange) {
		return Mono.defer(() -> this.resources.revisions(AccessTokenFilter.requireCaller(exchange), type, name, workspace,
				Listing.of(exchange.getRequest().getQueryParams())));
	}

	@GetMapping("/v1/resources/{type}/{name}/revisions/{revision}")
	Mono<Map<String, Object>> revision(@PathVariable String type, @PathVariable String name,
			@PathVariable String revision, @RequestParam(required = false) @Nullable String workspace,
			ServerWebExchange exchange) {
		return Mono.defer(() -> this.resources.revision(AccessTokenFilter.requireCaller(exchange), type, name, workspace,
				revisionNumber(revision)));
	}

	private static int revisionNumber(String text) {
		try {
			int revision = Integer.parseInt(text);
			if (revision > 0) {
				return revision;
			}
		}
		catch (NumberFormatException ex) {
			// Said below.
		}
		throw new ValidationException("revision", "revision must be a whole number from 1");
	}

	private static @Nullable String blankToNull(@Nullable String text) {
		return (text == null || text.isBlank()) ? null : text.trim();
	}

	private static Map<String, Object> answer(String message, Map<String, Object> resource) {
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("message", message);
		answer.put("resource", resource);
		return answer;
	}

}
