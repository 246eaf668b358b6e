package org.sciport.auth.web;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.auth.tokens.Sessions;
import org.sciport.auth.tokens.SigningKeys;
import org.sciport.auth.users.User;
import org.sciport.auth.users.UserService;
import org.sciport.commons.error.AuthenticationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.sciport.commons.web.ClientAddresses;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The native sign-in API: login, refresh, logout, the caller's profile, and the public keys.
 */
@RestController
class NativeAuthController {

	private final Sessions sessions;

	private final UserService users;

	private final SigningKeys keys;

	private final ClientAddresses clientAddresses;

	NativeAuthController(Sessions sessions, UserService users, SigningKeys keys, ClientAddresses clientAddresses) {
		this.clientAddresses = clientAddresses;
		this.sessions = sessions;
		this.users = users;
		this.keys = keys;
	}

	/**
	 * Credentials for a login.
	 *
	 * @param email the account's email
	 * @param password its password
	 */
	record LoginRequest(@Nullable String email, @Nullable String password) {
	}

	/**
	 * A refresh.
	 *
	 * @param refreshToken the refresh token last handed out
	 */
	record RefreshRequest(@Nullable String refreshToken) {
	}

	/**
	 * Tokens handed out by a login or refresh.
	 *
	 * @param accessToken the access token
	 * @param tokenType always {@code Bearer}
	 * @param expiresIn seconds until the access token expires
	 * @param refreshToken the refresh token, shown once
	 */
	record TokenResponse(String accessToken, String tokenType, long expiresIn, String refreshToken) {

		static TokenResponse of(Sessions.Session session) {
			return new TokenResponse(session.accessToken(), "Bearer", session.expiresIn(), session.refreshToken());
		}

	}

	@PostMapping("/v1/auth/login")
	Mono<TokenResponse> login(@RequestBody(required = false) @Nullable LoginRequest request,
			ServerWebExchange exchange) {
		LoginRequest body = (request != null) ? request : new LoginRequest(null, null);
		return this.sessions.login(body.email(), body.password(), this.clientAddresses.of(exchange)).map(TokenResponse::of);
	}

	@PostMapping("/v1/auth/refresh")
	Mono<TokenResponse> refresh(@RequestBody(required = false) @Nullable RefreshRequest request) {
		return this.sessions.refresh((request != null) ? request.refreshToken() : null).map(TokenResponse::of);
	}

	@PostMapping("/v1/auth/logout")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> logout(ServerWebExchange exchange) {
		return this.sessions.logout(AccessTokenFilter.requireCaller(exchange));
	}

	@GetMapping("/v1/users/me")
	Mono<User> me(ServerWebExchange exchange) {
		return currentUser(AccessTokenFilter.requireCaller(exchange));
	}

	@GetMapping("/.well-known/jwks.json")
	Mono<ResponseEntity<Map<String, Object>>> jwks() {
		return this.keys.published(Instant.now())
			.map((set) -> ResponseEntity.ok()
				.cacheControl(CacheControl.maxAge(java.time.Duration.ofMinutes(5)).cachePublic())
				.body(set.toJSONObject(true)));
	}

	/**
	 * The caller's account, refused if the token was revoked, or the account deactivated or its
	 * role or password changed since the token was issued.
	 */
	Mono<User> currentUser(Caller caller) {
		return this.sessions.isRevoked(caller.tokenId())
			.flatMap((revoked) -> revoked ? Mono.error(new AuthenticationException("The access token was revoked"))
					: this.users.findById(java.util.UUID.fromString(caller.userId())))
			.onErrorMap(org.sciport.commons.error.NotFoundException.class,
					(ex) -> new AuthenticationException("The account no longer exists"))
			.flatMap((user) -> !user.active() ? Mono.error(new AuthenticationException("The account is deactivated"))
					: (user.tokenVersion() > caller.tokenVersion()) ? Mono.error(new AuthenticationException(
							"The access token was ended by a change to the account; sign in again"))
					: Mono.just(user));
	}

}
