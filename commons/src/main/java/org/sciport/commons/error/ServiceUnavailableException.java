package org.sciport.commons.error;

/**
 * A dependency that does not answer in time.
 */
public class ServiceUnavailableException extends SciportException {

	public ServiceUnavailableException(String message) {
		super(ErrorCode.SERVICE_UNAVAILABLE, message);
	}

}
