package org.sciport.commons.error;

import org.springframework.http.HttpStatus;

/**
 * Machine-readable error codes of the native API, each bound to one HTTP status.
 * The first seven are those of the published API reference; the others cover HTTP-level
 * failures that reference leaves unnamed.
 */
public enum ErrorCode {

	VALIDATION_ERROR(HttpStatus.BAD_REQUEST),
	INVALID_API_KEY(HttpStatus.UNAUTHORIZED),
	INSUFFICIENT_PERMISSIONS(HttpStatus.FORBIDDEN),
	RESOURCE_NOT_FOUND(HttpStatus.NOT_FOUND),
	CONFLICT(HttpStatus.CONFLICT),
	RATE_LIMIT_EXCEEDED(HttpStatus.TOO_MANY_REQUESTS),
	INTERNAL_ERROR(HttpStatus.INTERNAL_SERVER_ERROR),
	METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED),
	NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE),
	PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE),
	UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE),
	SERVICE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE);

	private final HttpStatus status;

	ErrorCode(HttpStatus status) {
		this.status = status;
	}

	public HttpStatus status() {
		return this.status;
	}

}
