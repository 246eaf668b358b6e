package org.sciport.commons.error;

import java.util.Map;

/**
 * An object that does not exist, or that the caller may not see (the two are indistinguishable on purpose).
 */
public class NotFoundException extends SciportException {

	public NotFoundException(String message) {
		super(ErrorCode.RESOURCE_NOT_FOUND, message);
	}

	private NotFoundException(String resource, String message) {
		super(ErrorCode.RESOURCE_NOT_FOUND, message, null, Map.of("resource", resource), null);
	}

	/** A missing object of a named kind ({@code dataset}, {@code job}), named in the details. */
	public static NotFoundException of(String resource, String message) {
		return new NotFoundException(resource, message);
	}

}
