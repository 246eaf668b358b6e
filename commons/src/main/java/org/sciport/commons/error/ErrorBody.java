package org.sciport.commons.error;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * The native API's error body: {@code {"error": {"code", "message", "field", "request_id", "details"}}}.
 *
 * @param error the error itself
 */
public record ErrorBody(Detail error) {

	public static ErrorBody of(ApiError error, String requestId) {
		return new ErrorBody(new Detail(error.code().name(), error.message(), error.field(), requestId,
				error.details().isEmpty() ? null : error.details()));
	}

	/**
	 * The fields of one error.
	 *
	 * @param code the machine-readable code
	 * @param message a human-readable message
	 * @param field the offending request field, or {@code null}
	 * @param requestId the request id, as in the logs and the {@code X-Request-Id} header
	 * @param details extra machine-readable details, omitted when there are none
	 */
	public record Detail(String code, String message, @Nullable String field,
			@JsonProperty("request_id") String requestId,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Map<String, Object> details) {
	}

}
