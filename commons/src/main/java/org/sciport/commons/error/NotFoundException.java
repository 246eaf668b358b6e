package org.sciport.commons.error;

/**
 * An object that does not exist, or that the caller may not see (the two are indistinguishable on purpose).
 */
public class NotFoundException extends SciportException {

	public NotFoundException(String message) {
		super(ErrorCode.RESOURCE_NOT_FOUND, message);
	}

}
