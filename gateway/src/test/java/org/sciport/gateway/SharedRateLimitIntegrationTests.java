package org.sciport.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.sciport.testsupport.RedisServer;
import org.sciport.testsupport.TestInfrastructure;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateway instances on one real Redis share each caller's limits.
 */
class SharedRateLimitIntegrationTests {

	@Test
	void twoGatewaysCountAgainstOneLimit() throws Exception {
		ECKey key = new ECKeyGenerator(Curve.P_256).keyID("shared-key").algorithm(JWSAlgorithm.ES256).generate();
		String jwks = new JWKSet(key.toPublicJWK()).toString();
		DisposableServer services = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route((routes) -> routes
				.get("/.well-known/jwks.json",
						(request, response) -> response.header("Content-Type", "application/json").sendString(Mono.just(jwks)))
				.route((request) -> true, (request, response) -> response.sendString(Mono.just("ok"))))
			.bindNow();
		List<ConfigurableApplicationContext> gateways = new ArrayList<>();
		try (RedisServer redis = RedisServer.start()) {
			// Both gateways' windows stand still at the start of the coming minute: all six requests
			// count in one window, whatever the time (and Redis keeps it past the test's end).
			Clock clock = Clock.fixed(Instant.now().truncatedTo(ChronoUnit.MINUTES).plusSeconds(60), ZoneOffset.UTC);
			for (int i = 0; i < 2; i++) {
				gateways.add(GatewayApplication.builder()
					.initializers((context) -> context.getBeanFactory().registerSingleton("rateLimitClock", clock))
					.run(arguments(services.port(), redis.url())));
			}
			String token = token(key);
			HttpClient http = HttpClient.newHttpClient();
			List<Integer> statuses = new ArrayList<>();
			List<String> remaining = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				int port = ((WebServerApplicationContext) gateways.get(i % 2)).getWebServer().getPort();
				HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
						+ "/v1/datasets")).header("Authorization", "Bearer " + token).build(),
						HttpResponse.BodyHandlers.ofString());
				statuses.add(response.statusCode());
				remaining.add(response.headers().firstValue("RateLimit").orElse(""));
			}
			assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429);
			assertThat(remaining.get(4)).startsWith("\"burst\";r=0;");
		}
		finally {
			gateways.forEach(ConfigurableApplicationContext::close);
			services.disposeNow();
		}
	}

	private static String[] arguments(int servicesPort, String redisUrl) {
		String services = "http://127.0.0.1:" + servicesPort;
		return new String[] { "--server.port=0", "--management.server.port=0", "--spring.main.banner-mode=off",
				"--spring.kafka.bootstrap-servers=" + TestInfrastructure.kafkaBootstrap(),
				"--sciport.security.jwks-uri=" + services + "/.well-known/jwks.json",
				"--sciport.gateway.services.auth=" + services, "--sciport.gateway.services.upload=" + services,
				"--sciport.gateway.services.dataset=" + services, "--sciport.gateway.services.harvest=" + services,
				"--sciport.gateway.services.workflow=" + services, "--sciport.gateway.rate-limit.store=redis",
				"--sciport.gateway.rate-limit.redis-url=" + redisUrl, "--sciport.gateway.rate-limit.burst=5" };
	}

	private static String token(ECKey key) throws Exception {
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
			.type(new JOSEObjectType("at+jwt"))
			.build(), new JWTClaimsSet.Builder().issuer("https://sciport.local")
				.audience("sciport")
				.subject(UUID.randomUUID().toString())
				.issueTime(new Date())
				.notBeforeTime(new Date())
				.expirationTime(Date.from(Instant.now().plusSeconds(600)))
				.jwtID(UUID.randomUUID().toString())
				.claim("plan", "free")
				.build());
		jwt.sign(new ECDSASigner(key));
		return jwt.serialize();
	}

}
