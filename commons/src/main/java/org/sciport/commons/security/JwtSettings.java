package org.sciport.commons.security;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How services check access tokens ({@code sciport.security.*}).
 *
 * @param issuer the only accepted {@code iss}
 * @param audience the audience every token must name in {@code aud}
 * @param jwksUri where auth-service publishes its public keys
 * @param maxClockSkew tolerance for {@code exp} and {@code nbf}, at most 60 s
 * @param publicPaths path patterns this service answers without a token
 */
@ConfigurationProperties("sciport.security")
public record JwtSettings(@DefaultValue("https://sciport.local") String issuer, @DefaultValue("sciport") String audience,
		@DefaultValue("http://127.0.0.1:8081/.well-known/jwks.json") URI jwksUri,
		@DefaultValue("60s") Duration maxClockSkew, @DefaultValue List<String> publicPaths) {

	/** The one signing algorithm accepted: what auth-service signs with. */
	public static final String ALGORITHM = "ES256";

	/** The JOSE {@code typ} of an access token (RFC 9068). */
	public static final String TOKEN_TYPE = "at+jwt";

	public JwtSettings {
		if (maxClockSkew.compareTo(Duration.ofSeconds(60)) > 0 || maxClockSkew.isNegative()) {
			throw new IllegalArgumentException("sciport.security.max-clock-skew must be between 0 and 60s");
		}
		publicPaths = List.copyOf(publicPaths);
	}

}
