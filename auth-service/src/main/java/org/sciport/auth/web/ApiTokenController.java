package org.sciport.auth.web;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.auth.tokens.ApiTokens;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.page.Page;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code /v1/tokens}: the caller's API tokens, and the exchange of an API token for a
 * short-lived access token.
 */
@RestController
class ApiTokenController {

	private final ApiTokens tokens;

	private final NativeAuthController nativeApi;

	ApiTokenController(ApiTokens tokens, NativeAuthController nativeApi) {
		this.tokens = tokens;
		this.nativeApi = nativeApi;
	}

	/**
	 * A new API token.
	 *
	 * @param name what it is for
	 * @param duration how long it lives, e.g. {@code 720h} (default 30 days, at most 366)
	 * @param scopes what it may be used for (default: everything its owner may do)
	 */
	record NewToken(@Nullable String name, @Nullable String duration, @Nullable List<String> scopes) {
	}

	/**
	 * An exchange.
	 *
	 * @param token the API token
	 */
	record Exchange(@Nullable String token) {
	}

	/**
	 * The exchanged access token.
	 *
	 * @param accessToken the access token
	 * @param tokenType always {@code Bearer}
	 * @param expiresIn seconds until it expires
	 */
	record Exchanged(String accessToken, String tokenType, long expiresIn) {
	}

	@PostMapping("/v1/tokens")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<ApiTokens.CreatedApiToken> create(@RequestBody(required = false) @Nullable NewToken request,
			ServerWebExchange exchange) {
		NewToken body = (request != null) ? request : new NewToken(null, null, null);
		Caller caller = AccessTokenFilter.requireCaller(exchange);
		return this.nativeApi.currentUser(caller)
			.flatMap((user) -> this.tokens.create(user.id(), body.name(), body.duration(), body.scopes(),
					caller.scopes()));
	}

	@GetMapping("/v1/tokens")
	Mono<Page<ApiTokens.ApiToken>> list(ServerWebExchange exchange) {
		PageRequest.requireKnown(exchange.getRequest().getQueryParams(), List.of("page", "per_page"));
		PageRequest page = PageRequest.from(exchange.getRequest().getQueryParams());
		String query = exchange.getRequest().getURI().getRawQuery();
		String path = exchange.getRequest().getURI().getRawPath() + ((query != null) ? "?" + query : "");
		return this.nativeApi.currentUser(AccessTokenFilter.requireCaller(exchange))
			.flatMap((user) -> this.tokens.list(user.id(), page, path));
	}

	@DeleteMapping("/v1/tokens/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> revoke(@PathVariable String id, ServerWebExchange exchange) {
		UUID tokenId;
		try {
			tokenId = UUID.fromString(id);
		}
		catch (IllegalArgumentException ex) {
			return Mono.error(new NotFoundException("No such API token"));
		}
		return this.nativeApi.currentUser(AccessTokenFilter.requireCaller(exchange))
			.flatMap((user) -> this.tokens.revoke(user.id(), tokenId));
	}

	@PostMapping("/v1/tokens/exchange")
	Mono<Exchanged> exchange(@RequestBody(required = false) @Nullable Exchange request) {
		return this.tokens.exchange((request != null) ? request.token() : null)
			.map((issued) -> new Exchanged(issued.token(), "Bearer",
					Math.max(1, java.time.Duration.between(java.time.Instant.now(), issued.expiresAt()).toSeconds())));
	}

}
