package org.sciport.auth.tokens;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jwt.SignedJWT;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.sciport.auth.Accounts;
import org.sciport.auth.AuthServiceIntegrationTest;
import org.sciport.commons.event.Topics;
import org.sciport.commons.security.AccessTokenVerifier;
import org.sciport.commons.security.RevokedTokens;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TopicReader;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sciport.auth.Accounts.bearer;
import static org.awaitility.Awaitility.await;

/**
 * Tokens mean what they say: a scoped token does only what its scopes name and mints nothing
 * wider; a role change, a password change, a sign-out and an API token's revocation end every
 * token they concern (through the same Kafka path every verifier reads), not only the one used.
 */
@AuthServiceIntegrationTest
class TokenRightsIntegrationTests {

	private static final String PASSWORD = Accounts.PASSWORD;

	/** Revocations travel through Kafka: they arrive within a second, waited for at most this. */
	private static final Duration PROPAGATION = Duration.ofSeconds(15);

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "auth_rights");
	}

	@Autowired
	WebTestClient client;

	private Accounts accounts;

	@org.junit.jupiter.api.BeforeEach
	void accounts() {
		this.accounts = new Accounts(this.client);
	}

	@Autowired
	AccessTokenVerifier verifier;

	@Autowired
	RevokedTokens revoked;

	@Test
	void aScopedTokenDoesOnlyWhatItsScopesNameAndMintsNothingWider() {
		String access = this.accounts.login(this.accounts.register(), PASSWORD);
		String reader = exchange(apiToken(access, List.of("profile:read", "tokens:write")));
		this.client.get().uri("/v1/users/me").headers(bearer(reader)).exchange().expectStatus().isOk();
		this.client.put().uri("/v1/users/me").headers(bearer(reader)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "Changed")).exchange()
			.expectStatus().isForbidden()
			.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE,
					"Bearer error=\"insufficient_scope\", scope=\"profile:write\"")
			.expectBody().jsonPath("$.error.code").isEqualTo("INSUFFICIENT_PERMISSIONS");
		this.client.get().uri("/v1/tokens").headers(bearer(reader)).exchange().expectStatus().isForbidden();
		// It may mint a token with some of its own scopes, never one with more, nor an unscoped one.
		this.client.post().uri("/v1/tokens").headers(bearer(reader)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "narrower", "scopes", List.of("profile:read"))).exchange()
			.expectStatus().isCreated();
		this.client.post().uri("/v1/tokens").headers(bearer(reader)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "wider", "scopes", List.of("profile:read", "datasets:write"))).exchange()
			.expectStatus().isForbidden();
		this.client.post().uri("/v1/tokens").headers(bearer(reader)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "unscoped")).exchange()
			.expectStatus().isForbidden();
		// Unknown scopes are refused, naming the field and the vocabulary.
		this.client.post().uri("/v1/tokens").headers(bearer(access)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "typo", "scopes", List.of("dataset:read"))).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("scopes")
			.jsonPath("$.error.message").value((String message) -> assertThat(message).contains("datasets:read"));
		// Signing out is always allowed.
		this.client.post().uri("/v1/auth/logout").headers(bearer(reader)).exchange().expectStatus().isNoContent();
	}

	@Test
	void anAdministratorsTokenWithoutTheAdminScopeActsAsAUser() {
		String admin = this.accounts.login("admin@sciport.local", "bootstrap-admin-secret");
		String scoped = exchange(apiToken(admin, List.of("profile:read")));
		this.client.get().uri("/v1/users").headers(bearer(scoped)).exchange().expectStatus().isForbidden();
		String withAdmin = exchange(apiToken(admin, List.of("admin")));
		this.client.get().uri("/v1/users").headers(bearer(withAdmin)).exchange().expectStatus().isOk();
	}

	@Test
	void aDemotionEndsTheAccountsTokensAtOnceAndARefreshCarriesTheNewRole() throws Exception {
		String admin = this.accounts.login("admin@sciport.local", "bootstrap-admin-secret");
		String email = this.accounts.register();
		String id = id(this.accounts.login(email, PASSWORD));
		this.client.patch().uri("/v1/users/" + id).headers(bearer(admin)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("role", "admin")).exchange().expectStatus().isOk();
		Map<String, Object> session = this.accounts.session(email, PASSWORD);
		String promoted = (String) session.get("access_token");
		String promotedApi = exchange(apiToken(promoted, List.of()));
		this.client.get().uri("/v1/users").headers(bearer(promoted)).exchange().expectStatus().isOk();

		this.client.patch().uri("/v1/users/" + id).headers(bearer(admin)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("role", "user")).exchange().expectStatus().isOk();
		// Both the session's token and the one exchanged from an API token are refused.
		this.client.get().uri("/v1/users").headers(bearer(promoted)).exchange().expectStatus().isUnauthorized();
		this.client.get().uri("/v1/users").headers(bearer(promotedApi)).exchange().expectStatus().isUnauthorized();
		awaitRefusedByTheFilter(promoted);
		awaitRefusedByTheFilter(promotedApi);
		// The session goes on: a refresh gives a token with the new role, which is accepted.
		Map<String, Object> refreshed = this.client.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("refresh_token", session.get("refresh_token"))).exchange()
			.expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		String demoted = (String) refreshed.get("access_token");
		assertThat(SignedJWT.parse(demoted).getJWTClaimsSet().getStringListClaim("roles")).containsExactly("user");
		this.client.get().uri("/v1/users/me").headers(bearer(demoted)).exchange().expectStatus().isOk();
		this.client.get().uri("/v1/users").headers(bearer(demoted)).exchange().expectStatus().isForbidden();
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.AUTH)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords((record) -> id.equals(record.key())
					&& record.value().contains("\"sciport.auth.user.tokens-invalidated\""), 2, PROPAGATION);
			assertThat(events).hasSize(2);
			assertThat(events.get(1).value()).contains("\"reason\":\"role_changed\"", "\"token_version\":2");
		}
	}

	@Test
	void aPasswordChangeEndsEverySessionAndTokenAndStartsANewOne() {
		String email = this.accounts.register();
		Map<String, Object> first = this.accounts.session(email, PASSWORD);
		Map<String, Object> second = this.accounts.session(email, PASSWORD);
		String firstAccess = (String) first.get("access_token");
		this.client.put().uri("/v1/users/me/password").headers(bearer(firstAccess))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("current_password", "not the password", "new_password", "another long password"))
			.exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("current_password");
		this.client.put().uri("/v1/users/me/password").headers(bearer(firstAccess))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("current_password", PASSWORD, "new_password", "short")).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("new_password");
		Map<String, Object> renewed = this.client.put().uri("/v1/users/me/password").headers(bearer(firstAccess))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("current_password", PASSWORD, "new_password", "another long password")).exchange()
			.expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		for (Map<String, Object> old : List.of(first, second)) {
			awaitRefusedByTheFilter((String) old.get("access_token"));
			this.client.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("refresh_token", old.get("refresh_token"))).exchange()
				.expectStatus().isUnauthorized();
		}
		this.client.get().uri("/v1/users/me").headers(bearer((String) renewed.get("access_token"))).exchange()
			.expectStatus().isOk();
		this.client.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", PASSWORD)).exchange()
			.expectStatus().isUnauthorized();
		this.accounts.login(email, "another long password");
	}

	@Test
	void logoutEndsTheWholeSessionNotOnlyTheTokenItWasCalledWith() {
		String email = this.accounts.register();
		Map<String, Object> session = this.accounts.session(email, PASSWORD);
		String before = (String) session.get("access_token");
		String after = (String) this.client.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("refresh_token", session.get("refresh_token"))).exchange()
			.expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody().get("access_token");
		String otherSession = this.accounts.login(email, PASSWORD);
		this.client.post().uri("/v1/auth/logout").headers(bearer(after)).exchange().expectStatus().isNoContent();
		awaitRefusedByTheFilter(before);
		this.client.get().uri("/v1/users/me").headers(bearer(after)).exchange().expectStatus().isUnauthorized();
		// Another sign-in of the same account is another session, and goes on.
		this.client.get().uri("/v1/users/me").headers(bearer(otherSession)).exchange().expectStatus().isOk();
	}

	@Test
	void revokingAnApiTokenEndsTheAccessTokensExchangedFromIt() {
		String access = this.accounts.login(this.accounts.register(), PASSWORD);
		String other = apiToken(access, List.of("profile:read", "tokens:write"));
		Map<String, Object> created = this.client.post().uri("/v1/tokens").headers(bearer(access))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "to revoke", "scopes", List.of("profile:read", "tokens:write"))).exchange()
			.expectStatus().isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		String exchanged = exchange((String) created.get("token"));
		this.client.get().uri("/v1/users/me").headers(bearer(exchanged)).exchange().expectStatus().isOk();
		this.client.delete().uri("/v1/tokens/" + created.get("id")).headers(bearer(access)).exchange()
			.expectStatus().isNoContent();
		awaitRefusedByTheFilter(exchanged);
		// It can no longer mint tokens either.
		this.client.post().uri("/v1/tokens").headers(bearer(exchanged)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "escape", "scopes", List.of("profile:read"))).exchange()
			.expectStatus().isUnauthorized();
		// The account's other API token is untouched.
		this.client.get().uri("/v1/users/me").headers(bearer(exchange(other))).exchange().expectStatus().isOk();
	}

	/**
	 * Waits until the revocations every verifier keeps from Kafka (the gateway's and every
	 * service's access-token filter) refuse {@code token}, and checks the filter's answer too.
	 */
	private void awaitRefusedByTheFilter(String token) {
		await().atMost(PROPAGATION).untilAsserted(() -> assertThat(this.revoked
			.isRevoked(this.verifier.verify(token).block(Duration.ofSeconds(5)))).isTrue());
		this.client.get().uri("/v1/users/me").headers(bearer(token)).exchange().expectStatus().isUnauthorized();
	}

	private String apiToken(String access, List<String> scopes) {
		return (String) this.client.post().uri("/v1/tokens").headers(bearer(access))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "script " + UUID.randomUUID(), "scopes", scopes)).exchange()
			.expectStatus().isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody().get("token");
	}

	private String exchange(String apiToken) {
		return (String) this.client.post().uri("/v1/tokens/exchange").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("token", apiToken)).exchange()
			.expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody().get("access_token");
	}

	private String id(String access) {
		return (String) this.accounts.profile(access).get("id");
	}

}
