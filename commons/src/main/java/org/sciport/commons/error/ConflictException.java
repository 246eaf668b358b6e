package org.sciport.commons.error;

/**
 * A state change that collides with existing state, such as a taken unique name.
 */
public class ConflictException extends SciportException {

	public ConflictException(String message) {
		super(ErrorCode.CONFLICT, message);
	}

}
