package org.sciport.workflow.workspaces;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.workflow.web.Listing;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code /v1/workspaces}: list, create, read, delete, and members.
 */
@RestController
class WorkspaceController {

	private final Workspaces workspaces;

	WorkspaceController(Workspaces workspaces) {
		this.workspaces = workspaces;
	}

	/**
	 * A new workspace.
	 *
	 * @param name its name
	 * @param description what it is for
	 */
	record NewWorkspace(@Nullable String name, @Nullable String description) {
	}

	/**
	 * A member to add.
	 *
	 * @param userId who
	 * @param role {@code owner} or {@code member} (the default)
	 */
	record NewMember(@Nullable String userId, @Nullable String role) {
	}

	@GetMapping("/v1/workspaces")
	Mono<Map<String, Object>> list(ServerWebExchange exchange) {
		return Mono.defer(() -> this.workspaces.list(AccessTokenFilter.requireCaller(exchange),
				Listing.of(exchange.getRequest().getQueryParams())));
	}

	@PostMapping("/v1/workspaces")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Map<String, Object>> create(@RequestBody NewWorkspace body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.workspaces.create(AccessTokenFilter.requireCaller(exchange), body.name(),
				body.description()))
			.map((workspace) -> answer("Workspace created successfully", workspace));
	}

	@GetMapping("/v1/workspaces/{name}")
	Mono<Map<String, Object>> get(@PathVariable String name, ServerWebExchange exchange) {
		return Mono.defer(() -> this.workspaces.get(AccessTokenFilter.requireCaller(exchange), name));
	}

	@DeleteMapping("/v1/workspaces/{name}")
	Mono<Map<String, Object>> delete(@PathVariable String name, @RequestParam(defaultValue = "false") boolean force,
			ServerWebExchange exchange) {
		return Mono.defer(() -> this.workspaces.delete(AccessTokenFilter.requireCaller(exchange), name, force))
			.then(Mono.fromSupplier(() -> answer("Workspace deleted successfully", Map.of("name", name))));
	}

	@PostMapping("/v1/workspaces/{name}/members")
	Mono<Map<String, Object>> addMember(@PathVariable String name, @RequestBody NewMember body,
			ServerWebExchange exchange) {
		return Mono.defer(() -> this.workspaces.addMember(AccessTokenFilter.requireCaller(exchange), name, body.userId(),
				body.role()));
	}

	@DeleteMapping("/v1/workspaces/{name}/members/{userId}")
	Mono<Map<String, Object>> removeMember(@PathVariable String name, @PathVariable String userId,
			ServerWebExchange exchange) {
		return Mono.defer(() -> this.workspaces.removeMember(AccessTokenFilter.requireCaller(exchange), name, userId));
	}

	private static Map<String, Object> answer(String message, Map<String, Object> workspace) {
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("message", message);
		answer.put("workspace", workspace);
		return answer;
	}

}
