package org.sciport.gateway.ratelimit;

import java.util.Map;

import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.SciportException;

/**
 * A caller went over a limit; {@code retry_after} says in how many seconds it may try again.
 */
class RateLimitExceededException extends SciportException {

	RateLimitExceededException(String message, long retryAfterSeconds) {
		super(ErrorCode.RATE_LIMIT_EXCEEDED, message, null, Map.of("retry_after", retryAfterSeconds), null);
	}

}
