package org.sciport.dataset.teams;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.page.Page;
import org.sciport.commons.security.AccessTokenFilter;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The native team API: {@code /v1/teams}.
 */
@RestController
class TeamController {

	private final TeamService teams;

	TeamController(TeamService teams) {
		this.teams = teams;
	}

	/**
	 * A new team.
	 *
	 * @param name its name
	 * @param members further members (the creator is its first owner)
	 */
	record NewTeam(@Nullable String name, @Nullable List<Team.Member> members) {
	}

	/**
	 * A change of name.
	 *
	 * @param name the new name
	 */
	record TeamChange(@Nullable String name) {
	}

	@GetMapping("/v1/teams")
	Mono<Page<Team>> mine(ServerWebExchange exchange) {
		return Mono.defer(() -> this.teams.listMine(AccessTokenFilter.requireCaller(exchange),
				Paths.page(exchange, "page", "per_page"), Paths.withQuery(exchange)));
	}

	@PostMapping("/v1/teams")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Team> create(@RequestBody NewTeam request, ServerWebExchange exchange) {
		return this.teams.create(AccessTokenFilter.requireCaller(exchange), request.name(), request.members());
	}

	@GetMapping("/v1/teams/{id}")
	Mono<Team> get(@PathVariable String id, ServerWebExchange exchange) {
		return this.teams.get(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id));
	}

	@PatchMapping("/v1/teams/{id}")
	Mono<Team> rename(@PathVariable String id, @RequestBody TeamChange change, ServerWebExchange exchange) {
		if (change.name() == null) {
			return Mono.error(new ValidationException("name", "nothing to change"));
		}
		return this.teams.rename(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id), change.name());
	}

	@PostMapping("/v1/teams/{id}/members")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Team> addMember(@PathVariable String id, @RequestBody Team.Member member, ServerWebExchange exchange) {
		return this.teams.addMember(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id), member);
	}

	/**
	 * A member's new role.
	 *
	 * @param role {@code owner} or {@code member}
	 */
	record RoleChange(@Nullable String role) {
	}

	@PatchMapping("/v1/teams/{id}/members/{userId}")
	Mono<Team> changeRole(@PathVariable String id, @PathVariable String userId, @RequestBody RoleChange change,
			ServerWebExchange exchange) {
		return this.teams.changeRole(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id),
				Paths.uuid("user_id", userId), change.role());
	}

	@DeleteMapping("/v1/teams/{id}/members/{userId}")
	Mono<Team> removeMember(@PathVariable String id, @PathVariable String userId, ServerWebExchange exchange) {
		return this.teams.removeMember(AccessTokenFilter.requireCaller(exchange), Paths.uuid("id", id),
				Paths.uuid("user_id", userId));
	}

}
