package org.sciport.dataset.catalogue;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.page.Page;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.dataset.teams.Paths;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The native catalogue API: {@code /v1/datasets}.
 */
@RestController
class DatasetController {

	private final DatasetService datasets;

	DatasetController(DatasetService datasets) {
		this.datasets = datasets;
	}

	/**
	 * A share's level.
	 *
	 * @param level {@code read} or {@code write}
	 */
	record ShareLevel(@Nullable String level) {
	}

	@GetMapping("/v1/datasets")
	Mono<Page<Dataset>> list(ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.list(AccessTokenFilter.requireCaller(exchange),
				DatasetQuery.from(exchange.getRequest().getQueryParams()), Paths.withQuery(exchange)));
	}

	@PostMapping("/v1/datasets")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Dataset> create(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.create(AccessTokenFilter.requireCaller(exchange), body));
	}

	@GetMapping("/v1/datasets/{id}")
	Mono<Dataset> get(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.get(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id)));
	}

	@GetMapping("/v1/datasets/{id}/files")
	Mono<java.util.Map<String, Object>> files(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Paths.only(exchange);
			return this.datasets.files(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id));
		}).map((files) -> java.util.Map.of("data", files));
	}

	@GetMapping("/v1/datasets/{id}/status")
	Mono<DatasetStatus> status(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.status(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id)));
	}

	@PatchMapping("/v1/datasets/{id}")
	Mono<Dataset> update(@PathVariable String id, @RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.update(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id), body));
	}

	@DeleteMapping("/v1/datasets/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> delete(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.delete(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id)));
	}

	@PutMapping("/v1/datasets/{id}/shares/{teamId}")
	Mono<Dataset> share(@PathVariable String id, @PathVariable String teamId, @RequestBody ShareLevel body,
			ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.share(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id),
				Paths.uuid("team_id", teamId), body.level()));
	}

	@PutMapping("/v1/datasets/{id}/user-shares/{userId}")
	Mono<Dataset> shareWithUser(@PathVariable String id, @PathVariable String userId, @RequestBody ShareLevel body,
			ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.shareWithUser(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id),
				Paths.uuid("user_id", userId), body.level()));
	}

	@DeleteMapping("/v1/datasets/{id}/user-shares/{userId}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> unshareUser(@PathVariable String id, @PathVariable String userId, ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.unshareUser(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id),
				Paths.uuid("user_id", userId)));
	}

	@DeleteMapping("/v1/datasets/{id}/shares/{teamId}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> unshare(@PathVariable String id, @PathVariable String teamId, ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.unshare(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id),
				Paths.uuid("team_id", teamId)));
	}

}
