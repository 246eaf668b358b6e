package org.sciport.auth.tokens;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.sciport.auth.users.User;
import org.sciport.commons.security.JwtSettings;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Issues access tokens: ES256 JWTs of type {@code at+jwt} with {@code kid}, {@code iss},
 * {@code aud}, {@code sub}, {@code exp}, {@code nbf}, {@code iat}, {@code jti}, the account's
 * roles and plan, {@code tv}, the account's token version (a role, password or activation change
 * raises it, ending older tokens), and {@code sid}, the session (refresh-token family) they
 * belong to.
 */
@Component
public class AccessTokens {

	private final SigningKeys keys;

	private final JwtSettings settings;

	private final TokenProperties properties;

	AccessTokens(SigningKeys keys, JwtSettings settings, TokenProperties properties) {
		this.keys = keys;
		this.settings = settings;
		this.properties = properties;
	}

	/**
	 * An issued access token.
	 *
	 * @param token the compact JWT
	 * @param tokenId its {@code jti}
	 * @param expiresAt its {@code exp}
	 */
	public record Issued(String token, String tokenId, Instant expiresAt) {
	}

	public Mono<Issued> issue(User user, UUID sessionId) {
		Instant now = Instant.now();
		return this.keys.signingKey(now)
			.map((key) -> sign(key, user, now, now.plus(this.properties.accessTokenTtl()),
					(claims) -> claims.claim("sid", sessionId.toString())));
	}

	/**
	 * An access token standing for an API token: claim {@code api_token} names it, and
	 * {@code scope} lists its scopes if it has any.
	 */
	public Mono<Issued> issueForApiToken(User user, UUID apiTokenId, List<String> scopes, Instant expires) {
		Instant now = Instant.now();
		return this.keys.signingKey(now).map((key) -> sign(key, user, now, expires, (claims) -> {
			claims.claim("api_token", apiTokenId.toString());
			if (!scopes.isEmpty()) {
				claims.claim("scope", String.join(" ", scopes));
			}
		}));
	}

	private Issued sign(ECKey key, User user, Instant now, Instant expires,
			java.util.function.Consumer<JWTClaimsSet.Builder> extra) {
		String jti = UUID.randomUUID().toString();
		JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().issuer(this.settings.issuer())
			.audience(this.settings.audience())
			.subject(user.id().toString())
			.issueTime(Date.from(now))
			.notBeforeTime(Date.from(now))
			.expirationTime(Date.from(expires))
			.jwtID(jti)
			.claim("roles", List.of(user.role()))
			.claim("plan", user.plan())
			.claim("email", user.email())
			.claim("tv", user.tokenVersion());
		extra.accept(builder);
		JWTClaimsSet claims = builder.build();
		JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
			.type(new JOSEObjectType(JwtSettings.TOKEN_TYPE))
			.build();
		SignedJWT jwt = new SignedJWT(header, claims);
		try {
			jwt.sign(new ECDSASigner(key));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Could not sign an access token", ex);
		}
		return new Issued(jwt.serialize(), jti, expires);
	}

}
