package org.sciport.standalone;

/**
 * A start-up problem the operator can fix, told in one line: no stack trace is printed for it.
 */
final class StartupException extends RuntimeException {

	StartupException(String message) {
		super(message, null, false, false);
	}

}
