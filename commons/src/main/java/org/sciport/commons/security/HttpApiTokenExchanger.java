package org.sciport.commons.security;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.sciport.commons.calls.ServiceCalls;
import org.sciport.commons.error.AuthenticationException;
import org.sciport.commons.error.ServiceUnavailableException;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Exchanges API tokens at auth-service ({@code POST /v1/tokens/exchange}) and remembers each
 * answer for a few seconds, so a busy script costs one exchange per few seconds and a revoked
 * API token stops working within that time.
 */
public final class HttpApiTokenExchanger implements ApiTokenExchanger {

	static final Duration REMEMBER = Duration.ofSeconds(5);

	private record Remembered(String accessToken, Instant until) {
	}

	private final WebClient client;

	private final URI exchangeUri;

	private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

	private final ServiceCalls.Guard guard;

	/**
	 * @param exchangeUri auth-service's exchange endpoint
	 * @param client Boot's builder, so the calls are traced and measured
	 * @param guard the time limit and circuit breaker for calls to auth-service
	 */
	public HttpApiTokenExchanger(URI exchangeUri, WebClient.Builder client, ServiceCalls.Guard guard) {
		this.exchangeUri = exchangeUri;
		this.client = client.build();
		this.guard = guard;
	}

	@Override
	public Mono<String> exchange(String apiToken) {
		String key = digest(apiToken);
		Remembered known = this.remembered.get(key);
		if (known != null && known.until().isAfter(Instant.now())) {
			return Mono.just(known.accessToken());
		}
		return this.client.post()
			.uri(this.exchangeUri)
			.bodyValue(Map.of("token", apiToken))
			.exchangeToMono((response) -> {
				if (response.statusCode().is2xxSuccessful()) {
					return response.bodyToMono(JsonNode.class);
				}
				if (response.statusCode().value() == HttpStatus.UNAUTHORIZED.value()) {
					return response.releaseBody().then(Mono.error(new AuthenticationException("The API token is not valid")));
				}
				return response.releaseBody()
					.then(Mono.error(new ServiceUnavailableException("API tokens cannot be checked right now")));
			})
			.transform(this.guard::guard)
			.onErrorMap((ex) -> !(ex instanceof AuthenticationException || ex instanceof ServiceUnavailableException),
					(ex) -> new ServiceUnavailableException("API tokens cannot be checked right now"))
			.map((body) -> {
				String accessToken = body.path("access_token").asString();
				long expiresIn = body.path("expires_in").asLong(0);
				Duration keep = (expiresIn > 1 && Duration.ofSeconds(expiresIn - 1).compareTo(REMEMBER) < 0)
						? Duration.ofSeconds(expiresIn - 1) : REMEMBER;
				if (this.remembered.size() > 10_000) {
					this.remembered.values().removeIf((entry) -> !entry.until().isAfter(Instant.now()));
				}
				this.remembered.put(key, new Remembered(accessToken, Instant.now().plus(keep)));
				return accessToken;
			});
	}

	@Override
	public void forget(String apiToken) {
		this.remembered.remove(digest(apiToken));
	}

	private static String digest(String token) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
