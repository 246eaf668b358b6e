package org.sciport.commons.error;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A request that fails validation; names the offending field where there is one.
 */
public class ValidationException extends SciportException {

	public ValidationException(@Nullable String field, String message) {
		super(ErrorCode.VALIDATION_ERROR, message, field, Map.of(), null);
	}

}
