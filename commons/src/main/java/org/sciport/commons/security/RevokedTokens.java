package org.sciport.commons.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access tokens revoked before they expire, each remembered only until its own expiry.
 */
public final class RevokedTokens {

	/** How long an account's deactivation is remembered: longer than any token it held lives. */
	private static final Duration DEACTIVATION_MEMORY = Duration.ofHours(24);

	private final Map<String, Instant> revoked = new ConcurrentHashMap<>();

	private final Map<String, Instant> deactivated = new ConcurrentHashMap<>();

	/**
	 * Refuses every token issued to {@code userId} up to {@code at}.
	 */
	public void deactivate(String userId, Instant at) {
		if (at.plus(DEACTIVATION_MEMORY).isAfter(Instant.now())) {
			this.deactivated.merge(userId, at, (a, b) -> a.isAfter(b) ? a : b);
		}
	}

	/**
	 * Whether the caller's token was revoked, or issued before its account was deactivated.
	 */
	public boolean isRevoked(Caller caller) {
		Instant deactivatedAt = this.deactivated.get(caller.userId());
		return isRevoked(caller.tokenId()) || (deactivatedAt != null && !caller.issuedAt().isAfter(deactivatedAt));
	}

	public void revoke(String tokenId, Instant expiresAt) {
		if (expiresAt.isAfter(Instant.now())) {
			this.revoked.put(tokenId, expiresAt);
		}
	}

	public boolean isRevoked(String tokenId) {
		Instant until = this.revoked.get(tokenId);
		return until != null && until.isAfter(Instant.now());
	}

	/**
	 * Forgets revocations whose tokens have expired anyway.
	 */
	public void purgeExpired() {
		Instant now = Instant.now();
		this.revoked.values().removeIf((until) -> !until.isAfter(now));
		this.deactivated.values().removeIf((at) -> !at.plus(DEACTIVATION_MEMORY).isAfter(now));
	}

	public int size() {
		return this.revoked.size();
	}

}
