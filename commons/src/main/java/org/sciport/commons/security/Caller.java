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
 * @param scopes what the token may be used for ({@link Scopes}); empty for everything its
 * account may do
 * @param apiTokenId the API token this access token was exchanged from, if any
 * @param tokenVersion the account's token version when the token was issued (a role, password
 * or activation change raises it and ends every token of a lower one)
 * @param email the account's email address when the token was issued, if it says
 */
public record Caller(String userId, List<String> roles, String plan, String tokenId, Instant expiresAt,
		@Nullable String sessionId, Instant issuedAt, List<String> scopes, @Nullable String apiTokenId,
		long tokenVersion, @Nullable String email) {

	public Caller {
		roles = List.copyOf(roles);
		scopes = List.copyOf(scopes);
	}

	/**
	 * A caller whose token has no scopes and no API token behind it.
	 */
	public Caller(String userId, List<String> roles, String plan, String tokenId, Instant expiresAt,
			@Nullable String sessionId, Instant issuedAt) {
		this(userId, roles, plan, tokenId, expiresAt, sessionId, issuedAt, List.of(), null, 0, null);
	}

	/**
	 * A caller whose token does not name the account's email address.
	 */
	public Caller(String userId, List<String> roles, String plan, String tokenId, Instant expiresAt,
			@Nullable String sessionId, Instant issuedAt, List<String> scopes, @Nullable String apiTokenId,
			long tokenVersion) {
		this(userId, roles, plan, tokenId, expiresAt, sessionId, issuedAt, scopes, apiTokenId, tokenVersion, null);
	}

	/**
	 * Whether the caller acts as an administrator: the account has the role, and the token is
	 * unscoped or has the {@code admin} scope.
	 */
	public boolean isAdmin() {
		return this.roles.contains("admin") && (this.scopes.isEmpty() || this.scopes.contains(Scopes.ADMIN));
	}

	/**
	 * This caller acting for {@code user}: that user as a regular one (no role), with this
	 * token's scopes but {@code admin}, so every access check sees what the user may see.
	 */
	public Caller actingFor(String user) {
		// The request's scopes were checked against this caller's; the user's rights decide the rest.
		List<String> kept = this.scopes.stream().filter((scope) -> !Scopes.ADMIN.equals(scope)).toList();
		return new Caller(user, List.of(), this.plan, this.tokenId, this.expiresAt, this.sessionId, this.issuedAt, kept,
				this.apiTokenId, this.tokenVersion, null);
	}

	/**
	 * Whether the token is limited to its {@link #scopes()}.
	 */
	public boolean isScoped() {
		return !this.scopes.isEmpty();
	}

}
