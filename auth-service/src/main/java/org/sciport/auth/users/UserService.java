package org.sciport.auth.users;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import io.r2dbc.spi.Readable;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.AuthenticationException;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.security.AuthEvents;
import org.sciport.commons.web.RequestIdLogging;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Creates and reads user accounts. Every account change is announced on {@code sciport.auth}
 * through the outbox, in the same transaction as the change.
 */
@Service
public class UserService {

	private static final Log logger = LogFactory.getLog(UserService.class);

	private static final String SOURCE = "/sciport/auth-service";

	private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");

	private static final int MAX_EMAIL = 254;

	private static final int MAX_NAME = 200;

	private static final int MAX_PASSWORD = 128;

	private final DatabaseClient databaseClient;

	private final TransactionalOperator transactionalOperator;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	private final String unknownUserHash;

	private final AuthProperties properties;

	private final BCryptPasswordEncoder passwordEncoder;

	public UserService(DatabaseClient databaseClient, TransactionalOperator transactionalOperator, OutboxWriter outbox,
			CloudEventCodec codec, AuthProperties properties) {
		this.databaseClient = databaseClient;
		this.transactionalOperator = transactionalOperator;
		this.outbox = outbox;
		this.codec = codec;
		this.properties = properties;
		this.passwordEncoder = new BCryptPasswordEncoder(properties.password().bcryptCost());
		// Compared against when the email is unknown, at the same cost as a real hash.
		this.unknownUserHash = this.passwordEncoder.encode(UUID.randomUUID().toString());
	}

	/**
	 * Registers an ordinary user.
	 */
	public Mono<User> register(Registration registration) {
		return create(registration, "user");
	}

	/**
	 * Creates an account with the given role after checking email, name and password policy.
	 * Fails with a conflict if the email is taken (compared case-insensitively).
	 */
	public Mono<User> create(Registration registration, String role) {
		String email = validEmail(registration.email());
		String password = validPassword(registration.password(), email);
		String name = validName(registration.name(), email);
		// bcrypt is deliberately slow CPU work: keep it off the event loop.
		return Mono.fromCallable(() -> this.passwordEncoder.encode(password))
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap((hash) -> insert(new User(UUID.randomUUID(), email, name, role, "free", true, Instant.now(), 0), hash))
			.flatMap((user) -> RequestIdLogging.log(() -> logger.info("Account " + user.id() + " created with role "
					+ user.role())).thenReturn(user));
	}

	/**
	 * Finds an account by email, case-insensitively.
	 */
	public Mono<User> findByEmail(String email) {
		return this.databaseClient.sql("SELECT * FROM app_user WHERE email_key = :key")
			.bind("key", email.trim().toLowerCase(Locale.ROOT))
			.map(UserService::user)
			.one();
	}

	/**
	 * The active account with this email and password. Every failure (unknown email, wrong
	 * password, deactivated account) is the same {@link AuthenticationException}, and an unknown
	 * email costs the same password check as a known one, so neither the answer nor its timing
	 * tells whether an account exists.
	 */
	public Mono<User> authenticate(String email, String password) {
		Mono<Optional<Credentials>> found = this.databaseClient
			.sql("SELECT * FROM app_user WHERE email_key = :key")
			.bind("key", email.trim().toLowerCase(Locale.ROOT))
			.map((row) -> Optional.of(new Credentials(user(row),
					row.get("password_hash", String.class))))
			.one()
			.defaultIfEmpty(Optional.empty());
		return found.publishOn(Schedulers.boundedElastic()).map((candidate) -> {
			String hash = candidate.map(Credentials::passwordHash).filter((h) -> h != null && !h.isEmpty())
				.orElse(this.unknownUserHash);
			boolean matches = this.passwordEncoder.matches(password, hash);
			if (candidate.isEmpty() || !matches || !candidate.get().user().active()) {
				throw new AuthenticationException("Invalid email or password");
			}
			return candidate.get().user();
		});
	}

	private record Credentials(User user, @Nullable String passwordHash) {
	}

	private static User user(Readable row) {
		Long version = row.get("token_version", Long.class);
		return new User(row.get("id", UUID.class), row.get("email", String.class), row.get("name", String.class),
				row.get("role", String.class), row.get("plan", String.class),
				Boolean.TRUE.equals(row.get("active", Boolean.class)), row.get("created_at", Instant.class),
				(version != null) ? version : 0);
	}

	/**
	 * Finds an account by id.
	 */
	public Mono<User> findById(UUID id) {
		return this.databaseClient.sql("SELECT * FROM app_user WHERE id = :id")
			.bind("id", id)
			.map(UserService::user)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("No such user")));
	}

	private Mono<User> insert(User user, String passwordHash) {
		Mono<Void> row = this.databaseClient
			.sql("INSERT INTO app_user (id, email, email_key, name, password_hash, role, plan, active, created_at, updated_at) "
					+ "VALUES (:id, :email, :key, :name, :hash, :role, :plan, TRUE, :created, :created)")
			.bind("id", user.id())
			.bind("email", user.email())
			.bind("key", user.email().toLowerCase(Locale.ROOT))
			.bind("name", user.name())
			.bind("hash", passwordHash)
			.bind("role", user.role())
			.bind("plan", user.plan())
			.bind("created", user.createdAt())
			.then();
		return this.transactionalOperator.transactional(row.then(this.outbox.append(Topics.AUTH, registered(user))))
			.onErrorMap(DuplicateKeyException.class,
					(ex) -> new ConflictException("An account with this email already exists"))
			.thenReturn(user);
	}

	private CloudEvent registered(User user) {
		return CloudEvent.create(SOURCE, AuthEvents.UserRegistered.TYPE, user.id().toString(), this.codec.toData(
				new AuthEvents.UserRegistered(user.id().toString(), user.name(), user.role(), user.plan())));
	}

	private static final java.util.Set<String> ROLES = java.util.Set.of("admin", "user");

	private static final java.util.Set<String> PLANS = java.util.Set.of("free", "professional", "enterprise");

	/**
	 * A page of accounts, oldest first.
	 */
	public Mono<org.sciport.commons.page.Page<User>> list(org.sciport.commons.page.PageRequest page, String basePath) {
		Mono<Long> total = this.databaseClient.sql("SELECT count(*) AS n FROM app_user")
			.map((row) -> row.get("n", Long.class))
			.one();
		Mono<java.util.List<User>> users = this.databaseClient
			.sql("SELECT * FROM app_user ORDER BY created_at, id LIMIT :limit OFFSET :offset")
			.bind("limit", page.perPage())
			.bind("offset", page.offset())
			.map(UserService::user)
			.all()
			.collectList();
		return Mono.zip(users, total).map((both) -> org.sciport.commons.page.Page.of(both.getT1(), both.getT2(), page,
				basePath));
	}

	/**
	 * An administrator's change to an account: any of role, plan and active. Deactivating ends
	 * the account's sessions and announces it, so every verifier refuses its tokens at once.
	 */
	public Mono<User> administer(UUID id, @Nullable String role, @Nullable String plan, @Nullable Boolean active,
			UUID administrator) {
		if (role != null && !ROLES.contains(role)) {
			return Mono.error(new ValidationException("role", "role must be one of " + ROLES));
		}
		if (plan != null && !PLANS.contains(plan)) {
			return Mono.error(new ValidationException("plan", "plan must be one of " + PLANS));
		}
		if (id.equals(administrator) && ((role != null && !"admin".equals(role)) || Boolean.FALSE.equals(active))) {
			return Mono.error(new ConflictException("Administrators cannot demote or deactivate themselves"));
		}
		Instant now = Instant.now();
		Mono<User> change = findById(id).flatMap((before) -> {
			String newRole = (role != null) ? role : before.role();
			boolean newActive = (active != null) ? active : before.active();
			boolean deactivating = before.active() && !newActive;
			String endsTokens = deactivating ? "deactivated" : (!newRole.equals(before.role()) ? "role_changed" : "");
			return this.databaseClient
				.sql("UPDATE app_user SET role = :role, plan = :plan, active = :active, updated_at = :now, "
						+ "token_version = token_version + :raise WHERE id = :id")
				.bind("role", newRole)
				.bind("plan", (plan != null) ? plan : before.plan())
				.bind("active", newActive)
				.bind("now", now)
				.bind("raise", endsTokens.isEmpty() ? 0L : 1L)
				.bind("id", id)
				.then()
				.then(deactivating ? deactivated(id, now) : Mono.empty())
				.then(findById(id))
				.flatMap((after) -> endsTokens.isEmpty() ? Mono.just(after)
						: tokensInvalidated(after, endsTokens, now).thenReturn(after));
		});
		return this.transactionalOperator.transactional(change);
	}

	/**
	 * The caller's change of their own password: the current one must be given. Every session and
	 * token of the account ends at once, everywhere; the caller signs in again with the new one.
	 */
	public Mono<User> changePassword(UUID id, @Nullable String currentPassword, @Nullable String newPassword) {
		if (currentPassword == null || currentPassword.isEmpty()) {
			return Mono.error(new ValidationException("current_password", "current_password is required"));
		}
		return findById(id).flatMap((user) -> {
			String password;
			try {
				password = validPassword(newPassword, user.email());
			}
			catch (ValidationException ex) {
				return Mono.error(new ValidationException("new_password", ex.getMessage()));
			}
			return authenticate(user.email(), currentPassword)
				.onErrorMap(AuthenticationException.class, (ex) -> new ValidationException("current_password",
						"current_password is not the account's password"))
				.then(Mono.fromCallable(() -> this.passwordEncoder.encode(password))
					.subscribeOn(Schedulers.boundedElastic()))
				.flatMap((hash) -> storePassword(id, hash));
		});
	}

	private Mono<User> storePassword(UUID id, String hash) {
		Instant now = Instant.now();
		Mono<User> change = this.databaseClient
			.sql("UPDATE app_user SET password_hash = :hash, updated_at = :now, token_version = token_version + 1 "
					+ "WHERE id = :id")
			.bind("hash", hash)
			.bind("now", now)
			.bind("id", id)
			.then()
			.then(endSessions(id, now))
			.then(findById(id))
			.flatMap((after) -> tokensInvalidated(after, "password_changed", now).thenReturn(after));
		return this.transactionalOperator.transactional(change);
	}

	private Mono<Void> endSessions(UUID id, Instant at) {
		return this.databaseClient
			.sql("UPDATE refresh_token SET revoked_at = :at WHERE user_id = :id AND revoked_at IS NULL")
			.bind("at", at)
			.bind("id", id)
			.then();
	}

	/**
	 * Announces that every token of the account below its current token version is void; the
	 * verifiers remember it for a day, longer than any access token lives.
	 */
	private Mono<Void> tokensInvalidated(User user, String reason, Instant at) {
		return this.outbox.append(Topics.AUTH, CloudEvent.create(SOURCE, AuthEvents.TokensInvalidated.TYPE,
				user.id().toString(), this.codec.toData(new AuthEvents.TokensInvalidated(user.id().toString(),
						user.tokenVersion(), reason, at, at.plus(AuthEvents.INVALIDATION_MEMORY)))));
	}

	private Mono<Void> deactivated(UUID id, Instant at) {
		return endSessions(id, at).then(this.outbox.append(Topics.AUTH, CloudEvent.create(SOURCE, AuthEvents.UserDeactivated.TYPE,
				id.toString(), this.codec.toData(new AuthEvents.UserDeactivated(id.toString(), at)))));
	}

	/**
	 * The caller's own change of name or email; a taken email is a conflict.
	 */
	public Mono<User> updateProfile(UUID id, @Nullable String name, @Nullable String email) {
		Mono<User> change = findById(id).flatMap((before) -> {
			String newEmail = (email != null) ? validEmail(email) : before.email();
			String newName = (name != null) ? validName(name, newEmail) : before.name();
			return this.databaseClient
				.sql("UPDATE app_user SET name = :name, email = :email, email_key = :key, updated_at = now() WHERE id = :id")
				.bind("name", newName)
				.bind("email", newEmail)
				.bind("key", newEmail.toLowerCase(Locale.ROOT))
				.bind("id", id)
				.then()
				.then(findById(id));
		});
		return this.transactionalOperator.transactional(change)
			.onErrorMap(DuplicateKeyException.class, (ex) -> new ConflictException("An account with this email already exists"));
	}

	private static String validEmail(@Nullable String email) {
		if (email == null || email.isBlank()) {
			throw new ValidationException("email", "email is required");
		}
		String trimmed = email.trim();
		if (trimmed.length() > MAX_EMAIL || !EMAIL.matcher(trimmed).matches()) {
			throw new ValidationException("email", "email is not a valid email address");
		}
		return trimmed;
	}

	private String validPassword(@Nullable String password, String email) {
		int min = this.properties.password().minLength();
		if (password == null || password.isEmpty()) {
			throw new ValidationException("password", "password is required");
		}
		if (password.length() < min || password.length() > MAX_PASSWORD) {
			throw new ValidationException("password",
					"password must be between " + min + " and " + MAX_PASSWORD + " characters");
		}
		if (password.equalsIgnoreCase(email) || password.isBlank()) {
			throw new ValidationException("password", "password must not be blank or equal to the email");
		}
		return password;
	}

	private static String validName(@Nullable String name, String email) {
		String value = (name == null || name.isBlank()) ? email.substring(0, email.indexOf('@')) : name.trim();
		if (value.length() > MAX_NAME || value.chars().anyMatch(Character::isISOControl)) {
			throw new ValidationException("name", "name must be at most " + MAX_NAME + " printable characters");
		}
		return value;
	}

}
