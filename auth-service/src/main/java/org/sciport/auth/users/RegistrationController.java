package org.sciport.auth.users;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Native registration: {@code POST /v1/auth/register}.
 */
@RestController
class RegistrationController {

	private final UserService users;

	RegistrationController(UserService users) {
		this.users = users;
	}

	@PostMapping("/v1/auth/register")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<User> register(@RequestBody(required = false) @Nullable Registration registration) {
		if (registration == null) {
			return Mono.error(new ValidationException(null, "A JSON body with email and password is required"));
		}
		return this.users.register(registration);
	}

}
