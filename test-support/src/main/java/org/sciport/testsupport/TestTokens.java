package org.sciport.testsupport;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Access tokens for test users, signed with a key the service under test trusts in place of
 * auth-service's published keys. The service checks them exactly as it checks real ones.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestTokens {

	private static final ECKey KEY;

	static {
		try {
			KEY = new ECKeyGenerator(Curve.P_256).keyID("test-signing-key").algorithm(JWSAlgorithm.ES256).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Bean
	JWKSource<SecurityContext> accessTokenKeys() {
		return new ImmutableJWKSet<>(new JWKSet(KEY.toPublicJWK()));
	}

	/**
	 * A test user with a token.
	 *
	 * @param id the user id
	 * @param token a valid access token
	 */
	public record User(UUID id, String token) {
	}

	public static User user() {
		return user(false);
	}

	public static User admin() {
		return user(true);
	}

	/**
	 * A user whose token is limited to {@code scopes} (as an exchanged API token's is).
	 */
	public static User scoped(boolean admin, String... scopes) {
		return user(UUID.randomUUID(), admin, String.join(" ", scopes));
	}

	/**
	 * Another token for the same user, limited to {@code scopes} (none: unscoped).
	 */
	public static User tokenFor(UUID id, String... scopes) {
		return user(id, false, String.join(" ", scopes));
	}

	private static User user(boolean admin) {
		return user(UUID.randomUUID(), admin, "");
	}

	private static User user(UUID id, boolean admin, String scope) {
		JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().issuer("https://sciport.local")
			.audience("sciport")
			.subject(id.toString())
			.issueTime(new Date())
			.notBeforeTime(new Date())
			.expirationTime(Date.from(Instant.now().plusSeconds(3600)))
			.jwtID(UUID.randomUUID().toString())
			.claim("roles", List.of(admin ? "admin" : "user"))
			.claim("plan", "free");
		if (!scope.isEmpty()) {
			builder.claim("scope", scope);
		}
		JWTClaimsSet claims = builder.build();
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(KEY.getKeyID())
			.type(new JOSEObjectType("at+jwt"))
			.build(), claims);
		try {
			jwt.sign(new ECDSASigner(KEY));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
		return new User(id, jwt.serialize());
	}

}
