package org.sciport.commons.error;

/**
 * Missing, malformed, expired or revoked credentials.
 */
public class AuthenticationException extends SciportException {

	public AuthenticationException(String message) {
		super(ErrorCode.INVALID_API_KEY, message);
	}

}
