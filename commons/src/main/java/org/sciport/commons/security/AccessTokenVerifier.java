package org.sciport.commons.security;

import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import org.sciport.commons.error.AuthenticationException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Verifies an access token as RFC 8725 asks: the algorithm is fixed (ES256 only; {@code none}
 * and HMAC are refused), the key is chosen by {@code kid} from auth-service's published keys
 * (fetched again, rate-limited, when an unknown {@code kid} appears), {@code typ} must be
 * {@code at+jwt}, {@code iss} and {@code aud} must match, and {@code exp}/{@code nbf} are
 * checked with at most the configured skew.
 */
public final class AccessTokenVerifier {

	private static final int REMEMBERED = 10_000;

	private final DefaultJWTProcessor<SecurityContext> processor;

	/**
	 * Tokens already verified, until they expire: a token cannot change, so its signature need
	 * not be checked on every request. Revocation is checked on every request, after this.
	 */
	private final java.util.Map<String, Caller> verified = new java.util.concurrent.ConcurrentHashMap<>();

	public AccessTokenVerifier(JWKSource<SecurityContext> keys, JwtSettings settings) {
		DefaultJWTProcessor<SecurityContext> jwtProcessor = new DefaultJWTProcessor<>();
		jwtProcessor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType(JwtSettings.TOKEN_TYPE)));
		jwtProcessor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.parse(JwtSettings.ALGORITHM), keys));
		DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(settings.audience(),
				new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), Set.of("sub", "exp", "iat", "nbf", "jti"));
		claims.setMaxClockSkew((int) settings.maxClockSkew().toSeconds());
		jwtProcessor.setJWTClaimsSetVerifier(claims);
		this.processor = jwtProcessor;
	}

	/**
	 * The caller a token stands for, or an {@link AuthenticationException} that says only that
	 * the token was not accepted (the reason goes no further than this process).
	 */
	public Mono<Caller> verify(String token) {
		Caller known = this.verified.get(token);
		if (known != null && known.expiresAt().isAfter(Instant.now())) {
			return Mono.just(known);
		}
		// Fetching keys may block on the network: never on the event loop.
		return Mono.fromCallable(() -> remember(token, verifyNow(token))).subscribeOn(Schedulers.boundedElastic());
	}

	private Caller remember(String token, Caller caller) {
		if (this.verified.size() >= REMEMBERED) {
			Instant now = Instant.now();
			this.verified.values().removeIf((entry) -> !entry.expiresAt().isAfter(now));
			if (this.verified.size() >= REMEMBERED) {
				this.verified.clear();
			}
		}
		this.verified.put(token, caller);
		return caller;
	}

	Caller verifyNow(String token) {
		try {
			JWTClaimsSet claims = this.processor.process(token, null);
			List<String> roles = claims.getStringListClaim("roles");
			String plan = claims.getStringClaim("plan");
			Instant expires = claims.getExpirationTime().toInstant();
			String scope = claims.getStringClaim("scope");
			List<String> scopes = (scope == null || scope.isBlank()) ? List.of()
					: List.of(scope.trim().split("\\s+"));
			Long version = claims.getLongClaim("tv");
			return new Caller(claims.getSubject(), (roles != null) ? roles : List.of(), (plan != null) ? plan : "free",
					claims.getJWTID(), expires, claims.getStringClaim("sid"), claims.getIssueTime().toInstant(), scopes,
					claims.getStringClaim("api_token"), (version != null) ? version : 0, claims.getStringClaim("email"));
		}
		catch (ExpiredJWTException ex) {
			// Raised only after the signature held: the token is genuine, its time is over.
			throw AuthenticationException.expired("The access token has expired");
		}
		catch (ParseException | BadJOSEException | JOSEException | RuntimeException ex) {
			throw new AuthenticationException("The access token is not valid");
		}
	}

}
