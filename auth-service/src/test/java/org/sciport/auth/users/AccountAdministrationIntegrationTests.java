package org.sciport.auth.users;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.auth.Accounts;
import org.sciport.auth.AuthServiceIntegrationTest;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TopicReader;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sciport.auth.Accounts.bearer;

/**
 * Accounts: one's own profile, and what administrators may do to every account.
 */
@AuthServiceIntegrationTest
class AccountAdministrationIntegrationTests {

	private static final String PASSWORD = Accounts.PASSWORD;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "auth_admin");
	}

	@Autowired
	WebTestClient client;

	private Accounts accounts;

	@org.junit.jupiter.api.BeforeEach
	void accounts() {
		this.accounts = new Accounts(this.client);
	}

	@Test
	void administratorsListAccountsPageByPageAndOthersMayNot() {
		for (int i = 0; i < 3; i++) {
			this.accounts.register();
		}
		String admin = this.accounts.login("admin@sciport.local", "bootstrap-admin-secret");
		this.client.get().uri("/v1/users?page=1&per_page=2").headers(bearer(admin)).exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.data.length()").isEqualTo(2)
			.jsonPath("$.data[0].email").isEqualTo("admin@sciport.local")
			.jsonPath("$.pagination.per_page").isEqualTo(2)
			.jsonPath("$.pagination.total").value((Integer total) -> assertThat(total).isGreaterThanOrEqualTo(4))
			.jsonPath("$.links.next").isEqualTo("/v1/users?page=2&per_page=2")
			.jsonPath("$.data[0].password_hash").doesNotExist();
		this.client.get().uri("/v1/users?per_page=500").headers(bearer(admin)).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("per_page");
		this.client.get().uri("/v1/users?perpage=5").headers(bearer(admin)).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("perpage");
		String user = this.accounts.login(this.accounts.register(), PASSWORD);
		this.client.get().uri("/v1/users").headers(bearer(user)).exchange()
			.expectStatus().isForbidden()
			.expectBody().jsonPath("$.error.code").isEqualTo("INSUFFICIENT_PERMISSIONS");
	}

	@Test
	void changesRoleAndPlanAndValidatesThem() {
		String admin = this.accounts.login("admin@sciport.local", "bootstrap-admin-secret");
		String email = this.accounts.register();
		String id = this.accounts.profile(this.accounts.login(email, PASSWORD)).get("id").toString();
		this.client.patch().uri("/v1/users/" + id).headers(bearer(admin)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("plan", "professional", "role", "admin")).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.plan").isEqualTo("professional").jsonPath("$.role").isEqualTo("admin");
		this.client.patch().uri("/v1/users/" + id).headers(bearer(admin)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("plan", "platinum")).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("plan");
		this.client.patch().uri("/v1/users/" + UUID.randomUUID()).headers(bearer(admin))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("plan", "free")).exchange()
			.expectStatus().isNotFound();
		this.client.patch().uri("/v1/users/not-a-uuid").headers(bearer(admin))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("plan", "free")).exchange()
			.expectStatus().isBadRequest();
		String adminId = this.accounts.profile(admin).get("id").toString();
		this.client.patch().uri("/v1/users/" + adminId).headers(bearer(admin)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("active", false)).exchange()
			.expectStatus().isEqualTo(409);
	}

	@Test
	void deactivationStopsTheAccountsTokensAndSessionsAtOnceAndIsAnnounced() {
		String admin = this.accounts.login("admin@sciport.local", "bootstrap-admin-secret");
		String email = this.accounts.register();
		Map<String, Object> session = this.accounts.session(email, PASSWORD);
		String access = (String) session.get("access_token");
		String id = this.accounts.profile(access).get("id").toString();
		this.client.patch().uri("/v1/users/" + id).headers(bearer(admin)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("active", false)).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.active").isEqualTo(false);
		this.client.get().uri("/v1/users/me").headers(bearer(access)).exchange().expectStatus().isUnauthorized();
		this.client.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("refresh_token", session.get("refresh_token"))).exchange()
			.expectStatus().isUnauthorized();
		this.client.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", PASSWORD)).exchange()
			.expectStatus().isUnauthorized();
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.AUTH)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords((record) -> id.equals(record.key())
					&& record.value().contains("\"sciport.auth.user.deactivated\""), 1, Duration.ofSeconds(30));
			assertThat(events).hasSize(1);
			assertThat(events.get(0).value()).contains("\"deactivated_at\"");
		}
		// Reactivated, the account signs in again.
		this.client.patch().uri("/v1/users/" + id).headers(bearer(admin)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("active", true)).exchange()
			.expectStatus().isOk();
		this.accounts.login(email, PASSWORD);
	}

	@Test
	void updatesOnesOwnProfileAndRefusesATakenEmail() {
		String taken = this.accounts.register();
		String email = this.accounts.register();
		String access = this.accounts.login(email, PASSWORD);
		String changed = "renamed-" + UUID.randomUUID() + "@example.org";
		this.client.put().uri("/v1/users/me").headers(bearer(access)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "Rosalind", "email", changed)).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.name").isEqualTo("Rosalind").jsonPath("$.email").isEqualTo(changed);
		this.client.put().uri("/v1/users/me").headers(bearer(access)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", taken.toUpperCase())).exchange()
			.expectStatus().isEqualTo(409)
			.expectBody().jsonPath("$.error.code").isEqualTo("CONFLICT");
		this.client.put().uri("/v1/users/me").headers(bearer(access)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", "not an email")).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("email");
		this.accounts.login(changed, PASSWORD);
	}

	@Test
	void theSeedLogoutAnswersAnEmpty200AndEndsTheToken() {
		String access = this.accounts.login(this.accounts.register(), PASSWORD);
		this.client.post().uri("/api/users/logout").headers(bearer(access)).exchange()
			.expectStatus().isOk()
			.expectBody().isEmpty();
		this.client.get().uri("/v1/users/me").headers(bearer(access)).exchange().expectStatus().isUnauthorized();
		this.client.post().uri("/api/users/logout").exchange().expectStatus().isUnauthorized();
	}

}
