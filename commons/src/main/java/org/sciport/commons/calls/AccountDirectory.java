package org.sciport.commons.calls;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ServiceUnavailableException;
import org.sciport.commons.error.ValidationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Who an email address belongs to, as auth-service knows it ({@code GET /v1/directory}): asked
 * on behalf of the caller (their own credentials are passed on), for clients that name people
 * by email. Each service that needs it makes one with auth-service's base URL.
 */
public class AccountDirectory {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final WebClient client;

	private final ServiceCalls.Guard accounts;

	public AccountDirectory(URI authService, WebClient.Builder client, ServiceCalls calls) {
		this.client = client.baseUrl(authService.toString()).build();
		this.accounts = calls.to("auth-service", TIMEOUT);
	}

	/**
	 * The id of the active account with this email; a 404 naming {@code field} if there is none.
	 *
	 * @param authorization the caller's {@code Authorization} header, passed on
	 */
	public Mono<UUID> idOf(String authorization, String email, String field) {
		if (email == null || email.isBlank() || !email.contains("@") || email.length() > 320) {
			return Mono.error(new ValidationException(field, field + " must be an email address"));
		}
		return this.accounts.guard(this.client.get()
			.uri((uri) -> uri.path("/v1/directory").queryParam("email", "{email}").build(email.trim()))
			.header(HttpHeaders.AUTHORIZATION, authorization)
			.exchangeToMono((response) -> {
				if (response.statusCode().is2xxSuccessful()) {
					return response.bodyToMono(JsonNode.class).map((body) -> UUID.fromString(body.path("id").asString()));
				}
				if (response.statusCode().value() == HttpStatus.NOT_FOUND.value()) {
					return response.releaseBody()
						.then(Mono.error(new NotFoundException("No account has the email address " + email.trim())));
				}
				return response.releaseBody()
					.then(Mono.error(new ServiceUnavailableException("Accounts could not be looked up")));
			}));
	}

}
