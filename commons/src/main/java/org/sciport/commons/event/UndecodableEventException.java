package org.sciport.commons.event;

/**
 * A record that can never be applied, however often it is tried: not a CloudEvent at all. The
 * listeners' error handler sends it to the dead-letter topic at once instead of retrying.
 */
public class UndecodableEventException extends RuntimeException {

	public UndecodableEventException(String message, Throwable cause) {
		super(message, cause);
	}

}
