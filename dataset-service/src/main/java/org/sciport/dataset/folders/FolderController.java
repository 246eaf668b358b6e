package org.sciport.dataset.folders;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.dataset.teams.Paths;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The native folder API: {@code /v1/folders}.
 */
@RestController
class FolderController {

	private final FolderService folders;

	FolderController(FolderService folders) {
		this.folders = folders;
	}

	/**
	 * The caller's folders as a tree.
	 *
	 * @param data the top-level folders, each with its {@code children}
	 */
	record Tree(List<Folder> data) {
	}

	@GetMapping("/v1/folders")
	Mono<Tree> tree(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Paths.only(exchange);
			return this.folders.tree(AccessTokenFilter.requireCaller(exchange)).map(Tree::new);
		});
	}

	@PostMapping("/v1/folders")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Folder> create(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			only(body, "name", "parent_id");
			return this.folders.create(AccessTokenFilter.requireCaller(exchange), text(body, "name"), parent(body));
		});
	}

	@PatchMapping("/v1/folders/{id}")
	Mono<Folder> update(@PathVariable String id, @RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			only(body, "name", "parent_id");
			return this.folders.update(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id), text(body, "name"),
					body.has("parent_id"), parent(body));
		});
	}

	@DeleteMapping("/v1/folders/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> delete(@PathVariable String id, @RequestParam(defaultValue = "false") boolean force,
			ServerWebExchange exchange) {
		return Mono.defer(() -> this.folders.delete(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id), force));
	}

	private static void only(JsonNode body, String... fields) {
		if (body == null || !body.isObject()) {
			throw new ValidationException(null, "the body must be a JSON object");
		}
		List<String> known = List.of(fields);
		for (String field : body.propertyNames()) {
			if (!known.contains(field)) {
				throw new ValidationException(field, "unknown field '" + field + "'");
			}
		}
	}

	private static @Nullable String text(JsonNode body, String field) {
		JsonNode value = body.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw new ValidationException(field, field + " must be a string");
		}
		return value.asString();
	}

	private static @Nullable UUID parent(JsonNode body) {
		String value = text(body, "parent_id");
		return (value != null) ? Paths.uuid("parent_id", value) : null;
	}

}
