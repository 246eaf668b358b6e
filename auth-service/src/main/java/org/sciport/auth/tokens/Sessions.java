package org.sciport.auth.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.sciport.auth.users.User;
import org.sciport.auth.users.UserService;
import org.sciport.commons.error.AuthenticationException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.security.AuthEvents;
import org.sciport.commons.security.Caller;
import org.sciport.commons.web.RequestIdLogging;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Sign-in sessions. A login starts a session (a family of refresh tokens) and issues an access
 * token and a refresh token. A refresh rotates the refresh token; presenting one that was
 * already rotated means it leaked, and ends the whole session. A logout ends the session and
 * revokes the access token, announcing it so every gateway refuses the token at once.
 */
@Service
public class Sessions {

	private static final Log logger = LogFactory.getLog(Sessions.class);

	private static final String REFRESH_PREFIX = "rt_";

	private final SecureRandom random = new SecureRandom();

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final UserService users;

	private final AccessTokens accessTokens;

	private final TokenProperties properties;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	private final LoginThrottle throttle;

	Sessions(DatabaseClient database, TransactionalOperator transactions, UserService users, AccessTokens accessTokens,
			TokenProperties properties, OutboxWriter outbox, CloudEventCodec codec, LoginThrottle throttle) {
		this.throttle = throttle;
		this.database = database;
		this.transactions = transactions;
		this.users = users;
		this.accessTokens = accessTokens;
		this.properties = properties;
		this.outbox = outbox;
		this.codec = codec;
	}

	/**
	 * What a login or a refresh hands out.
	 *
	 * @param user the account
	 * @param accessToken the access token
	 * @param refreshToken the refresh token (shown once)
	 * @param expiresIn seconds until the access token expires
	 */
	public record Session(User user, String accessToken, String refreshToken, long expiresIn) {
	}

	public Mono<Session> login(@Nullable String email, @Nullable String password) {
		return login(email, password, "unknown");
	}

	/**
	 * A login from {@code clientAddress}; repeated failures lock that address out of the account,
	 * or out of every account, and slow the account down for unknown addresses (see
	 * {@link LoginThrottle}).
	 */
	public Mono<Session> login(@Nullable String email, @Nullable String password, String clientAddress) {
		if (email == null || email.isBlank()) {
			return Mono.error(new ValidationException("email", "email is required"));
		}
		if (password == null || password.isEmpty()) {
			return Mono.error(new ValidationException("password",
					"password is required: an email alone does not sign anybody in"));
		}
		return this.throttle.checkAllowed(email, clientAddress)
			.then(this.users.authenticate(email, password))
			.onErrorResume(AuthenticationException.class,
					(ex) -> this.throttle.recordFailure(email, clientAddress).then(Mono.error(ex)))
			.flatMap((user) -> this.throttle.recordSuccess(email, clientAddress).then(start(user, UUID.randomUUID())));
	}

	public Mono<Session> refresh(@Nullable String refreshToken) {
		if (refreshToken == null || refreshToken.isBlank()) {
			return Mono.error(new ValidationException("refresh_token", "refresh_token is required"));
		}
		byte[] hash = hash(refreshToken);
		Mono<RefreshOutcome> rotate = this.database
			.sql("SELECT id, family_id, user_id, expires_at, rotated_at, revoked_at FROM refresh_token "
					+ "WHERE token_hash = :hash FOR UPDATE")
			.bind("hash", hash)
			.map((row) -> new StoredRefresh(row.get("family_id", UUID.class), row.get("user_id", UUID.class),
					row.get("expires_at", Instant.class), row.get("rotated_at", Instant.class) != null,
					row.get("revoked_at", Instant.class) != null))
			.one()
			.flatMap((stored) -> {
				if (stored.revoked() || stored.expiresAt().isBefore(Instant.now())) {
					return Mono.just(RefreshOutcome.refused());
				}
				if (stored.rotated()) {
					return RequestIdLogging.log(() -> logger.warn("A rotated refresh token was presented again: ending session "
							+ stored.familyId())).then(revokeFamily(stored.familyId())).thenReturn(RefreshOutcome.refused());
				}
				return this.database.sql("UPDATE refresh_token SET rotated_at = now() WHERE token_hash = :hash")
					.bind("hash", hash)
					.then()
					.then(this.users.findById(stored.userId()))
					.flatMap((user) -> user.active() ? issueRefresh(user, stored.familyId())
						.map((token) -> RefreshOutcome.rotated(user, stored.familyId(), token))
							: revokeFamily(stored.familyId()).thenReturn(RefreshOutcome.refused()));
			})
			.defaultIfEmpty(RefreshOutcome.refused());
		// The revocation of a reused family commits even though the caller gets an error.
		return this.transactions.transactional(rotate).flatMap((outcome) -> {
			User user = outcome.user();
			UUID family = outcome.familyId();
			String refresh = outcome.refreshToken();
			if (user == null || family == null || refresh == null) {
				return Mono.error(new AuthenticationException("The refresh token is not valid"));
			}
			return this.accessTokens.issue(user, family)
				.map((access) -> new Session(user, access.token(), refresh, this.properties.accessTokenTtl().toSeconds()));
		});
	}

	/**
	 * Ends the caller's session: its refresh tokens at once, and every access token of it (not
	 * only the one it called with) as soon as the verifiers read the revocation. No access token
	 * of the session outlives {@code session_until}: none is issued after this.
	 */
	public Mono<Void> logout(Caller caller) {
		String sessionId = (caller.sessionId() != null) ? caller.sessionId() : "";
		@Nullable UUID family = parseUuid(sessionId);
		CloudEvent revoked = CloudEvent.create("/sciport/auth-service", AuthEvents.TokenRevoked.TYPE, caller.tokenId(),
				this.codec.toData(new AuthEvents.TokenRevoked(caller.tokenId(), caller.userId(), caller.expiresAt(),
						sessionId, Instant.now().plus(this.properties.accessTokenTtl()))));
		Mono<Void> work = this.database
			.sql("INSERT INTO revoked_access_token (jti, user_id, expires_at) VALUES (:jti, :user, :expires) "
					+ "ON CONFLICT (jti) DO NOTHING")
			.bind("jti", caller.tokenId())
			.bind("user", UUID.fromString(caller.userId()))
			.bind("expires", caller.expiresAt())
			.fetch()
			.rowsUpdated()
			.flatMap((inserted) -> (inserted == 0) ? Mono.<Void>empty()
					: ((family != null) ? revokeFamily(family) : Mono.<Void>empty())
						.then(this.outbox.append(Topics.AUTH, revoked)));
		return this.transactions.transactional(work);
	}

	/**
	 * Whether an access token was revoked before its expiry.
	 */
	public Mono<Boolean> isRevoked(String tokenId) {
		return this.database.sql("SELECT 1 FROM revoked_access_token WHERE jti = :jti")
			.bind("jti", tokenId)
			.map((row) -> true)
			.one()
			.defaultIfEmpty(false);
	}

	/**
	 * Starts a session for an account someone else has authenticated (an OpenID provider).
	 */
	public Mono<Session> startFor(User user) {
		return start(user, UUID.randomUUID());
	}

	private Mono<Session> start(User user, UUID familyId) {
		return this.transactions.transactional(issueRefresh(user, familyId))
			.flatMap((refresh) -> this.accessTokens.issue(user, familyId)
				.map((access) -> new Session(user, access.token(), refresh, this.properties.accessTokenTtl().toSeconds())));
	}

	private Mono<String> issueRefresh(User user, UUID familyId) {
		byte[] secret = new byte[32];
		this.random.nextBytes(secret);
		String token = REFRESH_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
		return this.database
			.sql("INSERT INTO refresh_token (id, family_id, user_id, token_hash, created_at, expires_at) "
					+ "VALUES (:id, :family, :user, :hash, now(), :expires)")
			.bind("id", UUID.randomUUID())
			.bind("family", familyId)
			.bind("user", user.id())
			.bind("hash", hash(token))
			.bind("expires", Instant.now().plus(this.properties.refreshTokenTtl()))
			.then()
			.thenReturn(token);
	}

	private Mono<Void> revokeFamily(UUID familyId) {
		return this.database
			.sql("UPDATE refresh_token SET revoked_at = now() WHERE family_id = :family AND revoked_at IS NULL")
			.bind("family", familyId)
			.then();
	}

	private static @Nullable UUID parseUuid(String value) {
		try {
			return UUID.fromString(value);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static byte[] hash(String token) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record StoredRefresh(UUID familyId, UUID userId, Instant expiresAt, boolean rotated, boolean revoked) {
	}

	private record RefreshOutcome(@Nullable User user, @Nullable UUID familyId, @Nullable String refreshToken) {

		static RefreshOutcome refused() {
			return new RefreshOutcome(null, null, null);
		}

		static RefreshOutcome rotated(User user, UUID familyId, String refreshToken) {
			return new RefreshOutcome(user, familyId, refreshToken);
		}

	}

}
