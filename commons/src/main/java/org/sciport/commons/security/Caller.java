package org.sciport.commons.security;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The verified caller of a request.
 *
 * @param userId the account id (the token's {@code sub})
 * @param roles the account's roles
 * @param plan the account's plan
 * @param tokenId the access token's {@code jti}
 * @param expiresAt when the access token expires
 * @param sessionId the sign-in session the token belongs to, if any
 * @param issuedAt when the access token was issued
 */
public record Caller(String userId, List<String> roles, String plan, String tokenId, Instant expiresAt,
		@Nullable String sessionId, Instant issuedAt) {

	public Caller {
		roles = List.copyOf(roles);
	}

	public boolean isAdmin() {
		return this.roles.contains("admin");
	}

}
