package org.sciport.commons.security;

/**
 * The events on {@code sciport.auth} that end access tokens before they expire. auth-service
 * writes them; every verifier reads them ({@link RevocationListener}).
 * <ul>
 * <li>{@link #TOKEN_REVOKED}: {@code jti}, {@code expires_at}, and for a sign-out also
 * {@code session_id} and {@code session_until}, ending every token of the session;</li>
 * <li>{@link #API_TOKEN_REVOKED}: {@code api_token_id}, {@code user_id}, {@code until}: every
 * access token exchanged from the API token;</li>
 * <li>{@link #TOKENS_INVALIDATED}: {@code user_id}, {@code token_version}, {@code reason}
 * ({@code role_changed}, {@code password_changed}, {@code deactivated}), {@code until}: every
 * token of the account with a lower token version;</li>
 * <li>{@link #USER_DEACTIVATED}: {@code user_id}, {@code deactivated_at}.</li>
 * </ul>
 */
public final class AuthEvents {

	/** What every auth event type starts with. */
	public static final String PREFIX = "sciport.auth.";

	public static final String TOKEN_REVOKED = "sciport.auth.token.revoked";

	public static final String API_TOKEN_REVOKED = "sciport.auth.api-token.revoked";

	public static final String TOKENS_INVALIDATED = "sciport.auth.user.tokens-invalidated";

	public static final String USER_DEACTIVATED = "sciport.auth.user.deactivated";

	/**
	 * How long verifiers remember a {@link #TOKENS_INVALIDATED}: longer than any access token
	 * lives.
	 */
	public static final java.time.Duration INVALIDATION_MEMORY = java.time.Duration.ofHours(24);

	private AuthEvents() {
	}

}
