package org.sciport.auth.tokens;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.auth.AuthServiceIntegrationTest;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TopicReader;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sign-in end to end on a real database and broker: every login form, refresh rotation and
 * reuse detection, logout, the public keys, and the RFC 8725 refusals at the service itself.
 */
@AuthServiceIntegrationTest
@org.springframework.context.annotation.Import(SignInIntegrationTests.Time.class)
class SignInIntegrationTests {

	/** The sign-in throttle's clock, moved on by the test instead of waiting out a lock. */
	@org.springframework.boot.test.context.TestConfiguration
	static class Time {

		@org.springframework.context.annotation.Bean
		org.sciport.testsupport.MovableClock clock() {
			return new org.sciport.testsupport.MovableClock();
		}

	}

	@Autowired
	org.sciport.testsupport.MovableClock clock;

	private static final String PASSWORD = "a long enough password";

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "auth_signin");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	SigningKeys keys;

	@Autowired
	DatabaseClient database;

	private String email;

	@BeforeEach
	void account() {
		this.email = "user-" + UUID.randomUUID() + "@example.org";
		this.client.post().uri("/v1/auth/register").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", this.email, "password", PASSWORD, "name", "Marie"))
			.exchange()
			.expectStatus().isCreated();
	}

	@Test
	void logsInAndReadsTheProfileWithEitherHeader() {
		Map<String, Object> tokens = login(this.email, PASSWORD);
		assertThat(tokens).containsEntry("token_type", "Bearer").containsEntry("expires_in", 900);
		assertThat((String) tokens.get("refresh_token")).startsWith("rt_");
		String access = (String) tokens.get("access_token");
		this.client.get().uri("/v1/users/me").headers(bearer(access)).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.email").isEqualTo(this.email).jsonPath("$.name").isEqualTo("Marie");
		this.client.get().uri("/v1/users/me").header("x-access-token", access).exchange()
			.expectStatus().isOk();
		this.client.get().uri("/v1/users/me").exchange()
			.expectStatus().isUnauthorized()
			.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")
			.expectBody().jsonPath("$.error.code").isEqualTo("INVALID_API_KEY");
	}

	@Test
	void issuesTokensAsRfc9068AndRfc8725Ask() throws Exception {
		SignedJWT jwt = SignedJWT.parse((String) login(this.email, PASSWORD).get("access_token"));
		assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
		assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("at+jwt"));
		assertThat(jwt.getHeader().getKeyID()).isNotBlank();
		JWTClaimsSet claims = jwt.getJWTClaimsSet();
		assertThat(claims.getIssuer()).isEqualTo("https://sciport.local");
		assertThat(claims.getAudience()).containsExactly("sciport");
		assertThat(claims.getJWTID()).isNotBlank();
		assertThat(claims.getStringListClaim("roles")).containsExactly("user");
		assertThat(claims.getStringClaim("plan")).isEqualTo("free");
		assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
			.isEqualTo(Duration.ofMinutes(15));
		String jwks = this.client.get().uri("/.well-known/jwks.json").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(jwks).contains(jwt.getHeader().getKeyID()).doesNotContain("\"d\"");
	}

	@Test
	void refusesALoginWithoutAPasswordAndSaysWhatIsMissing() {
		this.client.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", this.email)).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR").jsonPath("$.error.field").isEqualTo("password");
		this.client.post().uri("/api/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", this.email)).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.success").isEqualTo(false)
			.jsonPath("$.code").isEqualTo("VALIDATION_ERROR")
			.jsonPath("$.error").value((String message) -> assertThat(message).contains("password"));
	}

	@Test
	void doesNotTellWhetherAnAccountExists() {
		String wrongPassword = loginFailure(this.email, "not the right password");
		String unknownAccount = loginFailure("nobody-" + UUID.randomUUID() + "@example.org", PASSWORD);
		assertThat(wrongPassword).isEqualTo(unknownAccount);
	}

	@Test
	void slowsDownAndLocksPasswordGuessing() {
		for (int i = 0; i < LoginThrottle.PAIR_FREE; i++) {
			loginFailure(this.email, "guess number " + i + "!!");
		}
		// Locked now, even for the right password, and the answer says for how long.
		this.client.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", this.email, "password", PASSWORD)).exchange()
			.expectStatus().isEqualTo(429)
			.expectHeader().value(HttpHeaders.RETRY_AFTER, (after) -> assertThat(Integer.parseInt(after)).isBetween(1, 2))
			.expectBody().jsonPath("$.error.code").isEqualTo("RATE_LIMIT_EXCEEDED")
			.jsonPath("$.error.details.retry_after").isNumber();
		// The same lock for an email without an account: a lock tells nothing.
		String nobody = "nobody-" + UUID.randomUUID() + "@example.org";
		for (int i = 0; i < LoginThrottle.PAIR_FREE; i++) {
			loginFailure(nobody, "guess number " + i + "!!");
		}
		this.client.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", nobody, "password", PASSWORD)).exchange()
			.expectStatus().isEqualTo(429);
		this.clock.advance(Duration.ofMillis(2100));
		login(this.email, PASSWORD);
	}

	@Test
	void lockDurationsDoubleAndAreCapped() {
		assertThat(LoginThrottle.lockFor(4, 5, LoginThrottle.MAX_LOCK)).isZero();
		assertThat(LoginThrottle.lockFor(5, 5, LoginThrottle.MAX_LOCK)).isEqualTo(Duration.ofSeconds(1));
		assertThat(LoginThrottle.lockFor(7, 5, LoginThrottle.MAX_LOCK)).isEqualTo(Duration.ofSeconds(4));
		assertThat(LoginThrottle.lockFor(40, 5, LoginThrottle.MAX_LOCK)).isEqualTo(Duration.ofMinutes(15));
		assertThat(LoginThrottle.lockFor(40, 20, LoginThrottle.MAX_SLOW_DOWN)).isEqualTo(Duration.ofMinutes(1));
	}

	@Test
	void apiTokensAreShownOnceListedWithoutSecretsUsableAndRevocable() throws Exception {
		String access = (String) login(this.email, PASSWORD).get("access_token");
		Map<String, Object> created = this.client.post().uri("/v1/tokens").headers(bearer(access))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "nightly sync", "duration", "720h", "scopes",
					List.of("datasets:read", "profile:read")))
			.exchange()
			.expectStatus().isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		String secret = (String) created.get("token");
		assertThat(secret).startsWith("sct_");
		assertThat(Duration.between(Instant.parse((String) created.get("created_at")),
				Instant.parse((String) created.get("expires_at")))).isEqualTo(Duration.ofHours(720));
		String listed = this.client.get().uri("/v1/tokens").headers(bearer(access)).exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(listed).contains("nightly sync", "datasets:read", "\"pagination\"").doesNotContain(secret, "token_hash");
		this.client.get().uri("/v1/tokens?scope=all").headers(bearer(access)).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("scope");

		// The API token works wherever an access token does, in either header.
		this.client.get().uri("/v1/users/me").headers(bearer(secret)).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.email").isEqualTo(this.email);
		this.client.get().uri("/v1/users/me").header("x-access-token", secret).exchange().expectStatus().isOk();
		Map<String, Object> exchanged = this.client.post().uri("/v1/tokens/exchange").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("token", secret)).exchange()
			.expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		JWTClaimsSet claims = SignedJWT.parse((String) exchanged.get("access_token")).getJWTClaimsSet();
		assertThat(claims.getStringClaim("api_token")).isEqualTo(created.get("id"));
		assertThat(claims.getStringClaim("scope")).isEqualTo("datasets:read profile:read");
		assertThat(((Number) exchanged.get("expires_in")).longValue()).isBetween(1L, 300L);

		// Someone else cannot revoke it, not even learn that it exists.
		String other = "other-" + UUID.randomUUID() + "@example.org";
		this.client.post().uri("/v1/auth/register").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", other, "password", PASSWORD)).exchange().expectStatus().isCreated();
		this.client.delete().uri("/v1/tokens/" + created.get("id")).headers(bearer((String) login(other, PASSWORD)
			.get("access_token"))).exchange()
			.expectStatus().isNotFound();
		this.client.delete().uri("/v1/tokens/" + created.get("id")).headers(bearer(access)).exchange()
			.expectStatus().isNoContent();
		this.client.get().uri("/v1/users/me").headers(bearer(secret)).exchange().expectStatus().isUnauthorized();
		this.client.post().uri("/v1/tokens/exchange").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("token", secret)).exchange().expectStatus().isUnauthorized();
	}

	@Test
	void refusesBadApiTokenRequests() {
		String access = (String) login(this.email, PASSWORD).get("access_token");
		for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of("duration", "720h"),
				Map.of("name", "x", "duration", "forever"), Map.of("name", "x", "duration", "9999d"),
				Map.of("name", "x", "scopes", List.of("Bad Scope")), Map.of("name", "x", "scopes", List.of("datasets:delete")))) {
			this.client.post().uri("/v1/tokens").headers(bearer(access)).contentType(MediaType.APPLICATION_JSON)
				.bodyValue(body).exchange()
				.expectStatus().isBadRequest()
				.expectBody().jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR");
		}
		this.client.get().uri("/v1/users/me").headers(bearer("sct_made-up")).exchange().expectStatus().isUnauthorized();
		assertThat(ApiTokens.parseDuration("1w2d")).isEqualTo(Duration.ofDays(9));
		assertThat(ApiTokens.parseDuration(null)).isEqualTo(Duration.ofDays(30));
	}

	@Test
	void rotatesRefreshTokensAndEndsTheSessionWhenAnOldOneComesBack() {
		Map<String, Object> first = login(this.email, PASSWORD);
		Map<String, Object> second = refresh((String) first.get("refresh_token")).expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		assertThat(second.get("refresh_token")).isNotEqualTo(first.get("refresh_token"));
		this.client.get().uri("/v1/users/me").headers(bearer((String) second.get("access_token"))).exchange()
			.expectStatus().isOk();
		// The first token again: a leak. Both it and its successor stop working.
		refresh((String) first.get("refresh_token")).expectStatus().isUnauthorized();
		refresh((String) second.get("refresh_token")).expectStatus().isUnauthorized();
		refresh("rt_not-a-token").expectStatus().isUnauthorized();
		this.client.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of()).exchange()
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("refresh_token");
	}

	@Test
	void logoutRevokesTheAccessTokenAndTheSessionAndAnnouncesIt() throws Exception {
		Map<String, Object> tokens = login(this.email, PASSWORD);
		String access = (String) tokens.get("access_token");
		String jti = SignedJWT.parse(access).getJWTClaimsSet().getJWTID();
		this.client.post().uri("/v1/auth/logout").headers(bearer(access)).exchange().expectStatus().isNoContent();
		this.client.get().uri("/v1/users/me").headers(bearer(access)).exchange().expectStatus().isUnauthorized();
		refresh((String) tokens.get("refresh_token")).expectStatus().isUnauthorized();
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.AUTH)) {
			List<ConsumerRecord<String, String>> revoked = reader.awaitRecords(
					(record) -> jti.equals(record.key()) && record.value().contains("\"sciport.auth.token.revoked\""), 1,
					Duration.ofSeconds(30));
			assertThat(revoked).hasSize(1);
			assertThat(revoked.get(0).value()).contains("\"jti\":\"" + jti + "\"", "\"expires_at\"");
		}
	}

	@Test
	void servesThePortalShapes() {
		Map<String, Object> envelope = this.client.post().uri("/api/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", this.email, "password", PASSWORD)).exchange()
			.expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		assertThat(envelope).containsEntry("success", true).containsKey("message");
		@SuppressWarnings("unchecked")
		Map<String, Object> data = (Map<String, Object>) envelope.get("data");
		String access = (String) data.get("access_token");
		assertThat(data).containsKeys("refresh_token", "expires_in", "refresh_expires_in", "user");
		assertThat(data.get("expires_in")).as("the access token's real lifetime").isEqualTo(900);
		assertThat(data.get("user").toString()).contains("user_id=", "email_verified=false");
		// Status reads as the documents' clients read it: 200 is a valid token, anything else is not.
		this.client.get().uri("/api/auth/status").exchange()
			.expectStatus().isUnauthorized().expectBody().jsonPath("$.success").isEqualTo(false)
			.jsonPath("$.code").isEqualTo("AUTH_REQUIRED");
		this.client.get().uri("/api/auth/status").headers(bearer("garbage.not.a-token")).exchange()
			.expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("AUTH_ERROR");
		this.client.get().uri("/api/auth/status").headers(bearer(access)).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.success").isEqualTo(true)
			.jsonPath("$.message").isEqualTo("Token is valid")
			.jsonPath("$.user.email").isEqualTo(this.email)
			.jsonPath("$.data.user.email").isEqualTo(this.email);
		this.client.get().uri("/api/auth/me").headers(bearer(access)).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.user.email").isEqualTo(this.email)
			.jsonPath("$.user.user_id").isNotEmpty()
			.jsonPath("$.user.email_verified").isEqualTo(false)
			.jsonPath("$.data.user.email").isEqualTo(this.email);
		this.client.get().uri("/api/auth/me").exchange()
			.expectStatus().isUnauthorized().expectBody().jsonPath("$.success").isEqualTo(false)
			.jsonPath("$.code").isEqualTo("AUTH_REQUIRED");
		this.client.post().uri("/api/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", this.email, "password", "not the password")).exchange()
			.expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("AUTH_ERROR");
		this.client.get().uri("/api/auth/health").exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("healthy");
		this.client.post().uri("/api/auth/logout").headers(bearer(access)).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.success").isEqualTo(true)
			.jsonPath("$.message").isEqualTo("Logout successful");
		this.client.get().uri("/api/auth/status").headers(bearer(access)).exchange()
			.expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("AUTH_ERROR");
	}

	@Test
	void servesTheFormLoginSurface() {
		this.client.post().uri("/auth/jwt/login").contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.body(BodyInserters.fromFormData("username", this.email).with("password", PASSWORD)).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.token_type").isEqualTo("bearer").jsonPath("$.access_token").isNotEmpty();
		this.client.post().uri("/auth/jwt/login").contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.body(BodyInserters.fromFormData("username", this.email).with("password", "wrong password!!")).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.detail").isEqualTo("LOGIN_BAD_CREDENTIALS");
		this.client.post().uri("/auth/jwt/login").contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.body(BodyInserters.fromFormData("username", this.email)).exchange()
			.expectStatus().isEqualTo(422)
			.expectBody().jsonPath("$.detail[0].loc[1]").isEqualTo("password");
		String other = "form-" + UUID.randomUUID() + "@example.org";
		this.client.post().uri("/auth/register").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", other, "password", PASSWORD)).exchange()
			.expectStatus().isCreated()
			.expectBody().jsonPath("$.email").isEqualTo(other).jsonPath("$.is_active").isEqualTo(true)
			.jsonPath("$.is_superuser").isEqualTo(false);
		this.client.post().uri("/auth/register").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", other, "password", PASSWORD)).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.detail").isEqualTo("REGISTER_USER_ALREADY_EXISTS");
	}

	@Test
	void refusesEveryForgedOrStaleTokenAtTheService() throws Exception {
		String valid = (String) login(this.email, PASSWORD).get("access_token");
		SignedJWT parsed = SignedJWT.parse(valid);
		JWTClaimsSet claims = parsed.getJWTClaimsSet();
		ECKey signing = this.keys.signingKey(Instant.now()).block();
		String kid = signing.getKeyID();
		Instant now = Instant.now();

		assertRefused(new PlainJWT(new PlainHeader.Builder().type(new JOSEObjectType("at+jwt")).build(), claims).serialize(),
				"alg none");
		SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid)
			.type(new JOSEObjectType("at+jwt")).build(), claims);
		hmac.sign(new MACSigner(padded(signing.toPublicJWK().toJSONString())));
		assertRefused(hmac.serialize(), "HS256 keyed with the public key");
		ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("unknown-kid").generate();
		assertRefused(sign(stranger, "at+jwt", claims), "unknown kid");
		assertRefused(sign(new ECKey.Builder(stranger).keyID(kid).build(), "at+jwt", claims), "known kid, wrong key");
		assertRefused(sign(signing, "at+jwt", with(claims, (b) -> b.expirationTime(Date.from(now.minusSeconds(120)))
			.issueTime(Date.from(now.minusSeconds(1000))).notBeforeTime(Date.from(now.minusSeconds(1000))))), "expired");
		// The portal names a genuine expired token as such, and only a genuine one.
		String expired = sign(signing, "at+jwt", with(claims, (b) -> b.expirationTime(Date.from(now.minusSeconds(120)))
			.issueTime(Date.from(now.minusSeconds(1000))).notBeforeTime(Date.from(now.minusSeconds(1000)))));
		this.client.get().uri("/api/auth/status").headers(bearer(expired)).exchange()
			.expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("TOKEN_EXPIRED");
		String forgedExpired = sign(new ECKey.Builder(stranger).keyID(kid).build(), "at+jwt", with(claims,
				(b) -> b.expirationTime(Date.from(now.minusSeconds(120))).issueTime(Date.from(now.minusSeconds(1000)))
					.notBeforeTime(Date.from(now.minusSeconds(1000)))));
		this.client.get().uri("/api/auth/status").headers(bearer(forgedExpired)).exchange()
			.expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("AUTH_ERROR");
		assertRefused(sign(signing, "at+jwt", with(claims, (b) -> b.notBeforeTime(Date.from(now.plusSeconds(300))))),
				"nbf in the future");
		assertRefused(sign(signing, "at+jwt", with(claims, (b) -> b.issuer("https://evil.example"))), "wrong iss");
		assertRefused(sign(signing, "at+jwt", with(claims, (b) -> b.audience("another-api"))), "wrong aud");
		assertRefused(sign(signing, "JWT", claims), "wrong typ");
		String[] parts = valid.split("\\.");
		String altered = Base64.getUrlEncoder().withoutPadding().encodeToString(
				claims.toString().replace("\"user\"", "\"admin\"").getBytes(java.nio.charset.StandardCharsets.UTF_8));
		assertRefused(parts[0] + "." + altered + "." + parts[2], "altered payload");
		char last = parts[2].charAt(10);
		assertRefused(parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + (last == 'A' ? 'B' : 'A')
				+ parts[2].substring(11), "altered signature");

		// Still accepted before the account is deactivated, refused after.
		this.client.get().uri("/v1/users/me").headers(bearer(valid)).exchange().expectStatus().isOk();
		this.database.sql("UPDATE app_user SET active = FALSE WHERE email_key = :email")
			.bind("email", this.email)
			.then()
			.block();
		assertRefused(valid, "a deactivated account's token");
		this.client.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", this.email, "password", PASSWORD)).exchange()
			.expectStatus().isUnauthorized();
	}

	@Test
	void announcesTheNextKeyBeforeItSigns() throws Exception {
		String kidBefore = SignedJWT.parse((String) login(this.email, PASSWORD).get("access_token")).getHeader().getKeyID();
		// As if the rotation period were nearly over: the successor is published, not yet used.
		this.keys.rotateIfDue(Instant.now().plus(Duration.ofDays(30))).block();
		String jwks = this.client.get().uri("/.well-known/jwks.json").exchange()
			.expectBody(String.class).returnResult().getResponseBody();
		// The JWKS is cached for a few seconds by the service: wait for the new set.
		long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		while (jwks.split("\"kid\"").length - 1 < 2 && System.nanoTime() < deadline) {
			Thread.sleep(500);
			jwks = this.client.get().uri("/.well-known/jwks.json").exchange()
				.expectBody(String.class).returnResult().getResponseBody();
		}
		assertThat(jwks.split("\"kid\"").length - 1).isGreaterThanOrEqualTo(2);
		assertThat(jwks).contains(kidBefore);
		String kidAfter = SignedJWT.parse((String) login(this.email, PASSWORD).get("access_token")).getHeader().getKeyID();
		assertThat(kidAfter).isEqualTo(kidBefore);
	}

	private void assertRefused(String token, String what) {
		this.client.get().uri("/v1/users/me").headers(bearer(token)).exchange()
			.expectStatus().value((status) -> assertThat(status).as(what).isEqualTo(401));
	}

	private static String sign(ECKey key, String type, JWTClaimsSet claims) throws Exception {
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
			.type(new JOSEObjectType(type)).build(), claims);
		jwt.sign(new ECDSASigner(key));
		return jwt.serialize();
	}

	private static JWTClaimsSet with(JWTClaimsSet claims, Consumer<JWTClaimsSet.Builder> change) {
		JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder(claims);
		change.accept(builder);
		return builder.build();
	}

	private static byte[] padded(String secret) {
		byte[] bytes = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
		return (bytes.length >= 32) ? bytes : java.util.Arrays.copyOf(bytes, 32);
	}

	private Map<String, Object> login(String email, String password) {
		return this.client.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", password)).exchange()
			.expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
	}

	private String loginFailure(String email, String password) {
		return this.client.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", password)).exchange()
			.expectStatus().isUnauthorized()
			.expectBody(String.class).returnResult().getResponseBody().replaceAll("\"request_id\":\"[^\"]*\"", "");
	}

	private WebTestClient.ResponseSpec refresh(String token) {
		return this.client.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("refresh_token", token)).exchange();
	}

	private static Consumer<HttpHeaders> bearer(String token) {
		return (headers) -> headers.setBearerAuth(token);
	}

}
