package org.sciport.auth.bootstrap;

import java.time.Duration;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.sciport.auth.tokens.ApiTokens;
import org.sciport.auth.users.AuthProperties;
import org.sciport.auth.users.Registration;
import org.sciport.auth.users.UserService;
import org.sciport.commons.error.ConflictException;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Creates the bootstrap administrator from {@code sciport.auth.admin.*} when no account with
 * that email exists. Runs once per start, before the service reports ready; an existing
 * account is left exactly as it is (its password is not reset).
 */
@Component
class AdminBootstrap implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(AdminBootstrap.class);

	/** The name under which the service credential is registered. */
	static final String SERVICE_CREDENTIAL = "service credential (sciport.auth.admin.service-token)";

	private final UserService users;

	private final AuthProperties properties;

	private final ApiTokens tokens;

	AdminBootstrap(UserService users, AuthProperties properties, ApiTokens tokens) {
		this.tokens = tokens;
		this.users = users;
		this.properties = properties;
	}

	@Override
	public void run(ApplicationArguments args) {
		AuthProperties.Admin admin = this.properties.admin();
		if (admin.password().isEmpty()) {
			logger.info("No bootstrap administrator password configured; none created");
			return;
		}
		// Start-up is not an event loop: waiting here keeps the service unready until the
		// administrator exists.
		this.users.findByEmail(admin.email())
			.map((existing) -> false)
			.switchIfEmpty(Mono.defer(() -> this.users
				.create(new Registration(admin.email(), admin.password(), "Administrator"), "admin")
				.map((created) -> true)))
			.onErrorResume(ConflictException.class, (ex) -> Mono.just(false))
			.doOnNext((created) -> {
				if (created) {
					logger.info("Created the bootstrap administrator " + admin.email());
				}
			})
			.block(Duration.ofSeconds(60));
		if (!admin.serviceToken().isEmpty()) {
			this.users.findByEmail(admin.email())
				.flatMap((account) -> this.tokens.register(account.id(), SERVICE_CREDENTIAL, admin.serviceToken(),
						List.of("admin", "harvest:read", "datasets:read")))
				.block(Duration.ofSeconds(60));
			logger.info("Registered the service credential of " + admin.email());
		}
	}

}
