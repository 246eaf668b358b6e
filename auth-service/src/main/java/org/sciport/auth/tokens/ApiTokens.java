package org.sciport.auth.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.sciport.auth.users.User;
import org.sciport.auth.users.UserService;
import org.sciport.commons.error.AuthenticationException;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.page.Page;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.security.AuthEvents;
import org.sciport.commons.security.Scopes;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * API tokens: named, scoped, expiring secrets for scripts and tools. The secret is shown once
 * at creation. A token is used by exchanging it for a short-lived access token (the gateway
 * and the services do that themselves), so every service keeps verifying plain JWTs, and a
 * revoked API token stops working at once: every access token exchanged from it is revoked too.
 */
@Service
public class ApiTokens {

	/** Every API token starts with this, which tells it apart from a JWT. */
	public static final String PREFIX = org.sciport.commons.security.ApiTokenExchanger.PREFIX;

	private static final String SOURCE = "/sciport/auth-service";

	static final Duration MAX_DURATION = Duration.ofDays(366);

	static final Duration DEFAULT_DURATION = Duration.ofDays(30);

	/** Access tokens from an exchange live this long at most. */
	static final Duration EXCHANGED_TTL = Duration.ofMinutes(5);

	private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([smhdw])");

	private final SecureRandom random = new SecureRandom();

	private final DatabaseClient database;

	private final UserService users;

	private final AccessTokens accessTokens;

	private final TransactionalOperator transactions;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	ApiTokens(DatabaseClient database, TransactionalOperator transactions, UserService users,
			AccessTokens accessTokens, OutboxWriter outbox, CloudEventCodec codec) {
		this.database = database;
		this.transactions = transactions;
		this.outbox = outbox;
		this.codec = codec;
		this.users = users;
		this.accessTokens = accessTokens;
	}

	/**
	 * An API token as listed (never with its secret).
	 *
	 * @param id its id
	 * @param name its name
	 * @param scopes what it may be used for; empty for everything its owner may do
	 * @param createdAt when it was created
	 * @param expiresAt when it stops working
	 * @param lastUsedAt when it was last exchanged
	 */
	public record ApiToken(UUID id, String name, List<String> scopes, Instant createdAt, Instant expiresAt,
			@Nullable Instant lastUsedAt) {
	}

	/**
	 * A new token with its secret, shown this once.
	 *
	 * @param id its id
	 * @param name its name
	 * @param token the secret
	 * @param scopes its scopes
	 * @param createdAt when it was created
	 * @param expiresAt when it stops working
	 */
	public record CreatedApiToken(UUID id, String name, String token, List<String> scopes, Instant createdAt,
			Instant expiresAt) {
	}

	/**
	 * A new API token of {@code userId}, created with a token whose scopes are
	 * {@code callerScopes} (empty: unscoped). A token never mints one that may do more than
	 * itself: a scoped caller must name scopes, each among its own.
	 */
	public Mono<CreatedApiToken> create(UUID userId, @Nullable String name, @Nullable String duration,
			@Nullable List<String> scopes, List<String> callerScopes) {
		if (name == null || name.isBlank() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
			return Mono.error(new ValidationException("name", "name is required, at most 100 printable characters"));
		}
		Duration lifetime;
		try {
			lifetime = parseDuration(duration);
		}
		catch (ValidationException ex) {
			return Mono.error(ex);
		}
		List<String> scopeList;
		try {
			scopeList = Scopes.parse((scopes != null) ? scopes : List.of());
		}
		catch (IllegalArgumentException ex) {
			return Mono.error(new ValidationException("scopes", ex.getMessage()));
		}
		if (!Scopes.covers(callerScopes, scopeList)) {
			return Mono.error(new PermissionDeniedException(scopeList.isEmpty()
					? "A scoped token may only create tokens with scopes, each among its own ("
							+ String.join(" ", callerScopes) + ")"
					: "A token may not create a token with scopes it does not have itself ("
							+ String.join(" ", callerScopes) + ")"));
		}
		byte[] secret = new byte[32];
		this.random.nextBytes(secret);
		String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
		UUID id = UUID.randomUUID();
		Instant now = Instant.now();
		Instant expires = now.plus(lifetime);
		return this.database
			.sql("INSERT INTO api_token (id, user_id, name, token_hash, scopes, created_at, expires_at) "
					+ "VALUES (:id, :user, :name, :hash, :scopes, :now, :expires)")
			.bind("id", id)
			.bind("user", userId)
			.bind("name", name.trim())
			.bind("hash", hash(token))
			.bind("scopes", String.join(" ", scopeList))
			.bind("now", now)
			.bind("expires", expires)
			.then()
			.thenReturn(new CreatedApiToken(id, name.trim(), token, scopeList, now, expires));
	}

	/**
	 * Registers a service credential given by configuration: the API token {@code token} of
	 * {@code userId}, named {@code name}, with {@code scopes}, valid for {@link #MAX_DURATION}.
	 * An earlier token of that user and name is revoked, so a credential changed in the
	 * configuration replaces the one before it at the next start.
	 */
	public Mono<Void> register(UUID userId, String name, String token, List<String> scopes) {
		if (!token.startsWith(PREFIX) || token.length() < PREFIX.length() + 32) {
			return Mono.error(new IllegalArgumentException(
					"A service credential is an API token: " + PREFIX + " and at least 32 random characters"));
		}
		Instant now = Instant.now();
		return this.transactions.transactional(this.database
			.sql("UPDATE api_token SET revoked_at = now() WHERE user_id = :user AND name = :name AND revoked_at IS NULL "
					+ "AND token_hash <> :hash")
			.bind("user", userId)
			.bind("name", name)
			.bind("hash", hash(token))
			.then()
			.then(this.database
				.sql("INSERT INTO api_token (id, user_id, name, token_hash, scopes, created_at, expires_at) "
						+ "SELECT :id, :user, :name, :hash, :scopes, :now, :expires WHERE NOT EXISTS (SELECT 1 FROM api_token "
						+ "WHERE token_hash = :hash AND revoked_at IS NULL)")
				.bind("id", UUID.randomUUID())
				.bind("user", userId)
				.bind("name", name)
				.bind("hash", hash(token))
				.bind("scopes", String.join(" ", Scopes.parse(scopes)))
				.bind("now", now)
				.bind("expires", now.plus(MAX_DURATION))
				.then())
			.then(this.database.sql("UPDATE api_token SET expires_at = :expires WHERE token_hash = :hash AND revoked_at IS NULL")
				.bind("expires", now.plus(MAX_DURATION))
				.bind("hash", hash(token))
				.then()));
	}

	public Mono<Page<ApiToken>> list(UUID userId, PageRequest page, String basePath) {
		Mono<Long> total = this.database
			.sql("SELECT count(*) AS n FROM api_token WHERE user_id = :user AND revoked_at IS NULL")
			.bind("user", userId)
			.map((row) -> row.get("n", Long.class))
			.one();
		Mono<List<ApiToken>> tokens = this.database
			.sql("SELECT id, name, scopes, created_at, expires_at, last_used_at FROM api_token "
					+ "WHERE user_id = :user AND revoked_at IS NULL ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset")
			.bind("user", userId)
			.bind("limit", page.perPage())
			.bind("offset", page.offset())
			.map((row) -> new ApiToken(row.get("id", UUID.class), row.get("name", String.class),
					scopes(row.get("scopes", String.class)), row.get("created_at", Instant.class),
					row.get("expires_at", Instant.class), row.get("last_used_at", Instant.class)))
			.all()
			.collectList();
		return Mono.zip(tokens, total).map((both) -> Page.of(both.getT1(), both.getT2(), page, basePath));
	}

	/**
	 * Revokes one of the caller's own tokens; another user's token is "not found" (its
	 * existence is not the caller's business).
	 */
	public Mono<Void> revoke(UUID userId, UUID tokenId) {
		Instant now = Instant.now();
		CloudEvent revoked = CloudEvent.create(SOURCE, AuthEvents.ApiTokenRevoked.TYPE, tokenId.toString(),
				this.codec.toData(new AuthEvents.ApiTokenRevoked(tokenId.toString(), userId.toString(),
						now.plus(EXCHANGED_TTL))));
		Mono<Void> work = this.database
			.sql("UPDATE api_token SET revoked_at = :now WHERE id = :id AND user_id = :user AND revoked_at IS NULL")
			.bind("now", now)
			.bind("id", tokenId)
			.bind("user", userId)
			.fetch()
			.rowsUpdated()
			.flatMap((updated) -> (updated == 0) ? Mono.error(new NotFoundException("No such API token"))
					: this.outbox.append(Topics.AUTH, revoked));
		return this.transactions.transactional(work);
	}

	/**
	 * A short-lived access token for a valid API token of an active account.
	 */
	public Mono<AccessTokens.Issued> exchange(@Nullable String token) {
		if (token == null || !token.startsWith(PREFIX)) {
			return Mono.error(new AuthenticationException("The API token is not valid"));
		}
		return this.database
			.sql("UPDATE api_token SET last_used_at = now() WHERE token_hash = :hash AND revoked_at IS NULL "
					+ "AND expires_at > now() RETURNING id, user_id, scopes, expires_at")
			.bind("hash", hash(token))
			.map((row) -> new Stored(row.get("id", UUID.class), row.get("user_id", UUID.class),
					scopes(row.get("scopes", String.class)), row.get("expires_at", Instant.class)))
			.one()
			.switchIfEmpty(Mono.error(() -> new AuthenticationException("The API token is not valid")))
			.flatMap((stored) -> this.users.findById(stored.userId())
				.filter(User::active)
				.switchIfEmpty(Mono.error(() -> new AuthenticationException("The API token is not valid")))
				.flatMap((user) -> this.accessTokens.issueForApiToken(user, stored.id(), stored.scopes(),
						earliest(Instant.now().plus(EXCHANGED_TTL), stored.expiresAt()))));
	}

	private record Stored(UUID id, UUID userId, List<String> scopes, Instant expiresAt) {
	}

	static Duration parseDuration(@Nullable String value) {
		if (value == null || value.isBlank()) {
			return DEFAULT_DURATION;
		}
		String text = value.trim().toLowerCase(Locale.ROOT);
		Duration total = Duration.ZERO;
		Matcher matcher = DURATION.matcher(text);
		int end = 0;
		while (matcher.find() && matcher.start() == end) {
			long amount = Long.parseLong(matcher.group(1));
			total = total.plus(switch (matcher.group(2)) {
				case "s" -> Duration.ofSeconds(amount);
				case "m" -> Duration.ofMinutes(amount);
				case "h" -> Duration.ofHours(amount);
				case "d" -> Duration.ofDays(amount);
				default -> Duration.ofDays(7 * amount);
			});
			end = matcher.end();
		}
		if (end != text.length() || end == 0) {
			throw new ValidationException("duration", "duration must look like 720h, 30d or 1w2d");
		}
		if (total.compareTo(Duration.ofMinutes(1)) < 0 || total.compareTo(MAX_DURATION) > 0) {
			throw new ValidationException("duration", "duration must be between 1 minute and 366 days");
		}
		return total;
	}

	private static List<String> scopes(@Nullable String stored) {
		return (stored == null || stored.isBlank()) ? List.of() : Arrays.asList(stored.split(" "));
	}

	private static Instant earliest(Instant a, Instant b) {
		return a.isBefore(b) ? a : b;
	}

	private static byte[] hash(String token) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
