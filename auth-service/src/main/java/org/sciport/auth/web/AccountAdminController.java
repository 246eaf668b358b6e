package org.sciport.auth.web;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.auth.users.User;
import org.sciport.auth.users.UserService;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.page.Page;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.security.AccessTokenFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Accounts: each caller's own profile, and the administrators' view of every account. Whether
 * a caller is an administrator is read from the database on each request, not from the token,
 * so a demotion takes effect at once.
 */
@RestController
class AccountAdminController {

	private final UserService users;

	private final NativeAuthController nativeApi;

	AccountAdminController(UserService users, NativeAuthController nativeApi) {
		this.users = users;
		this.nativeApi = nativeApi;
	}

	/**
	 * A change to one's own profile.
	 *
	 * @param name the new display name
	 * @param email the new email
	 */
	record ProfileChange(@Nullable String name, @Nullable String email) {
	}

	/**
	 * An administrator's change to an account.
	 *
	 * @param role {@code admin} or {@code user}
	 * @param plan {@code free}, {@code professional} or {@code enterprise}
	 * @param active {@code false} deactivates the account
	 */
	record AccountChange(@Nullable String role, @Nullable String plan, @Nullable Boolean active) {
	}

	@PutMapping("/v1/users/me")
	Mono<User> updateMe(@RequestBody ProfileChange change, ServerWebExchange exchange) {
		return this.nativeApi.currentUser(AccessTokenFilter.requireCaller(exchange))
			.flatMap((me) -> this.users.updateProfile(me.id(), change.name(), change.email()));
	}

	@GetMapping("/v1/users")
	Mono<Page<User>> list(ServerWebExchange exchange) {
		PageRequest.requireKnown(exchange.getRequest().getQueryParams(), List.of("page", "per_page"));
		PageRequest page = PageRequest.from(exchange.getRequest().getQueryParams());
		String path = exchange.getRequest().getURI().getRawPath()
				+ ((exchange.getRequest().getURI().getRawQuery() != null) ? "?" + exchange.getRequest().getURI().getRawQuery()
						: "");
		return administrator(exchange).then(this.users.list(page, path));
	}

	@PatchMapping("/v1/users/{id}")
	Mono<User> administer(@PathVariable String id, @RequestBody AccountChange change, ServerWebExchange exchange) {
		UUID target;
		try {
			target = UUID.fromString(id);
		}
		catch (IllegalArgumentException ex) {
			return Mono.error(new ValidationException("id", "id is not a user id"));
		}
		return administrator(exchange)
			.flatMap((admin) -> this.users.administer(target, change.role(), change.plan(), change.active(), admin.id()));
	}

	private Mono<User> administrator(ServerWebExchange exchange) {
		return this.nativeApi.currentUser(AccessTokenFilter.requireCaller(exchange))
			.flatMap((user) -> "admin".equals(user.role()) ? Mono.just(user)
					: Mono.error(new PermissionDeniedException("Only administrators may do this")));
	}

}
