package org.sciport.commons.error;

/**
 * An authenticated caller without the role or grant the action needs.
 */
public class PermissionDeniedException extends SciportException {

	public PermissionDeniedException(String message) {
		super(ErrorCode.INSUFFICIENT_PERMISSIONS, message);
	}

}
