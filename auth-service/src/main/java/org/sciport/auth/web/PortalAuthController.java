package org.sciport.auth.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.auth.tokens.Sessions;
import org.sciport.auth.users.User;
import org.sciport.commons.error.ErrorRenderer;
import org.sciport.commons.error.PortalErrorRenderer;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.AccessTokenVerifier;
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
 * The data portal's authentication surface ({@code /api/auth/*}): every answer is wrapped as
 * {@code {success, message, data}}, every error as {@code {success: false, error, code}}.
 */
@RestController
class PortalAuthController {

	private final Sessions sessions;

	private final NativeAuthController nativeApi;

	private final AccessTokenVerifier verifier;

	private final ClientAddresses clientAddresses;

	PortalAuthController(Sessions sessions, NativeAuthController nativeApi, AccessTokenVerifier verifier, ClientAddresses clientAddresses) {
		this.clientAddresses = clientAddresses;
		this.sessions = sessions;
		this.nativeApi = nativeApi;
		this.verifier = verifier;
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
			.map((session) -> new Envelope(true, "Token refreshed", tokens(session)));
	}

	@PostMapping("/api/auth/logout")
	Mono<Envelope> logout(ServerWebExchange exchange) {
		return this.sessions.logout(AccessTokenFilter.requireCaller(exchange))
			.thenReturn(new Envelope(true, "Logged out", null));
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

	@GetMapping("/api/auth/me")
	Mono<Envelope> me(ServerWebExchange exchange) {
		return this.nativeApi.currentUser(AccessTokenFilter.requireCaller(exchange))
			.map((user) -> new Envelope(true, "Current user", Map.of("user", user)));
	}

	/**
	 * Public: answers {@code authenticated: false} rather than an error when there is no valid token.
	 */
	@GetMapping("/api/auth/status")
	Mono<Envelope> status(ServerWebExchange exchange) {
		String token = bearer(exchange);
		if (token == null) {
			return Mono.just(unauthenticated());
		}
		return this.verifier.verify(token)
			.flatMap(this.nativeApi::currentUser)
			.map((user) -> {
				Map<String, Object> data = new LinkedHashMap<>();
				data.put("authenticated", true);
				data.put("user", user);
				return new Envelope(true, "Authenticated", data);
			})
			.onErrorResume(org.sciport.commons.error.AuthenticationException.class, (ex) -> Mono.just(unauthenticated()));
	}

	private static Envelope unauthenticated() {
		return new Envelope(true, "Not authenticated", Map.of("authenticated", false));
	}

	private static @Nullable String bearer(ServerWebExchange exchange) {
		String header = exchange.getRequest().getHeaders().getFirst("Authorization");
		if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && header.length() > 7) {
			return header.substring(7).trim();
		}
		return exchange.getRequest().getHeaders().getFirst(AccessTokenFilter.ACCESS_TOKEN_HEADER);
	}

	private static Map<String, Object> tokens(Sessions.Session session) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("access_token", session.accessToken());
		data.put("refresh_token", session.refreshToken());
		data.put("token_type", "Bearer");
		data.put("expires_in", session.expiresIn());
		data.put("user", session.user());
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
