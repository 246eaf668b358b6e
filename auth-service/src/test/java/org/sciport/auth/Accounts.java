package org.sciport.auth;

import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What auth-service's tests do over and over through its API: register an account, sign in,
 * read the caller's profile.
 */
public final class Accounts {

	/** The password every test account is registered with. */
	public static final String PASSWORD = "a long enough password";

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private final WebTestClient client;

	public Accounts(WebTestClient client) {
		this.client = client;
	}

	/** Registers a new account with {@link #PASSWORD}; its email. */
	public String register() {
		String email = "acct-" + UUID.randomUUID() + "@example.org";
		this.client.post().uri("/v1/auth/register").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", PASSWORD)).exchange()
			.expectStatus().isCreated();
		return email;
	}

	/** A login's answer: access token, refresh token and the rest. */
	public Map<String, Object> session(String email, String password) {
		return this.client.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", password)).exchange()
			.expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody();
	}

	/** A login's access token. */
	public String login(String email, String password) {
		return (String) session(email, password).get("access_token");
	}

	/** The caller's own account, as {@code GET /v1/users/me} answers it. */
	public Map<String, Object> profile(String access) {
		return this.client.get().uri("/v1/users/me").headers(bearer(access)).exchange()
			.expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody();
	}

	public static Consumer<HttpHeaders> bearer(String token) {
		return (headers) -> headers.setBearerAuth(token);
	}

}
