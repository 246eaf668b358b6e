package org.sciport.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.sciport.commons.security.RevocationListener;
import org.sciport.commons.web.ClientAddresses;
import org.sciport.commons.security.RevokedTokens;
import org.sciport.testsupport.MovableClock;
import org.sciport.testsupport.TestInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway in front of five real HTTP servers standing in for the services: each answers
 * with its own name, the path and the request id it received, and a readiness document.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "spring.config.name=gateway")
@AutoConfigureWebTestClient
class GatewayRoutingIntegrationTests {

	/** The rate limits' clock, moved on by the tests instead of waiting for a window. */
	@TestConfiguration
	static class Time {

		@Bean
		MovableClock clock() {
			return new MovableClock();
		}

	}

	@Autowired
	MovableClock clock;

	private static final Map<String, DisposableServer> backends = new LinkedHashMap<>();

	/** Readiness each backend reports; a missing entry means healthy. */
	private static final Map<String, String> readiness = new ConcurrentHashMap<>();

	/** The key the test's auth backend publishes and signs callers' tokens with. */
	private static final ECKey signingKey;

	static {
		try {
			signingKey = new ECKeyGenerator(Curve.P_256).keyID("test-key").algorithm(JWSAlgorithm.ES256).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
		jwks = new JWKSet(signingKey.toPublicJWK()).toString();
		for (String service : new String[] { "auth", "upload", "dataset", "harvest", "workflow" }) {
			backends.put(service, startBackend(service, 0));
		}
	}

	private static final String jwks;

	private static final String CLIENT_ADDRESS_KEY = "Z2F0ZXdheS1zaWducy1jbGllbnQtYWRkcmVzc2VzLTMyYg==";

	/** A real HTTP server standing in for one service. */
	private static DisposableServer startBackend(String service, int port) {
		return HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.route((routes) -> routes.get("/.well-known/jwks.json", (request, response) -> response
				.header("Content-Type", "application/json")
				.sendString(Mono.just(jwks)))
				.post("/v1/tokens/exchange", (request, response) -> request.receive().aggregate().asString()
					.flatMap((body) -> body.contains("\"sct_valid\"")
							? response.header("Content-Type", "application/json")
								.sendString(Mono.just("{\"access_token\":\"" + freshToken("free")
										+ "\",\"token_type\":\"Bearer\",\"expires_in\":300}"))
								.then()
							: response.status(401).send().then()))
				.get("/v1/datasets/headers", (request, response) -> response.keepAlive(false)
					.header("Content-Type", "text/plain")
					.sendString(Mono.just(request.requestHeaders().entries().stream()
						.map((entry) -> entry.getKey().toLowerCase(java.util.Locale.ROOT) + ": " + entry.getValue())
						.collect(java.util.stream.Collectors.joining("\n")))))
				.get("/actuator/health/readiness", (request, response) -> {
					String state = readiness.getOrDefault(service, "UP");
					return response.status("UP".equals(state) ? 200 : 503)
						.header("Content-Type", "application/json")
						.sendString(Mono.just("{\"status\":\"" + state + "\",\"components\":{\"r2dbc\":{\"status\":\"UP\"},"
								+ "\"kafka\":{\"status\":\"" + state + "\"}}}"));
				// No keep-alive: once a backend is stopped, nothing of it answers any more.
				}).route((request) -> true, (request, response) -> response.keepAlive(false).header("Content-Type", "text/plain")
					.sendString(Mono.just(service + " " + request.method().name() + " " + request.uri() + " "
							+ request.requestHeaders().get("X-Request-Id") + " "
							+ (request.requestHeaders().contains("Authorization") ? "bearer" : "none")))))
			.bindNow();
	}

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		backends.forEach((service, server) -> registry.add("sciport.gateway.services." + service,
				() -> "http://127.0.0.1:" + server.port()));
		registry.add("spring.kafka.bootstrap-servers", TestInfrastructure::kafkaBootstrap);
		registry.add("sciport.gateway.resilience.open-for", () -> "500ms");
		registry.add("sciport.security.client-address-key", () -> CLIENT_ADDRESS_KEY);
		registry.add("sciport.gateway.cors.allowed-origins", () -> "https://portal.example, https://*.uppy.example");
		registry.add("sciport.gateway.usage.every", () -> "200ms");
		registry.add("sciport.gateway.rate-limit.transfer", () -> "5");
		registry.add("sciport.gateway.resilience.minimum-calls", () -> "4");
		registry.add("sciport.security.jwks-uri",
				() -> "http://127.0.0.1:" + backends.get("auth").port() + "/.well-known/jwks.json");
	}

	@AfterAll
	static void stopBackends() {
		backends.values().forEach(DisposableServer::disposeNow);
	}

	@AfterEach
	void allHealthy() {
		readiness.clear();
	}

	private static final String TOKEN = token(signingKey, claims("user", "free").build());

	/** A fresh, valid access token's claims for a new account with this role and plan. */
	private static JWTClaimsSet.Builder claims(String role, String plan) {
		return new JWTClaimsSet.Builder().issuer("https://sciport.local")
			.audience("sciport")
			.subject(UUID.randomUUID().toString())
			.issueTime(new Date())
			.notBeforeTime(new Date())
			.expirationTime(Date.from(Instant.now().plusSeconds(900)))
			.jwtID(UUID.randomUUID().toString())
			.claim("roles", List.of(role))
			.claim("plan", plan);
	}

	@Autowired
	WebTestClient client;

	/**
	 * Publishes an event of auth-service's, as its outbox relay would.
	 */
	private static void publishAuthEvent(String type, String key, String data) throws Exception {
		String event = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID()
				+ "\",\"source\":\"/sciport/auth-service\",\"type\":\"" + type + "\",\"subject\":\"" + key
				+ "\",\"time\":\"" + Instant.now() + "\",\"datacontenttype\":\"application/json\",\"data\":" + data + "}";
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBootstrap()), new StringSerializer(),
				new StringSerializer())) {
			producer.send(new ProducerRecord<>("sciport.auth", key, event)).get();
		}
	}

	/**
	 * Repeats a request with the token until it gets {@code expected} (at most 10 s); the last status.
	 */
	private int awaitStatus(String token, int expected) throws InterruptedException {
		long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
		int status = 0;
		while (status != expected && System.nanoTime() < deadline) {
			status = this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token).exchange()
				.returnResult(String.class).getStatus().value();
			if (status != expected) {
				Thread.sleep(50);
			}
		}
		return status;
	}

	/**
	 * Moves the rate limits' clock (which stands still otherwise) to the start of the next
	 * hour: a test's requests all count in the same fresh windows, whatever the time.
	 */
	private void startAFreshHour() {
		Instant now = this.clock.instant();
		this.clock.advance(Duration.between(now, now.truncatedTo(java.time.temporal.ChronoUnit.HOURS).plusSeconds(3600)));
	}

	/** A token of a caller of its own, so one test's requests do not count against another's limits. */
	private static String freshToken(String plan) {
		return token(signingKey, claims("user", plan).build());
	}

	private static String token(ECKey key, JWTClaimsSet claims) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
				.type(new JOSEObjectType("at+jwt"))
				.build(), claims);
			jwt.sign(new ECDSASigner(key));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@ParameterizedTest(name = "{0} {1} -> {2}")
	@CsvSource({
			// native API
			"POST, /v1/auth/login, auth", "GET, /v1/users/me, auth", "POST, /v1/tokens, auth",
"POST, /v1/uploads/tus, upload", "GET, /v1/jobs/j1, upload",
			"POST, /v1/data/upload, upload", "GET, /v1/datasets?page=2&per_page=10, dataset",
			"GET, /v1/folders, dataset", "GET, /v1/teams, dataset", "GET, /v1/projects/proj_abc123, dataset",
			"GET, /v1/data/data_def456, dataset", "GET, /v1/analytics/usage, dataset", "POST, /v1/webhooks, dataset",
			"GET, /v1/instruments, harvest", "GET, /v1/storage-locations, harvest", "GET, /v1/service-accounts, harvest",
			"POST, /v1/schedules/s1/trigger, harvest", "GET, /v1/hooks, harvest", "GET, /v1/files/f1, harvest",
			"GET, /v1/transfers, harvest", "GET, /v1/resources?type=workflow&workspace=analytics, workflow",
			"PUT, /v1/resources/workflow/nightly, workflow", "GET, /v1/workspaces, workflow",
			"GET, /v1/pipelines, workflow",
			// seed 000
			"POST, /api/auth/login, auth", "GET, /api/auth/me, auth", "POST, /api/upload/initiate, upload",
			"GET, /api/upload/status/job_1, upload", "GET, /portal/api/jobs, upload", "POST, /portal/api/cancel-job, upload",
			"POST, /portal/api/retry-conversion, upload", "GET, /portal/api/datasets, dataset",
			"POST, /portal/api/share-dataset, dataset", "GET, /portal/api/get-teams, dataset",
			// seed 002
			"POST, /auth/register, auth", "POST, /auth/jwt/login, auth", "GET, /api/instruments/7, harvest",
			"GET, /api/storage-locations, harvest", "GET, /api/service-accounts, harvest",
			"POST, /api/schedules/3/trigger, harvest", "GET, /api/hooks, harvest", "GET, /api/files/ark:99999/fk4x, harvest",
			"GET, /api/transfers, harvest",
			// seed 004
			"GET, /api/users/login-providers, auth", "GET, /api/users/openid/orcid/login, auth",
			"GET, /api/projects/count, workflow", "POST, /api/projects/12/upload-file, workflow",
			"GET, /api/nextflow-projects, workflow", "GET, /api/nextflow-projects/rnaseq/arguments, workflow",
			"GET, /api/workflows, workflow", "GET, /api/workflows/rnaseq/arguments, workflow",
			"POST, /api/projects/12/schedule, workflow", "GET, /api/projects/12/logs, workflow" })
	void routesEveryDocumentedPrefixToItsOwner(String method, String path, String owner) {
		String body = this.client.method(org.springframework.http.HttpMethod.valueOf(method))
			.uri(path)
			.header("X-Request-Id", "req-route-1")
			.header("Authorization", "Bearer " + TOKEN)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(body).isEqualTo(owner + " " + method + " " + path + " req-route-1 bearer");
	}

	@Test
	void takesThePortalWebClientsSuffixAndCacheBusterOffBeforeRouting() {
		for (String[] call : new String[][] { { "/portal/api/datasets.php?t=1712345678&limit=5", "dataset GET /portal/api/datasets?limit=5" },
				{ "/portal/api/jobs.php?t=1", "upload GET /portal/api/jobs" },
				{ "/portal/api/dataset-file-content.php?dataset_uuid=d&t=2", "upload GET /portal/api/dataset-file-content?dataset_uuid=d" },
				{ "/api/upload/jobs.php", "upload GET /api/upload/jobs" } }) {
			this.client.get().uri(call[0]).header("Authorization", "Bearer " + TOKEN).exchange()
				.expectStatus().isOk()
				.expectBody(String.class).value((body) -> assertThat(body).startsWith(call[1] + " "));
		}
	}

	@Test
	void refusesPortalCallersInThePortalsShapeWithItsCodes() {
		this.client.get().uri("/portal/api/datasets").exchange()
			.expectStatus().isUnauthorized()
			.expectBody().jsonPath("$.success").isEqualTo(false).jsonPath("$.code").isEqualTo("AUTH_REQUIRED");
		this.client.get().uri("/api/upload/status/j1").header("Authorization", "Bearer not.a-token").exchange()
			.expectStatus().isUnauthorized()
			.expectBody().jsonPath("$.success").isEqualTo(false).jsonPath("$.code").isEqualTo("AUTH_ERROR");
		this.client.get().uri("/api/auth/me").exchange()
			.expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("AUTH_REQUIRED");
		// The native surface keeps its own code, with the reason in the details.
		this.client.get().uri("/v1/datasets").exchange()
			.expectStatus().isUnauthorized()
			.expectBody().jsonPath("$.error.code").isEqualTo("INVALID_API_KEY")
			.jsonPath("$.error.details.reason").isEqualTo("missing");
	}

	@Test
	void givesEveryRequestAnIdAndForwardsIt() {
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + TOKEN).exchange()
			.expectStatus().isOk()
			.expectHeader().value("X-Request-Id", (id) -> assertThat(id).startsWith("req_"))
			.expectBody(String.class)
			.value((body) -> assertThat(body).startsWith("dataset GET /v1/datasets req_"));
	}

	@Test
	void requiresAValidAccessTokenOffThePublicPaths() throws Exception {
		this.client.get().uri("/v1/datasets").exchange()
			.expectStatus().isUnauthorized()
			.expectBody().jsonPath("$.error.code").isEqualTo("INVALID_API_KEY");
		// Nextflow's weblog carries its run's secret, which workflow-service alone judges.
		for (String path : List.of("/api/projects/12/nextflow-log", "/api/projects/12/workflow-log")) {
			for (String authorization : List.of("Basic bmV4dGZsb3c6c2VjcmV0", "Bearer junk")) {
				this.client.post().uri(path).header("Authorization", authorization).exchange().expectStatus().isOk()
					.expectBody(String.class).value((body) -> assertThat(body).startsWith("workflow POST " + path));
			}
		}
		this.client.post().uri("/api/projects/12/schedule").exchange().expectStatus().isUnauthorized();
		this.client.get().uri("/v1/datasets").header("x-access-token", TOKEN).exchange().expectStatus().isOk();
		JWTClaimsSet claims = SignedJWT.parse(TOKEN).getJWTClaimsSet();
		this.client.get().uri("/v1/datasets")
			.header("Authorization", "Bearer " + new PlainJWT(claims).serialize())
			.exchange()
			.expectStatus().isUnauthorized();
		ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("test-key").generate();
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token(stranger, claims)).exchange()
			.expectStatus().isUnauthorized();
		this.client.get().uri("/v1/datasets")
			.header("Authorization", "Bearer " + token(signingKey, new JWTClaimsSet.Builder(claims)
				.expirationTime(Date.from(Instant.now().minusSeconds(61)))
				.build()))
			.exchange()
			.expectStatus().isUnauthorized();
	}

	@Test
	void refusesALoggedOutTokenAsSoonAsTheRevocationArrivesAndRemembersItAfterARestart() throws Exception {
		JWTClaimsSet claims = new JWTClaimsSet.Builder(SignedJWT.parse(freshToken("free")).getJWTClaimsSet())
			.jwtID(UUID.randomUUID().toString())
			.build();
		String token = token(signingKey, claims);
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token).exchange().expectStatus().isOk();
		publishAuthEvent("sciport.auth.token.revoked", claims.getJWTID(), "{\"jti\":\"" + claims.getJWTID()
				+ "\",\"user_id\":\"" + claims.getSubject() + "\",\"expires_at\":\""
				+ claims.getExpirationTime().toInstant() + "\"}");
		int status = awaitStatus(token, 401);
		assertThat(status).isEqualTo(401);
		// Another instance started now knows the revocation before it reports started.
		RevokedTokens restarted = new RevokedTokens();
		RevocationListener listener = new RevocationListener(restarted,
				org.sciport.commons.event.KafkaConnection.plain(TestInfrastructure.kafkaBootstrap()));
		listener.start();
		try {
			assertThat(restarted.isRevoked(claims.getJWTID())).isTrue();
			assertThat(restarted.isRevoked(SignedJWT.parse(TOKEN).getJWTClaimsSet().getJWTID())).isFalse();
		}
		finally {
			listener.stop();
		}
	}

	@Test
	void answers503WhileAServiceIsStoppedAndRecoversWhenItReturns() throws Exception {
		stoppedServiceAnswers503AndRecovers("workflow", "/v1/workspaces", "/v1/resources");
	}

	@Test
	void theUploadRouteWithItsOwnBreakerAnswers503AndRecoversToo() throws Exception {
		stoppedServiceAnswers503AndRecovers("upload", "/v1/jobs", "/v1/uploads/tus");
	}

	private void stoppedServiceAnswers503AndRecovers(String service, String getPath, String postPath) throws Exception {
		String TOKEN = freshToken("enterprise");
		int port = backends.get(service).port();
		backends.get(service).disposeNow();
		try {
			for (int i = 0; i < 6; i++) {
				this.client.get().uri(getPath).header("Authorization", "Bearer " + TOKEN).exchange()
					.expectStatus().isEqualTo(503)
					.expectBody()
					.jsonPath("$.error.code").isEqualTo("SERVICE_UNAVAILABLE")
					.jsonPath("$.error.message").value((String message) -> assertThat(message).contains(service + "-service"));
			}
			this.client.post().uri(postPath).header("Authorization", "Bearer " + TOKEN)
				.bodyValue("{\"name\":\"x\"}").exchange()
				.expectStatus().isEqualTo(503);
			// Other services are not affected.
			this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + TOKEN).exchange().expectStatus().isOk();
		}
		finally {
			backends.put(service, startBackend(service, port));
		}
		long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
		int status = 0;
		while (status != 200 && System.nanoTime() < deadline) {
			Thread.sleep(200);
			status = this.client.get().uri(getPath).header("Authorization", "Bearer " + TOKEN).exchange()
				.returnResult(String.class).getStatus().value();
		}
		assertThat(status).as("traffic recovers once the service is back").isEqualTo(200);
	}

	@Test
	void reportsTheCallersLimitsOnOrdinaryResponses() throws InterruptedException {
		startAFreshHour();
		String token = freshToken("free");
		long hourEnd = (this.clock.instant().getEpochSecond() / 3600 + 1) * 3600;
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token).exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-RateLimit-Limit", "1000")
			.expectHeader().valueEquals("X-RateLimit-Remaining", "999")
			.expectHeader().value("X-RateLimit-Reset", (reset) -> assertThat(Long.parseLong(reset)).isBetween(hourEnd - 1, hourEnd + 3600))
			.expectHeader().valueEquals("RateLimit-Policy", "\"hour\";q=1000;w=3600, \"burst\";q=100;w=60")
			.expectHeader().value("RateLimit", (value) -> assertThat(value).matches("\"(hour|burst)\";r=\\d+;t=\\d+"));
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token).exchange()
			.expectHeader().valueEquals("X-RateLimit-Remaining", "998");
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + freshToken("professional")).exchange()
			.expectHeader().valueEquals("X-RateLimit-Limit", "10000");
		this.client.get().uri("/v1/status").exchange()
			.expectStatus().isOk()
			.expectHeader().exists("X-RateLimit-Remaining");
		// A request refused for its token is counted against its address and says so too.
		this.client.get().uri("/v1/datasets").exchange()
			.expectStatus().isUnauthorized()
			.expectHeader().exists("X-RateLimit-Remaining")
			.expectHeader().exists("RateLimit");
	}

	@Test
	void aBurstEndsIn429WithRetryAfter() throws InterruptedException {
		startAFreshHour();
		String token = freshToken("enterprise");
		for (int i = 0; i < 100; i++) {
			this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token).exchange()
				.expectStatus().isOk();
		}
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token).exchange()
			.expectStatus().isEqualTo(429)
			.expectHeader().value("Retry-After", (after) -> assertThat(Integer.parseInt(after)).isBetween(1, 60))
			.expectHeader().valueEquals("X-RateLimit-Remaining", Long.toString(100000 - 101))
			.expectBody()
			.jsonPath("$.error.code").isEqualTo("RATE_LIMIT_EXCEEDED")
			.jsonPath("$.error.details.retry_after").value((Integer after) -> assertThat(after).isBetween(1, 60));
		// Another caller is not affected.
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + freshToken("enterprise")).exchange()
			.expectStatus().isOk();
	}

	@Test
	void uploadTransfersCountApartFromTheApiLimits() throws InterruptedException {
		startAFreshHour();
		String token = freshToken("free");
		// The requests carrying an upload's bytes count in a window of their own (5 here)...
		this.client.put().uri("/api/upload/chunk/j1/0").header("Authorization", "Bearer " + token)
			.bodyValue(new byte[1024]).exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-RateLimit-Limit", "5")
			.expectHeader().valueEquals("X-RateLimit-Remaining", "4")
			.expectHeader().valueEquals("RateLimit-Policy", "\"transfer\";q=5;w=3600, \"transfer-burst\";q=6000;w=60")
			.expectHeader().value("RateLimit", (value) -> assertThat(value).matches("\"transfer\";r=4;t=\\d+"));
		this.client.patch().uri("/v1/uploads/tus/u1").header("Authorization", "Bearer " + token)
			.bodyValue(new byte[1024]).exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-RateLimit-Remaining", "3");
		this.client.head().uri("/v1/uploads/tus/u1").header("Authorization", "Bearer " + token).exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-RateLimit-Remaining", "2");
		this.client.post().uri("/v1/uploads/tus/u1").header("Authorization", "Bearer " + token)
			.header("X-HTTP-Method-Override", "PATCH").bodyValue(new byte[1024]).exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-RateLimit-Remaining", "1");
		// ...that the API calls' windows do not see,
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token).exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-RateLimit-Limit", "1000")
			.expectHeader().valueEquals("X-RateLimit-Remaining", "999");
		for (int i = 1; i < 100; i++) {
			this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token).exchange()
				.expectStatus().isOk();
		}
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token).exchange()
			.expectStatus().isEqualTo(429);
		// nor beginning an upload, which is an API call like any other,
		this.client.post().uri("/api/upload/initiate").header("Authorization", "Bearer " + token)
			.bodyValue(java.util.Map.of("filename", "a.bin")).exchange()
			.expectStatus().isEqualTo(429);
		this.client.post().uri("/v1/uploads/tus").header("Authorization", "Bearer " + token).exchange()
			.expectStatus().isEqualTo(429);
		// so an upload goes on with the burst used up, until its own window is.
		this.client.put().uri("/api/upload/chunk/j1/1").header("Authorization", "Bearer " + token)
			.bodyValue(new byte[1024]).exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-RateLimit-Remaining", "0");
		this.client.put().uri("/api/upload/chunk/j1/2").header("Authorization", "Bearer " + token)
			.bodyValue(new byte[1024]).exchange()
			.expectStatus().isEqualTo(429)
			.expectHeader().value("Retry-After", (after) -> assertThat(Long.parseLong(after)).isBetween(1L, 3600L))
			// On the data portal's upload surface, in its error shape.
			.expectBody()
			.jsonPath("$.success").isEqualTo(false)
			.jsonPath("$.code").isEqualTo("RATE_LIMIT_EXCEEDED")
			.jsonPath("$.error").value((String message) -> assertThat(message).contains("transfer"));
	}

	@Test
	void stripsIdentityHeadersAClientMadeUpAndCarriesTheTraceOn() {
		String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
		String seen = this.client.get().uri("/v1/datasets/headers")
			.header("Authorization", "Bearer " + TOKEN)
			.header("X-User-Id", "someone-else")
			.header("X-User-Roles", "admin")
			.header("X-Sciport-Caller", "admin")
			.header("X-Sciport-Acting-For", "00000000-0000-0000-0000-000000000001")
			.header("X-Forwarded-User", "root")
			.header("X-Remote-User", "root")
			.header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
			.exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(seen).doesNotContain("x-user-id", "x-user-roles", "x-sciport-caller", "x-sciport-acting-for",
				"x-forwarded-user", "x-remote-user", "someone-else");
		assertThat(seen).contains("authorization: Bearer ", "x-request-id: req_");
		assertThat(seen).containsPattern("traceparent: 00-" + traceId + "-[0-9a-f]{16}-0[01]");
	}

	@Test
	void vouchesForTheClientsAddressInAHeaderOnlyItCanWrite() {
		ClientAddresses services = new ClientAddresses(CLIENT_ADDRESS_KEY, java.time.Clock.systemUTC());
		String forged = services.vouchFor("203.0.113.9");
		String seen = this.client.get().uri("/v1/datasets/headers")
			.header("Authorization", "Bearer " + TOKEN)
			.header(ClientAddresses.HEADER, forged)
			.exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		String vouch = seen.lines().filter((line) -> line.startsWith("x-sciport-client: ")).findFirst().orElseThrow()
			.substring("x-sciport-client: ".length());
		assertThat(seen.lines().filter((line) -> line.startsWith("x-sciport-client: "))).hasSize(1);
		assertThat(services.vouched(vouch)).isEqualTo("127.0.0.1");
	}

	@Test
	void refusesTokensIssuedBeforeTheAccountWasDeactivated() throws Exception {
		JWTClaimsSet claims = SignedJWT.parse(freshToken("free")).getJWTClaimsSet();
		String before = token(signingKey, new JWTClaimsSet.Builder(claims)
			.issueTime(Date.from(Instant.now().minusSeconds(30)))
			.notBeforeTime(Date.from(Instant.now().minusSeconds(30)))
			.build());
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + before).exchange().expectStatus().isOk();
		publishAuthEvent("sciport.auth.user.deactivated", claims.getSubject(), "{\"user_id\":\"" + claims.getSubject()
				+ "\",\"deactivated_at\":\"" + Instant.now().minusSeconds(5) + "\"}");
		int status = awaitStatus(before, 401);
		assertThat(status).isEqualTo(401);
		// A token issued after the deactivation (the account was reactivated since) is accepted.
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token(signingKey, claims)).exchange()
			.expectStatus().isOk();
	}

	@Test
	void refusesEveryForgedOrStaleTokenAtTheEdge() throws Exception {
		JWTClaimsSet claims = SignedJWT.parse(freshToken("free")).getJWTClaimsSet();
		Instant now = Instant.now();
		Map<String, String> forged = new LinkedHashMap<>();
		forged.put("alg none", new PlainJWT(new com.nimbusds.jose.PlainHeader.Builder()
			.type(new JOSEObjectType("at+jwt")).build(), claims).serialize());
		SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("test-key")
			.type(new JOSEObjectType("at+jwt")).build(), claims);
		hmac.sign(new com.nimbusds.jose.crypto.MACSigner(java.util.Arrays.copyOf(
				signingKey.toPublicJWK().toJSONString().getBytes(java.nio.charset.StandardCharsets.UTF_8), 64)));
		forged.put("HS256 keyed with the public key", hmac.serialize());
		forged.put("unknown kid", token(new ECKeyGenerator(Curve.P_256).keyID("who-knows").generate(), claims));
		forged.put("expired", token(signingKey, new JWTClaimsSet.Builder(claims)
			.expirationTime(Date.from(now.minusSeconds(61))).build()));
		forged.put("nbf in the future", token(signingKey, new JWTClaimsSet.Builder(claims)
			.notBeforeTime(Date.from(now.plusSeconds(120))).build()));
		forged.put("wrong iss", token(signingKey, new JWTClaimsSet.Builder(claims).issuer("https://evil.example").build()));
		forged.put("wrong aud", token(signingKey, new JWTClaimsSet.Builder(claims).audience("elsewhere").build()));
		SignedJWT untyped = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("test-key").build(), claims);
		untyped.sign(new ECDSASigner(signingKey));
		forged.put("wrong typ", untyped.serialize());
		String valid = token(signingKey, claims);
		String[] parts = valid.split("\\.");
		forged.put("altered payload", parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
			.encodeToString(claims.toString().replace("\"free\"", "\"enterprise\"")
				.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2]);
		forged.put("altered signature", parts[0] + "." + parts[1] + "."
				+ (parts[2].startsWith("A") ? "B" : "A") + parts[2].substring(1));
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + valid).exchange().expectStatus().isOk();
		forged.forEach((what, token) -> this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token)
			.exchange()
			.expectStatus().value((status) -> assertThat(status).as(what).isEqualTo(401)));
	}

	@Test
	void publishesWhatItServedPerUserAndHour() throws Exception {
		String token = freshToken("free");
		String user = SignedJWT.parse(token).getJWTClaimsSet().getSubject();
		for (int i = 0; i < 3; i++) {
			this.client.get().uri("/v1/datasets").header("Authorization", "Bearer " + token).exchange().expectStatus().isOk();
		}
		try (org.sciport.testsupport.TopicReader reader = new org.sciport.testsupport.TopicReader(
				TestInfrastructure.kafkaBootstrap(), "sciport.gateway")) {
			// The calls may be counted in more than one batch: wait for one record more each round
			// until they add up (or the bounded wait ends).
			long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
			List<ConsumerRecord<String, String>> batches = List.of();
			while (apiCalls(batches) < 3 && System.nanoTime() < deadline) {
				batches = reader.awaitRecords((record) -> user.equals(record.key()), batches.size() + 1,
						java.time.Duration.ofSeconds(1));
			}
			assertThat(apiCalls(batches)).isEqualTo(3);
		}
	}

	private static long apiCalls(List<ConsumerRecord<String, String>> batches) {
		return batches.stream()
			.mapToLong((record) -> Long.parseLong(record.value().replaceAll(".*\"api_calls\":(\\d+).*", "$1")))
			.sum();
	}

	@Test
	void exchangesApiTokensAndCarriesTheAccessTokenOn() {
		String seen = this.client.get().uri("/v1/datasets/headers").header("Authorization", "Bearer sct_valid").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(seen).contains("authorization: Bearer eyJ").doesNotContain("sct_valid");
		this.client.get().uri("/v1/datasets").header("x-access-token", "sct_valid").exchange().expectStatus().isOk();
		this.client.get().uri("/v1/datasets").header("Authorization", "Bearer sct_revoked").exchange()
			.expectStatus().isUnauthorized()
			.expectBody().jsonPath("$.error.code").isEqualTo("INVALID_API_KEY");
	}

	@Test
	void refusesAScopedTokenWhatItsScopesDoNotNameBeforeAnyServiceSeesIt() {
		String reader = token(signingKey, claims("admin", "free").claim("scope", "datasets:read").build());
		this.client.get().uri("/v1/datasets/d1").header("Authorization", "Bearer " + reader).exchange()
			.expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).startsWith("dataset GET /v1/datasets/d1"));
		for (String[] call : new String[][] { { "DELETE", "/v1/datasets/d1" }, { "POST", "/portal/api/update-dataset" },
				{ "GET", "/v1/jobs" }, { "POST", "/v1/tokens" }, { "GET", "/v1/users" } }) {
			this.client.method(org.springframework.http.HttpMethod.valueOf(call[0])).uri(call[1])
				.header("Authorization", "Bearer " + reader).exchange()
				.expectStatus().isForbidden()
				.expectHeader().value("WWW-Authenticate", (value) -> assertThat(value).startsWith(
						"Bearer error=\"insufficient_scope\""))
				.expectBody(String.class).value((body) -> assertThat(body)
					.contains(call[1].startsWith("/portal/") ? "\"code\":\"ACCESS_DENIED\"" : "INSUFFICIENT_PERMISSIONS")
					.doesNotContain(call[1] + " "));
		}
	}

	@Test
	void forwardsTheTokenSoTheServiceCanCheckItAgain() {
		this.client.get().uri("/v1/datasets/echo-auth").header("Authorization", "Bearer " + TOKEN).exchange()
			.expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).endsWith(" bearer"));
		this.client.get().uri("/.well-known/jwks.json").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).contains("\"kid\":\"test-key\""));
		this.client.post().uri("/v1/auth/login").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).startsWith("auth POST /v1/auth/login").endsWith(" none"));
	}

	@Test
	void servesMetricsAndDetailedHealthOnlyOnItsLoopbackManagementPort(
			@org.springframework.beans.factory.annotation.Value("${local.management.port}") int managementPort) {
		for (String path : List.of("/actuator/prometheus", "/actuator/health", "/actuator/health/readiness")) {
			this.client.get().uri(path).exchange().expectStatus().isNotFound();
		}
		WebTestClient management = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build();
		management.get().uri("/actuator/prometheus").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).value((body) -> assertThat(body).contains("jvm_memory_used_bytes"));
		management.get().uri("/actuator/health").exchange().expectStatus().isOk();
		// The public summary stays where it was.
		this.client.get().uri("/health").exchange().expectStatus().isOk();
	}

	@Test
	void answersPreflightsOfAllowedOriginsWithoutATokenAndExposesWhatTusClientsRead() {
		this.client.options().uri("/v1/uploads/tus/" + UUID.randomUUID())
			.header("Origin", "https://app.uppy.example")
			.header("Access-Control-Request-Method", "PATCH")
			.header("Access-Control-Request-Headers", "authorization, tus-resumable, upload-offset, content-type")
			.exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("Access-Control-Allow-Origin", "https://app.uppy.example")
			.expectHeader().value("Access-Control-Allow-Methods", (methods) -> assertThat(methods).contains("PATCH"))
			.expectHeader().value("Access-Control-Allow-Headers",
					(headers) -> assertThat(headers.toLowerCase()).contains("tus-resumable", "upload-offset"))
			.expectHeader().doesNotExist("Access-Control-Allow-Credentials");
		String seen = this.client.get().uri("/v1/datasets/d1").header("Origin", "https://portal.example")
			.header("Authorization", "Bearer " + TOKEN).exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("Access-Control-Allow-Origin", "https://portal.example")
			.expectHeader().value("Access-Control-Expose-Headers", (exposed) -> assertThat(exposed)
				.contains("Upload-Offset", "Location", "Tus-Resumable", "X-RateLimit-Remaining", "RateLimit", "Retry-After"))
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(seen).startsWith("dataset GET /v1/datasets/d1");
		// An origin not listed gets no CORS answer.
		this.client.options().uri("/v1/datasets")
			.header("Origin", "https://evil.example")
			.header("Access-Control-Request-Method", "GET")
			.exchange()
			.expectStatus().isForbidden()
			.expectHeader().doesNotExist("Access-Control-Allow-Origin");
	}

	@Test
	void answersUnknownPathsWithTheNativeErrorBody() {
		this.client.get().uri("/v2/nothing").header("Authorization", "Bearer " + TOKEN).exchange()
			.expectStatus().isNotFound()
			.expectBody()
			.jsonPath("$.error.code").isEqualTo("RESOURCE_NOT_FOUND")
			.jsonPath("$.error.request_id").exists();
	}

	@Test
	void reportsTheSuiteHealthyWhenEveryServiceIsReady() {
		this.client.get().uri("/health").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("ok")
			.jsonPath("$.services.auth-service.status").isEqualTo("up")
			.jsonPath("$.services.workflow-service.kafka").isEqualTo("up")
			.jsonPath("$.down").isEmpty();
	}

	@Test
	void namesWhatIsDownWithA503() {
		readiness.put("harvest", "DOWN");
		this.client.get().uri("/health").exchange()
			.expectStatus().isEqualTo(503)
			.expectBody()
			.jsonPath("$.status").isEqualTo("degraded")
			.jsonPath("$.down[0]").isEqualTo("harvest-service")
			.jsonPath("$.services.harvest-service.status").isEqualTo("down")
			.jsonPath("$.services.harvest-service.kafka").isEqualTo("down")
			.jsonPath("$.services.harvest-service.database").isEqualTo("up")
			.jsonPath("$.services.auth-service.status").isEqualTo("up");
	}

	@Test
	void reportsStatusInTheSeedShape() {
		this.client.get().uri("/v1/status").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("operational")
			.jsonPath("$.version").isNotEmpty()
			.jsonPath("$.timestamp").value((String timestamp) -> assertThat(java.time.Instant.parse(timestamp)).isNotNull());
	}

}
