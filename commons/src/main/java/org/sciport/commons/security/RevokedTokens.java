package org.sciport.commons.security;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access tokens revoked before they expire, each remembered only until its own expiry.
 */
public final class RevokedTokens {

	private final Map<String, Instant> revoked = new ConcurrentHashMap<>();

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
	}

	public int size() {
		return this.revoked.size();
	}

}
