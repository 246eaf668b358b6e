package org.sciport.auth.web;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.auth.tokens.Sessions;
import org.sciport.auth.users.User;
import org.sciport.auth.users.UserService;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.page.Page;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
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
 * a caller is an administrator is read from the database on each request (so a demotion takes
 * effect at once here) and from the token's scopes (a scoped token needs {@code admin}).
 */
@RestController
class AccountAdminController {

	private final UserService users;

	private final NativeAuthController nativeApi;

	private final Sessions sessions;

	AccountAdminController(UserService users, NativeAuthController nativeApi, Sessions sessions) {
		this.users = users;
		this.nativeApi = nativeApi;
		this.sessions = sessions;
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

	/**
	 * A change of one's own password.
	 *
	 * @param currentPassword the password now
	 * @param newPassword the password from now on
	 */
	record PasswordChange(@Nullable String currentPassword, @Nullable String newPassword) {
	}

	/**
	 * Changes the caller's password, ends every session and token of the account everywhere, and
	 * starts a new session for the caller (the answer of a login).
	 */
	@PutMapping("/v1/users/me/password")
	Mono<NativeAuthController.TokenResponse> changePassword(@RequestBody PasswordChange change,
			ServerWebExchange exchange) {
		return this.nativeApi.currentUser(AccessTokenFilter.requireCaller(exchange))
			.flatMap((me) -> this.users.changePassword(me.id(), change.currentPassword(), change.newPassword()))
			.flatMap(this.sessions::startFor)
			.map(NativeAuthController.TokenResponse::of);
	}

	private Mono<User> administrator(ServerWebExchange exchange) {
		Caller caller = AccessTokenFilter.requireCaller(exchange);
		// The account's role now (a token may predate a demotion) and the token's scopes both count.
		return this.nativeApi.currentUser(caller)
			.flatMap((user) -> ("admin".equals(user.role()) && caller.isAdmin()) ? Mono.just(user)
					: Mono.error(new PermissionDeniedException("Only administrators may do this")));
	}

}
