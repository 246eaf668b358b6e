package org.sciport.commons.error;

import java.util.Map;

/**
 * Missing, malformed, expired or revoked credentials. A missing or an expired token says so in
 * its details ({@code reason}), so that a surface with its own codes can tell the three apart.
 */
public class AuthenticationException extends SciportException {

	/** The {@code reason} of a request that carried no credentials. */
	public static final String MISSING = "missing";

	/** The {@code reason} of a token that was valid and has expired. */
	public static final String EXPIRED = "expired";

	public AuthenticationException(String message) {
		super(ErrorCode.INVALID_API_KEY, message);
	}

	private AuthenticationException(String message, String reason) {
		super(ErrorCode.INVALID_API_KEY, message, null, Map.of("reason", reason), null);
	}

	/** No credentials at all. */
	public static AuthenticationException missing(String message) {
		return new AuthenticationException(message, MISSING);
	}

	/** A token whose signature held but whose lifetime is over. */
	public static AuthenticationException expired(String message) {
		return new AuthenticationException(message, EXPIRED);
	}

}
