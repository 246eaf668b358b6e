package org.sciport.auth.oidc;

import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.micrometer.context.ContextSnapshot;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.sciport.auth.tokens.Sessions;
import org.sciport.auth.users.Registration;
import org.sciport.auth.users.User;
import org.sciport.auth.users.UserService;
import org.sciport.commons.error.AuthenticationException;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ServiceUnavailableException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.web.RequestIdLogging;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

/**
 * Sign-in through an OpenID Connect provider: the authorization-code flow with PKCE
 * ({@code S256}), {@code state} and {@code nonce}. The ID token is checked as strictly as an
 * access token (asymmetric algorithms only, the provider's keys, {@code iss}, {@code aud},
 * {@code exp}, the nonce). The identity is linked to an account on first sight: to the account
 * with the same email if the provider vouches for that email, to a new account otherwise.
 */
@Service
public class OidcLogins {

	private static final Log logger = LogFactory.getLog(OidcLogins.class);

	private static final Duration LOGIN_WINDOW = Duration.ofMinutes(10);

	private static final Set<JWSAlgorithm> ID_TOKEN_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
			JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.ES256, JWSAlgorithm.ES384);

	private final SecureRandom random = new SecureRandom();

	private final OidcProperties properties;

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final UserService users;

	private final Sessions sessions;

	private final WebClient http = WebClient.builder().build();

	private final Map<String, Mono<Discovery>> discoveries = new ConcurrentHashMap<>();

	private final Map<String, JWKSource<SecurityContext>> keys = new ConcurrentHashMap<>();

	OidcLogins(OidcProperties properties, DatabaseClient database, TransactionalOperator transactions, UserService users,
			Sessions sessions) {
		this.properties = properties;
		this.database = database;
		this.transactions = transactions;
		this.users = users;
		this.sessions = sessions;
	}

	private record Discovery(String issuer, URI authorizationEndpoint, URI tokenEndpoint, URI jwksUri) {
	}

	/**
	 * The providers as the login page lists them: {@code {"openid": {name: description}}}.
	 */
	public Map<String, Map<String, String>> providers() {
		Map<String, String> openid = new LinkedHashMap<>();
		this.properties.providers().entrySet().stream().sorted(Map.Entry.comparingByKey())
			.forEach((entry) -> openid.put(entry.getKey(),
					entry.getValue().description().isBlank() ? entry.getKey() : entry.getValue().description()));
		return Map.of("openid", openid);
	}

	/**
	 * Starts a sign-in: remembers state, nonce and PKCE verifier, and answers where to send the
	 * browser.
	 */
	public Mono<URI> begin(String providerName) {
		OidcProperties.Provider provider = provider(providerName);
		String state = randomToken();
		String nonce = randomToken();
		String verifier = randomToken() + randomToken();
		return discovery(providerName, provider)
			.flatMap((discovery) -> this.database
				.sql("INSERT INTO oidc_login (state, provider, nonce, code_verifier) VALUES (:state, :provider, :nonce, :verifier)")
				.bind("state", state)
				.bind("provider", providerName)
				.bind("nonce", nonce)
				.bind("verifier", verifier)
				.then()
				.thenReturn(UriComponentsBuilder.fromUri(discovery.authorizationEndpoint())
					.queryParam("response_type", "code")
					.queryParam("client_id", provider.clientId())
					.queryParam("redirect_uri", callbackUrl(providerName))
					.queryParam("scope", provider.scopes())
					.queryParam("state", state)
					.queryParam("nonce", nonce)
					.queryParam("code_challenge", challenge(verifier))
					.queryParam("code_challenge_method", "S256")
					.encode()
					.build()
					.toUri()));
	}

	/**
	 * Completes a sign-in from the provider's callback; answers where to send the browser, with
	 * the new access token as {@code token}.
	 */
	public Mono<URI> complete(String providerName, @Nullable String code, @Nullable String state,
			@Nullable String error) {
		OidcProperties.Provider provider = provider(providerName);
		if (error != null) {
			return Mono.error(new AuthenticationException("The provider did not sign the user in: "
					+ error.replaceAll("[^A-Za-z0-9_ .-]", "").substring(0, Math.min(error.length(), 100))));
		}
		if (code == null || code.isBlank() || state == null || state.isBlank()) {
			return Mono.error(new ValidationException(code == null || code.isBlank() ? "code" : "state",
					"the provider's answer lacks a code or state"));
		}
		return this.database
			.sql("DELETE FROM oidc_login WHERE state = :state AND provider = :provider "
					+ "AND created_at > now() - make_interval(secs => :window) RETURNING nonce, code_verifier")
			.bind("state", state)
			.bind("provider", providerName)
			.bind("window", (double) LOGIN_WINDOW.toSeconds())
			.map((row) -> new String[] { row.get("nonce", String.class), row.get("code_verifier", String.class) })
			.one()
			.switchIfEmpty(Mono.error(() -> new ValidationException("state",
					"This sign-in expired or was already completed; start again")))
			.zipWith(discovery(providerName, provider))
			.flatMap((pending) -> redeem(providerName, provider, pending.getT2(), code, pending.getT1()[1])
				.flatMap((idToken) -> verify(providerName, provider, pending.getT2(), idToken, pending.getT1()[0])))
			.flatMap((claims) -> link(providerName, claims))
			.flatMap(this.sessions::startFor)
			.map((session) -> UriComponentsBuilder.fromUri(this.properties.frontendUrl())
				.queryParam("token", session.accessToken())
				.build()
				.toUri());
	}

	private Mono<String> redeem(String providerName, OidcProperties.Provider provider, Discovery discovery, String code,
			String verifier) {
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("grant_type", "authorization_code");
		form.add("code", code);
		form.add("redirect_uri", callbackUrl(providerName));
		form.add("client_id", provider.clientId());
		form.add("client_secret", provider.clientSecret());
		form.add("code_verifier", verifier);
		return this.http.post()
			.uri(discovery.tokenEndpoint())
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.accept(MediaType.APPLICATION_JSON)
			.body(BodyInserters.fromFormData(form))
			.exchangeToMono((response) -> response.statusCode().is2xxSuccessful() ? response.bodyToMono(JsonNode.class)
					: response.releaseBody().then(Mono.error(new AuthenticationException("The provider refused the sign-in"))))
			.timeout(Duration.ofSeconds(10))
			.onErrorMap((ex) -> !(ex instanceof AuthenticationException),
					(ex) -> new ServiceUnavailableException(providerName + " cannot be reached right now"))
			.map((body) -> body.path("id_token").asString(""))
			.filter((idToken) -> !idToken.isBlank())
			.switchIfEmpty(Mono.error(() -> new AuthenticationException("The provider returned no ID token")));
	}

	private Mono<JWTClaimsSet> verify(String providerName, OidcProperties.Provider provider, Discovery discovery,
			String idToken, String nonce) {
		return Mono.deferContextual((context) -> Mono.fromCallable(() -> {
			DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
			processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ID_TOKEN_ALGORITHMS, keys(providerName, discovery)));
			DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(provider.clientId(),
					new JWTClaimsSet.Builder().issuer(discovery.issuer()).claim("nonce", nonce).build(),
					Set.of("sub", "iat", "exp"));
			claims.setMaxClockSkew(60);
			processor.setJWTClaimsSetVerifier(claims);
			try {
				return processor.process(idToken, null);
			}
			catch (Exception ex) {
				try (ContextSnapshot.Scope scope = RequestIdLogging.scope(context)) {
					logger.warn("Refused an ID token from " + providerName + ": " + ex.getMessage());
				}
				throw new AuthenticationException("The provider's ID token is not valid");
			}
		})).subscribeOn(Schedulers.boundedElastic());
	}

	private Mono<User> link(String providerName, JWTClaimsSet claims) {
		String subject = claims.getSubject();
		String email = stringClaim(claims, "email");
		boolean emailVerified = Boolean.TRUE.equals(booleanClaim(claims, "email_verified"));
		String name = stringClaim(claims, "name");
		Mono<User> linked = this.database
			.sql("SELECT user_id FROM oidc_identity WHERE provider = :provider AND subject = :subject")
			.bind("provider", providerName)
			.bind("subject", subject)
			.map((row) -> row.get("user_id", UUID.class))
			.one()
			.flatMap(this.users::findById);
		Mono<User> byEmail = (email != null && emailVerified) ? this.users.findByEmail(email) : Mono.empty();
		// An email the provider does not vouch for is not used: it could be someone else's.
		String accountEmail = (email != null && emailVerified) ? email
				: subject.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-") + "@"
						+ providerName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-") + ".oidc.invalid";
		Mono<User> created = Mono.defer(() -> this.users.create(new Registration(accountEmail,
				randomToken() + randomToken(), name), "user"));
		Mono<User> firstSight = byEmail.switchIfEmpty(created)
			.flatMap((user) -> this.database
				.sql("INSERT INTO oidc_identity (provider, subject, user_id) VALUES (:provider, :subject, :user)")
				.bind("provider", providerName)
				.bind("subject", subject)
				.bind("user", user.id())
				.then()
				.thenReturn(user));
		return linked.switchIfEmpty(Mono.defer(() -> this.transactions.transactional(firstSight)))
			.flatMap((user) -> user.active() ? Mono.just(user)
					: Mono.error(new AuthenticationException("The account is deactivated")));
	}

	private Mono<Discovery> discovery(String name, OidcProperties.Provider provider) {
		return this.discoveries.computeIfAbsent(name, (key) -> this.http.get()
			.uri(provider.issuerUri() + "/.well-known/openid-configuration")
			.retrieve()
			.bodyToMono(JsonNode.class)
			.timeout(Duration.ofSeconds(10))
			.map((document) -> new Discovery(document.path("issuer").asString(),
					URI.create(document.path("authorization_endpoint").asString()),
					URI.create(document.path("token_endpoint").asString()), URI.create(document.path("jwks_uri").asString())))
			.onErrorMap((ex) -> new ServiceUnavailableException(name + " cannot be reached right now"))
			// Remembered for an hour once read; a failure is not remembered.
			.cache((ok) -> Duration.ofHours(1), (ex) -> Duration.ZERO, () -> Duration.ZERO));
	}

	private JWKSource<SecurityContext> keys(String name, Discovery discovery) {
		return this.keys.computeIfAbsent(name, (key) -> {
			try {
				return JWKSourceBuilder.create(discovery.jwksUri().toURL()).retrying(true).build();
			}
			catch (MalformedURLException ex) {
				throw new IllegalStateException("Invalid jwks_uri of " + name, ex);
			}
		});
	}

	private OidcProperties.Provider provider(String name) {
		OidcProperties.Provider provider = this.properties.providers().get(name);
		if (provider == null) {
			throw new NotFoundException("No such sign-in provider");
		}
		return provider;
	}

	private String callbackUrl(String provider) {
		return this.properties.callbackBaseUrl().replaceAll("/+$", "") + "/api/users/openid/" + provider + "/callback";
	}

	private String randomToken() {
		byte[] bytes = new byte[24];
		this.random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	private static String challenge(String verifier) {
		try {
			return Base64.getUrlEncoder().withoutPadding().encodeToString(
					MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static @Nullable String stringClaim(JWTClaimsSet claims, String name) {
		Object value = claims.getClaim(name);
		return (value instanceof String text && !text.isBlank()) ? text : null;
	}

	private static @Nullable Boolean booleanClaim(JWTClaimsSet claims, String name) {
		Object value = claims.getClaim(name);
		if (value instanceof Boolean bool) {
			return bool;
		}
		return (value instanceof String text) ? Boolean.valueOf(text) : null;
	}

}
