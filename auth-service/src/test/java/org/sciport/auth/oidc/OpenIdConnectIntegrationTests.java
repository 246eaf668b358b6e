package org.sciport.auth.oidc;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.sciport.auth.AuthServiceIntegrationTest;
import org.sciport.testsupport.TestInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.util.UriComponentsBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenID Connect sign-in against a real provider running beside the test: the redirect with
 * PKCE, state and nonce, the callback, linking to an existing account, and the refusals.
 */
@AuthServiceIntegrationTest
@TestPropertySource(properties = { "sciport.auth.oidc.frontend-url=http://frontend.example/welcome",
		"sciport.auth.oidc.callback-base-url=http://sciport.example",
		"sciport.auth.oidc.providers.orcid.client-id=sciport-client",
		"sciport.auth.oidc.providers.orcid.client-secret=provider-secret",
		"sciport.auth.oidc.providers.orcid.description=ORCID",
		"sciport.auth.oidc.providers.lab.client-id=sciport-client",
		"sciport.auth.oidc.providers.lab.client-secret=provider-secret" })
class OpenIdConnectIntegrationTests {

	private static final OidcProvider provider = OidcProvider.start();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "auth_oidc");
		registry.add("sciport.auth.oidc.providers.orcid.issuer-uri", provider::issuer);
		registry.add("sciport.auth.oidc.providers.lab.issuer-uri", () -> provider.issuer("lab"));
	}

	@AfterAll
	static void stopProvider() {
		provider.close();
	}

	@Autowired
	WebTestClient client;

	private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

	@Test
	void listsTheConfiguredProviders() {
		this.client.get().uri("/api/users/login-providers").exchange()
			.expectStatus().isOk()
			.expectBody().json("{\"openid\":{\"lab\":\"lab\",\"orcid\":\"ORCID\"}}");
	}

	@Test
	void signsInLinksToTheAccountWithTheVerifiedEmailAndKeepsTheLink() throws Exception {
		String existing = this.client.post().uri("/v1/auth/register").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", "curie@example.org", "password", "a long enough password")).exchange()
			.expectStatus().isCreated()
			.expectBody(Map.class).returnResult().getResponseBody().get("id").toString();

		String first = signIn();
		this.client.get().uri("/v1/users/me").headers((h) -> h.setBearerAuth(first)).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.id").isEqualTo(existing).jsonPath("$.email").isEqualTo("curie@example.org");
		String second = signIn();
		this.client.get().uri("/v1/users/me").headers((h) -> h.setBearerAuth(second)).exchange()
			.expectBody().jsonPath("$.id").isEqualTo(existing);
	}

	@Test
	void anUnverifiedEmailNeverLinksToAnExistingAccount() throws Exception {
		String token = signIn("lab");
		this.client.get().uri("/v1/users/me").headers((h) -> h.setBearerAuth(token)).exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.email").isEqualTo("lab-42@lab.oidc.invalid")
			.jsonPath("$.name").isEqualTo("Somebody")
			.jsonPath("$.role").isEqualTo("user");
	}

	@Test
	void sendsTheBrowserToTheProviderWithPkceStateAndNonce() {
		URI authorize = this.client.get().uri("/api/users/openid/orcid/login").exchange()
			.expectStatus().isFound()
			.returnResult(Void.class).getResponseHeaders().getLocation();
		Map<String, String> query = UriComponentsBuilder.fromUri(authorize).build().getQueryParams().toSingleValueMap();
		assertThat(authorize.toString()).startsWith(provider.issuer() + "/authorize");
		assertThat(query).containsEntry("response_type", "code")
			.containsEntry("client_id", "sciport-client")
			.containsEntry("code_challenge_method", "S256")
			.containsKeys("state", "nonce", "code_challenge")
			.containsEntry("redirect_uri", "http://sciport.example/api/users/openid/orcid/callback");
		this.client.get().uri("/api/users/openid/nowhere/login").exchange().expectStatus().isNotFound();
	}

	@Test
	void refusesAReplayedOrForgedStateAndAProviderError() throws Exception {
		URI callback = providerCallback();
		String path = callback.getRawPath() + "?" + callback.getRawQuery();
		this.client.get().uri(path).exchange().expectStatus().isFound();
		// The same answer again: the state was used up.
		this.client.get().uri(path).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("state");
		this.client.get().uri("/api/users/openid/orcid/callback?code=abc&state=made-up").exchange()
			.expectStatus().isBadRequest();
		this.client.get().uri("/api/users/openid/orcid/callback?error=access_denied").exchange()
			.expectStatus().isUnauthorized();
	}

	/**
	 * The whole browser round trip; returns the access token the front end receives.
	 */
	private String signIn() throws Exception {
		return signIn("orcid");
	}

	private String signIn(String name) throws Exception {
		URI callback = providerCallback(name);
		URI frontend = this.client.get().uri(callback.getRawPath() + "?" + callback.getRawQuery()).exchange()
			.expectStatus().isFound()
			.returnResult(Void.class).getResponseHeaders().getLocation();
		assertThat(frontend.toString()).startsWith("http://frontend.example/welcome?token=");
		return UriComponentsBuilder.fromUri(frontend).build().getQueryParams().getFirst("token");
	}

	/**
	 * Follows the redirect to the provider, which signs the person in at once and redirects back
	 * to the callback with a code and the state.
	 */
	private URI providerCallback() throws Exception {
		return providerCallback("orcid");
	}

	private URI providerCallback(String name) throws Exception {
		URI authorize = this.client.get().uri("/api/users/openid/" + name + "/login").exchange()
			.expectStatus().isFound()
			.returnResult(Void.class).getResponseHeaders().getLocation();
		HttpResponse<Void> atProvider = this.browser.send(HttpRequest.newBuilder(authorize).build(),
				HttpResponse.BodyHandlers.discarding());
		assertThat(atProvider.statusCode()).isEqualTo(302);
		URI callback = URI.create(atProvider.headers().firstValue("Location").orElseThrow());
		assertThat(callback.toString()).startsWith("http://sciport.example/api/users/openid/" + name + "/callback?code=");
		return callback;
	}

}
