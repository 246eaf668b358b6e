package org.sciport.commons.security;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The events on {@code sciport.auth} that end access tokens before they expire, as typed
 * records: auth-service writes them, every verifier reads them ({@link RevocationListener}).
 * Each record's {@code TYPE} is its CloudEvents type; its fields are the event's {@code data},
 * in snake case on the wire.
 */
public final class AuthEvents {

	/** What every auth event type starts with. */
	public static final String PREFIX = "sciport.auth.";

	/**
	 * How long verifiers remember a {@link TokensInvalidated}: longer than any access token
	 * lives.
	 */
	public static final Duration INVALIDATION_MEMORY = Duration.ofHours(24);

	private AuthEvents() {
	}

	/**
	 * A new account. Its email address is not on the bus: a service that needs it asks
	 * auth-service's directory.
	 *
	 * @param userId the account
	 * @param name its display name
	 * @param role {@code user} or {@code admin}
	 * @param plan its plan
	 */
	public record UserRegistered(String userId, String name, String role, String plan) {

		public static final String TYPE = "sciport.auth.user.registered";

	}

	/**
	 * A sign-out: the token it was called with, and every token of its session.
	 *
	 * @param jti the token's id
	 * @param userId the account
	 * @param expiresAt when the token expires anyway
	 * @param sessionId the session ended (empty for a token without one)
	 * @param sessionUntil until when a token of the session can still be alive
	 */
	public record TokenRevoked(String jti, String userId, Instant expiresAt, @Nullable String sessionId,
			@Nullable Instant sessionUntil) {

		public static final String TYPE = "sciport.auth.token.revoked";

	}

	/**
	 * An API token revoked: every access token exchanged from it ends.
	 *
	 * @param apiTokenId the API token's id
	 * @param userId its owner
	 * @param until until when an access token exchanged from it can still be alive
	 */
	public record ApiTokenRevoked(String apiTokenId, String userId, Instant until) {

		public static final String TYPE = "sciport.auth.api-token.revoked";

	}

	/**
	 * A change of role, password or activation: every token of the account with a lower token
	 * version ends.
	 *
	 * @param userId the account
	 * @param tokenVersion the lowest token version still valid
	 * @param reason {@code role_changed}, {@code password_changed} or {@code deactivated}
	 * @param at when the change was made
	 * @param until until when a token of a lower version can still be alive
	 */
	public record TokensInvalidated(String userId, long tokenVersion, String reason, Instant at, Instant until) {

		public static final String TYPE = "sciport.auth.user.tokens-invalidated";

	}

	/**
	 * An account deactivated.
	 *
	 * @param userId the account
	 * @param deactivatedAt when
	 */
	public record UserDeactivated(String userId, Instant deactivatedAt) {

		public static final String TYPE = "sciport.auth.user.deactivated";

	}

}
