package org.sciport.auth.web;

import java.util.List;
import java.util.Map;

import org.sciport.auth.tokens.Sessions;
import org.sciport.auth.users.Registration;
import org.sciport.auth.users.UserService;
import org.sciport.commons.error.AuthenticationException;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.web.ClientAddresses;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The instrument-harvester surface's accounts ({@code /auth/register}, {@code /auth/jwt/login}),
 * in the shapes its clients expect: a form login answering {@code {access_token, token_type}},
 * and errors as {@code {detail}}.
 */
@RestController
class FormLoginController {

	private final Sessions sessions;

	private final UserService users;

	private final ClientAddresses clientAddresses;

	FormLoginController(Sessions sessions, UserService users, ClientAddresses clientAddresses) {
		this.clientAddresses = clientAddresses;
		this.sessions = sessions;
		this.users = users;
	}

	@PostMapping(path = "/auth/jwt/login", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
	Mono<ResponseEntity<Map<String, Object>>> login(ServerWebExchange exchange) {
		return exchange.getFormData().flatMap((form) -> {
			String username = first(form, "username");
			String password = first(form, "password");
			if (username.isBlank() || password.isEmpty()) {
				return Mono.just(missing(username.isBlank() ? "username" : "password"));
			}
			return this.sessions.login(username, password, this.clientAddresses.of(exchange))
				.map((session) -> ResponseEntity.ok()
					.<Map<String, Object>>body(Map.of("access_token", session.accessToken(), "token_type", "bearer")))
				.onErrorResume(AuthenticationException.class,
						(ex) -> Mono.just(detail(HttpStatus.BAD_REQUEST, "LOGIN_BAD_CREDENTIALS")));
		});
	}

	/**
	 * A registration on this surface.
	 *
	 * @param email the email
	 * @param password the password
	 */
	record FormRegistration(String email, String password) {
	}

	@PostMapping("/auth/register")
	Mono<ResponseEntity<Map<String, Object>>> register(@RequestBody FormRegistration request) {
		return this.users.register(new Registration(request.email(), request.password(), null))
			.map((user) -> ResponseEntity.status(HttpStatus.CREATED)
				.<Map<String, Object>>body(Map.of("id", user.id().toString(), "email", user.email(), "is_active",
						user.active(), "is_superuser", "admin".equals(user.role()), "is_verified", false)))
			.onErrorResume(ConflictException.class,
					(ex) -> Mono.just(detail(HttpStatus.BAD_REQUEST, "REGISTER_USER_ALREADY_EXISTS")))
			.onErrorResume(ValidationException.class, (ex) -> Mono.just("password".equals(ex.field())
					? ResponseEntity.badRequest()
						.<Map<String, Object>>body(Map.of("detail",
								Map.of("code", "REGISTER_INVALID_PASSWORD", "reason", ex.getMessage())))
					: missing(ex.field() != null ? ex.field() : "body")));
	}

	private static String first(MultiValueMap<String, String> form, String name) {
		String value = form.getFirst(name);
		return (value != null) ? value : "";
	}

	private static ResponseEntity<Map<String, Object>> detail(HttpStatus status, String detail) {
		return ResponseEntity.status(status).body(Map.of("detail", detail));
	}

	private static ResponseEntity<Map<String, Object>> missing(String field) {
		return ResponseEntity.unprocessableEntity()
			.body(Map.of("detail", List.of(Map.of("loc", List.of("body", field), "msg", "field required",
					"type", "value_error.missing"))));
	}

}
