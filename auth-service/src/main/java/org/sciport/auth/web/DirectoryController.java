package org.sciport.auth.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.sciport.auth.users.UserService;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Finds an active account by its exact email address, for the services that let a user name
 * another by email (adding a team member, sharing a dataset with one person). It answers any
 * signed-in caller with the account's id and name only; the gateway does not route it, so it is
 * asked service to service, on behalf of the caller whose token it carries.
 */
@RestController
class DirectoryController {

	private final UserService users;

	DirectoryController(UserService users) {
		this.users = users;
	}

	@GetMapping("/v1/directory")
	Mono<Map<String, Object>> lookup(@RequestParam(required = false) String email, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			AccessTokenFilter.requireCaller(exchange);
			if (email == null || email.isBlank() || email.length() > 320 || !email.contains("@")) {
				return Mono.error(new ValidationException("email", "email must be an email address"));
			}
			return this.users.findByEmail(email.trim())
				.filter((user) -> user.active())
				.switchIfEmpty(Mono.error(() -> new NotFoundException("No account has the email address " + email.trim())))
				.map((user) -> {
					Map<String, Object> entry = new LinkedHashMap<>();
					entry.put("id", user.id());
					entry.put("email", user.email());
					entry.put("name", user.name());
					return entry;
				});
		});
	}

}
