package org.sciport.commons.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What ends access tokens before they expire, each entry remembered only as long as a token it
 * ends can still be alive:
 * <ul>
 * <li>one token, by its {@code jti};</li>
 * <li>a sign-in session ({@code sid}): every access token of it;</li>
 * <li>an API token: every access token exchanged from it;</li>
 * <li>an account's token version: every token issued to the account before a change of role,
 * password or activation raised it.</li>
 * </ul>
 */
public final class RevokedTokens {

	/** How long an account's deactivation is remembered: longer than any token it held lives. */
	private static final Duration DEACTIVATION_MEMORY = Duration.ofHours(24);

	private record Until<T>(T value, Instant until) {
	}

	private final Clock clock;

	private final Map<String, Instant> revoked = new ConcurrentHashMap<>();

	private final Map<String, Instant> sessions = new ConcurrentHashMap<>();

	private final Map<String, Instant> apiTokens = new ConcurrentHashMap<>();

	private final Map<String, Until<Long>> minimumVersions = new ConcurrentHashMap<>();

	private final Map<String, Instant> deactivated = new ConcurrentHashMap<>();

	public RevokedTokens() {
		this(Clock.systemUTC());
	}

	public RevokedTokens(Clock clock) {
		this.clock = clock;
	}

	/**
	 * Refuses every token issued to {@code userId} up to {@code at} (the form of this rule before
	 * token versions; still read from older events).
	 */
	public void deactivate(String userId, Instant at) {
		if (at.plus(DEACTIVATION_MEMORY).isAfter(now())) {
			this.deactivated.merge(userId, at, (a, b) -> a.isAfter(b) ? a : b);
		}
	}

	/**
	 * Refuses every token issued to {@code userId} with a token version below
	 * {@code minimumVersion}, until {@code until} (by when every such token has expired).
	 */
	public void requireVersion(String userId, long minimumVersion, Instant until) {
		if (until.isAfter(now())) {
			this.minimumVersions.merge(userId, new Until<>(minimumVersion, until),
					(a, b) -> new Until<>(Math.max(a.value(), b.value()), a.until().isAfter(b.until()) ? a.until() : b.until()));
		}
	}

	/**
	 * Refuses every access token of the sign-in session {@code sessionId} until {@code until}.
	 */
	public void revokeSession(String sessionId, Instant until) {
		remember(this.sessions, sessionId, until);
	}

	/**
	 * Refuses every access token exchanged from the API token {@code apiTokenId} until
	 * {@code until}.
	 */
	public void revokeApiToken(String apiTokenId, Instant until) {
		remember(this.apiTokens, apiTokenId, until);
	}

	public void revoke(String tokenId, Instant expiresAt) {
		remember(this.revoked, tokenId, expiresAt);
	}

	/**
	 * Whether the caller's token was revoked itself, or through its session, its API token, or
	 * a change to its account.
	 */
	public boolean isRevoked(Caller caller) {
		if (isRevoked(caller.tokenId()) || (caller.sessionId() != null && holds(this.sessions, caller.sessionId()))
				|| (caller.apiTokenId() != null && holds(this.apiTokens, caller.apiTokenId()))) {
			return true;
		}
		Until<Long> minimum = this.minimumVersions.get(caller.userId());
		if (minimum != null && caller.tokenVersion() < minimum.value() && minimum.until().isAfter(now())) {
			return true;
		}
		Instant deactivatedAt = this.deactivated.get(caller.userId());
		return deactivatedAt != null && !caller.issuedAt().isAfter(deactivatedAt);
	}

	public boolean isRevoked(String tokenId) {
		return holds(this.revoked, tokenId);
	}

	/**
	 * Forgets what ends only tokens that have expired anyway.
	 */
	public void purgeExpired() {
		Instant now = now();
		this.revoked.values().removeIf((until) -> !until.isAfter(now));
		this.sessions.values().removeIf((until) -> !until.isAfter(now));
		this.apiTokens.values().removeIf((until) -> !until.isAfter(now));
		this.minimumVersions.values().removeIf((entry) -> !entry.until().isAfter(now));
		this.deactivated.values().removeIf((at) -> !at.plus(DEACTIVATION_MEMORY).isAfter(now));
	}

	public int size() {
		return this.revoked.size() + this.sessions.size() + this.apiTokens.size() + this.minimumVersions.size();
	}

	private void remember(Map<String, Instant> entries, String key, Instant until) {
		if (until.isAfter(now())) {
			entries.merge(key, until, (a, b) -> a.isAfter(b) ? a : b);
		}
	}

	private boolean holds(Map<String, Instant> entries, String key) {
		Instant until = entries.get(key);
		return until != null && until.isAfter(now());
	}

	private Instant now() {
		return this.clock.instant();
	}

}
