package org.sciport.harvest.sources;

import java.io.IOException;

/**
 * A source that cannot be read, with a message fit for the run's record (never a secret).
 */
public final class SourceException extends IOException {

	public SourceException(String message) {
		super(message);
	}

	public SourceException(String message, Throwable cause) {
		super(message, cause);
	}

}
