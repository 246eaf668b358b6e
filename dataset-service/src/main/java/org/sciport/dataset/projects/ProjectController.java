package org.sciport.dataset.projects;

import org.sciport.commons.page.Page;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.dataset.teams.Paths;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
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
 * {@code /v1/projects}: list, create, read, update (partial, with {@code PUT} as documented)
 * and delete.
 */
@RestController
class ProjectController {

	private final ProjectService projects;

	ProjectController(ProjectService projects) {
		this.projects = projects;
	}

	/**
	 * The answer to a deletion.
	 *
	 * @param success always {@code true}
	 * @param message what happened
	 */
	record Deleted(boolean success, String message) {
	}

	@GetMapping("/v1/projects")
	Mono<Page<Project>> list(ServerWebExchange exchange) {
		return Mono.defer(() -> this.projects.list(AccessTokenFilter.requireCaller(exchange),
				Paths.page(exchange, "page", "per_page", "sort", "order"),
				exchange.getRequest().getQueryParams().getFirst("sort"),
				exchange.getRequest().getQueryParams().getFirst("order"), Paths.withQuery(exchange)));
	}

	@PostMapping("/v1/projects")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Project> create(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.projects.create(AccessTokenFilter.requireCaller(exchange), body));
	}

	@GetMapping("/v1/projects/{id}")
	Mono<Project> get(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.projects.get(AccessTokenFilter.requireCaller(exchange), id));
	}

	@PutMapping("/v1/projects/{id}")
	Mono<Project> update(@PathVariable String id, @RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.projects.update(AccessTokenFilter.requireCaller(exchange), id, body));
	}

	@DeleteMapping("/v1/projects/{id}")
	Mono<Deleted> delete(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.projects.delete(AccessTokenFilter.requireCaller(exchange), id))
			.thenReturn(new Deleted(true, "Project deleted successfully"));
	}

}
