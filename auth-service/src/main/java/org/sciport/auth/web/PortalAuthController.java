package org.sciport.auth.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.auth.tokens.Sessions;
import org.sciport.auth.tokens.TokenProperties;
import org.sciport.auth.users.User;
import org.sciport.commons.error.ErrorRenderer;
import org.sciport.commons.error.PortalErrorRenderer;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.web.ClientAddresses;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The data portal's authentication surface ({@code /api/auth/*}): answers carry
 * {@code {success, message, data}}, with the fields the portal's clients read at the top level
 * ({@code user}) as well; errors are {@code {success: false, error, code}}.
 */
@RestController
class PortalAuthController {

	private final Sessions sessions;

	private final NativeAuthController nativeApi;

	private final ClientAddresses clientAddresses;

	private final java.time.Duration refreshTtl;

	PortalAuthController(Sessions sessions, NativeAuthController nativeApi, ClientAddresses clientAddresses,
			TokenProperties tokens) {
		this.clientAddresses = clientAddresses;
		this.sessions = sessions;
		this.nativeApi = nativeApi;
		this.refreshTtl = tokens.refreshTokenTtl();
	}

	/**
	 * The portal's answer envelope.
	 *
	 * @param success always {@code true} here
	 * @param message what happened
	 * @param data the payload
	 */
	record Envelope(boolean success, String message, @Nullable Object data) {
	}

	@PostMapping("/api/auth/login")
	Mono<Envelope> login(@RequestBody(required = false) NativeAuthController.@Nullable LoginRequest request,
			ServerWebExchange exchange) {
		NativeAuthController.LoginRequest body = (request != null) ? request
				: new NativeAuthController.LoginRequest(null, null);
		return this.sessions.login(body.email(), body.password(), this.clientAddresses.of(exchange))
			.map((session) -> new Envelope(true, "Login successful", tokens(session)));
	}

	@PostMapping("/api/auth/refresh")
	Mono<Envelope> refresh(@RequestBody(required = false) NativeAuthController.@Nullable RefreshRequest request) {
		return this.sessions.refresh((request != null) ? request.refreshToken() : null)
			.map((session) -> new Envelope(true, "Token refreshed successfully", tokens(session)));
	}

	@PostMapping("/api/auth/logout")
	Mono<Envelope> logout(ServerWebExchange exchange) {
		return this.sessions.logout(AccessTokenFilter.requireCaller(exchange))
			.thenReturn(new Envelope(true, "Logout successful", null));
	}

	/**
	 * Seed 004's logout: an empty 200.
	 */
	@PostMapping("/api/users/logout")
	Mono<Void> seedLogout(ServerWebExchange exchange) {
		return this.sessions.logout(AccessTokenFilter.requireCaller(exchange));
	}

	@GetMapping("/api/users/logout")
	Mono<Void> seedLogoutByLink(ServerWebExchange exchange) {
		return seedLogout(exchange);
	}

	/** The caller's account: {@code user} at the top level, and in {@code data}. */
	@GetMapping("/api/auth/me")
	Mono<Map<String, Object>> me(ServerWebExchange exchange) {
		return this.nativeApi.currentUser(AccessTokenFilter.requireCaller(exchange))
			.map((user) -> withUser("Current user", user));
	}

	/**
	 * Whether the token is valid: 200 with the user if it is; a missing, garbled, expired or
	 * revoked token never gets this far (401 from the token filter), so a client may read the
	 * status code alone.
	 */
	@GetMapping("/api/auth/status")
	Mono<Map<String, Object>> status(ServerWebExchange exchange) {
		return this.nativeApi.currentUser(AccessTokenFilter.requireCaller(exchange))
			.map((user) -> {
				Map<String, Object> body = withUser("Token is valid", user);
				body.put("authenticated", true);
				return body;
			});
	}

	/** Answered without a token, for monitors. */
	@GetMapping("/api/auth/health")
	Map<String, String> health() {
		return Map.of("status", "healthy");
	}

	private static Map<String, Object> withUser(String message, User user) {
		Map<String, Object> portalUser = portalUser(user);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("success", true);
		body.put("message", message);
		body.put("user", portalUser);
		body.put("data", Map.of("user", portalUser));
		return body;
	}

	/**
	 * A user as the portal's clients read it: {@code user_id} and {@code email_verified} besides
	 * the native fields. Sciport does not confirm addresses by mail, so {@code email_verified}
	 * is {@code false} for every account.
	 */
	static Map<String, Object> portalUser(User user) {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("user_id", user.id());
		fields.put("id", user.id());
		fields.put("email", user.email());
		fields.put("name", user.name());
		fields.put("email_verified", false);
		fields.put("role", user.role());
		fields.put("plan", user.plan());
		fields.put("active", user.active());
		fields.put("created_at", user.createdAt());
		return fields;
	}

	/**
	 * The tokens of a login or refresh. {@code expires_in} is the access token's real lifetime
	 * (minutes, not the day some clients assume); a long-running client refreshes with
	 * {@code refresh_token} before it runs out, and {@code refresh_expires_in} says how long
	 * that stays possible.
	 */
	private Map<String, Object> tokens(Sessions.Session session) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("access_token", session.accessToken());
		data.put("refresh_token", session.refreshToken());
		data.put("token_type", "Bearer");
		data.put("expires_in", session.expiresIn());
		data.put("refresh_expires_in", this.refreshTtl.toSeconds());
		data.put("user", portalUser(session.user()));
		return data;
	}

	/**
	 * Errors on the portal's paths in the portal's shape.
	 */
	@Configuration(proxyBeanMethods = false)
	static class PortalErrors {

		@Bean
		ErrorRenderer portalAuthErrors() {
			return new PortalErrorRenderer("/api/auth/");
		}

	}

}
