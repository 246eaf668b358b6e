package org.sciport.commons.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.docs.ApiDocument;
import org.sciport.commons.error.AuthenticationException;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.commons.error.ValidationException;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * Requires a valid access token on every path but the service's public ones. The token comes
 * from {@code Authorization: Bearer} or, for seed 004's clients, {@code x-access-token}. The
 * verified {@link Caller} is available to handlers through {@link #caller(ServerWebExchange)}.
 */
public final class AccessTokenFilter implements WebFilter, Ordered {

	/** The header seed 004's clients send their token in. */
	public static final String ACCESS_TOKEN_HEADER = "x-access-token";

	/**
	 * The header with which an administrator's credential reads as another user (a service
	 * doing a user's work, such as workflow-service staging a run's inputs): its value is the
	 * user's id, and the request is then checked as that user's, a regular one, for reading
	 * ({@code GET} and {@code HEAD}) only. The gateway removes it from clients' requests
	 * ({@code X-Sciport-*}), so only the services send it to each other.
	 */
	public static final String ACTING_FOR_HEADER = "X-Sciport-Acting-For";

	private static final String CALLER = AccessTokenFilter.class.getName() + ".caller";

	private final AccessTokenVerifier verifier;

	private final List<PathPattern> publicPaths;

	private final @Nullable RevokedTokens revoked;

	private final @Nullable ApiTokenExchanger apiTokens;

	public AccessTokenFilter(AccessTokenVerifier verifier, List<String> publicPaths) {
		this(verifier, publicPaths, null, null);
	}

	/**
	 * A filter that also refuses tokens found in {@code revoked}.
	 */
	public AccessTokenFilter(AccessTokenVerifier verifier, List<String> publicPaths, @Nullable RevokedTokens revoked,
			@Nullable ApiTokenExchanger apiTokens) {
		this.verifier = verifier;
		this.revoked = revoked;
		this.apiTokens = apiTokens;
		List<PathPattern> patterns = new ArrayList<>();
		patterns.add(PathPatternParser.defaultInstance.parse("/actuator/**"));
		patterns.add(PathPatternParser.defaultInstance.parse(ApiDocument.PATH + "/**"));
		for (String path : publicPaths) {
			patterns.add(PathPatternParser.defaultInstance.parse(path));
		}
		this.publicPaths = List.copyOf(patterns);
	}

	@Override
	public int getOrder() {
		// Right after the request id, before anything that reads the body.
		return Ordered.HIGHEST_PRECEDENCE + 10;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
		if (this.publicPaths.stream().anyMatch((pattern) -> pattern.matches(path))) {
			return chain.filter(exchange);
		}
		String token = token(exchange.getRequest().getHeaders());
		if (token == null) {
			challenge(exchange);
			return Mono.error(AuthenticationException.missing("An access token is required"));
		}
		if (token.startsWith(ApiTokenExchanger.PREFIX)) {
			if (this.apiTokens == null) {
				challenge(exchange);
				return Mono.error(new AuthenticationException("API tokens are not accepted here"));
			}
			// An API token becomes a short-lived access token, which is checked like any other
			// and is what the request carries on: services behind see a plain JWT.
			ApiTokenExchanger exchanger = this.apiTokens;
			// A remembered exchange may have been ended since (a role change); one fresh exchange
			// then tells whether the API token itself still stands.
			Mono<String> exchanged = exchanger.exchange(token)
				.filterWhen((accessToken) -> verified(accessToken).thenReturn(true)
					.onErrorResume(AuthenticationException.class, (ex) -> {
						exchanger.forget(token);
						return Mono.just(false);
					}))
				.switchIfEmpty(Mono.defer(() -> exchanger.exchange(token)));
			return exchanged
				.flatMap((accessToken) -> verified(accessToken).map((caller) -> {
					ServerWebExchange carried = exchange.mutate()
						.request((request) -> request.headers((headers) -> {
							headers.remove(ACCESS_TOKEN_HEADER);
							headers.setBearerAuth(accessToken);
						}))
						.build();
					carried.getAttributes().put(CALLER, caller);
					return carried;
				}))
				.doOnError(AuthenticationException.class, (ex) -> challenge(exchange))
				.flatMap((carried) -> withinScopes(carried).then(actingFor(carried)).then(chain.filter(carried)));
		}
		return verified(token)
			.doOnError(AuthenticationException.class, (ex) -> challenge(exchange))
			.flatMap((caller) -> {
				exchange.getAttributes().put(CALLER, caller);
				return withinScopes(exchange).then(actingFor(exchange)).then(chain.filter(exchange));
			});
	}

	private Mono<Caller> verified(String token) {
		return this.verifier.verify(token)
			.flatMap((caller) -> (this.revoked != null && this.revoked.isRevoked(caller))
					? Mono.<Caller>error(new AuthenticationException("The access token was revoked")) : Mono.just(caller));
	}

	/**
	 * Refuses a scoped token a request its scopes do not cover (RFC 6750's
	 * {@code insufficient_scope}), before anything reads the body.
	 */
	private static Mono<Void> withinScopes(ServerWebExchange exchange) {
		Caller caller = requireCaller(exchange);
		HttpMethod method = exchange.getRequest().getMethod();
		PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
		if (Scopes.allows(caller, method, path)) {
			return Mono.empty();
		}
		String needed = Scopes.required(method, path);
		exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\""
				+ ((needed != null) ? ", scope=\"" + needed + "\"" : ""));
		return Mono.error(new PermissionDeniedException((needed != null)
				? "This token's scopes do not include " + needed : "This token's scopes do not cover this path"));
	}

	/** With {@link #ACTING_FOR_HEADER}: the caller becomes that user, if it may read as them. */
	private static Mono<Void> actingFor(ServerWebExchange exchange) {
		String user = exchange.getRequest().getHeaders().getFirst(ACTING_FOR_HEADER);
		if (user == null) {
			return Mono.empty();
		}
		Caller caller = requireCaller(exchange);
		if (!caller.isAdmin()) {
			return Mono.error(new PermissionDeniedException("Only an administrator's credential may act for another user"));
		}
		HttpMethod method = exchange.getRequest().getMethod();
		if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
			return Mono.error(new PermissionDeniedException("Acting for another user is for reading only"));
		}
		UUID id;
		try {
			id = UUID.fromString(user.trim());
		}
		catch (IllegalArgumentException ex) {
			return Mono.error(new ValidationException(ACTING_FOR_HEADER, ACTING_FOR_HEADER + " must be a user's id"));
		}
		exchange.getAttributes().put(CALLER, caller.actingFor(id.toString()));
		return Mono.empty();
	}

	/**
	 * The verified caller of a request that passed this filter.
	 */
	public static Optional<Caller> caller(ServerWebExchange exchange) {
		return Optional.ofNullable(exchange.getAttribute(CALLER));
	}

	/**
	 * The verified caller, or an authentication error if the request has none.
	 */
	public static Caller requireCaller(ServerWebExchange exchange) {
		return caller(exchange).orElseThrow(() -> AuthenticationException.missing("An access token is required"));
	}

	static @Nullable String token(HttpHeaders headers) {
		String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
		if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			String value = authorization.substring(7).trim();
			return value.isEmpty() ? null : value;
		}
		String header = headers.getFirst(ACCESS_TOKEN_HEADER);
		return (header != null && !header.isBlank()) ? header.trim() : null;
	}

	private static void challenge(ServerWebExchange exchange) {
		exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
	}

}
