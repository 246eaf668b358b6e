package org.sciport.auth.web;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.auth.oidc.OidcLogins;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The OpenID Connect sign-in pages: which providers there are, the redirect to a provider,
 * and its callback, which redirects to the front end with the access token.
 */
@RestController
class OpenIdController {

	private final OidcLogins logins;

	OpenIdController(OidcLogins logins) {
		this.logins = logins;
	}

	@GetMapping("/api/users/login-providers")
	Map<String, Map<String, String>> providers() {
		return this.logins.providers();
	}

	@GetMapping("/api/users/openid/{provider}/login")
	Mono<ResponseEntity<Void>> login(@PathVariable String provider) {
		return Mono.defer(() -> this.logins.begin(provider))
			.map((location) -> ResponseEntity.status(HttpStatus.FOUND).location(location).build());
	}

	@GetMapping("/api/users/openid/{provider}/callback")
	Mono<ResponseEntity<Void>> callback(@PathVariable String provider, @RequestParam(required = false) @Nullable String code,
			@RequestParam(required = false) @Nullable String state, @RequestParam(required = false) @Nullable String error) {
		return Mono.defer(() -> this.logins.complete(provider, code, state, error))
			.map((location) -> ResponseEntity.status(HttpStatus.FOUND).location(location).build());
	}

}
