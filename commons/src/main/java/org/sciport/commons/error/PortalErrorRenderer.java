package org.sciport.commons.error;

import java.util.LinkedHashMap;
import java.util.Map;


/**
 * The data portal's error shape, {@code {success: false, error, code}} (plus the request id,
 * the offending field and a rate limit's {@code retry_after} where there is one), for the
 * paths under the given prefixes. Each service that serves part of the portal registers one
 * for its paths, and the gateway one for the errors it raises itself.
 * <p>
 * The codes are the portal's own where it names one: {@code AUTH_REQUIRED} (no credentials),
 * {@code TOKEN_EXPIRED}, {@code AUTH_ERROR} (any other credential failure),
 * {@code DATASET_NOT_FOUND}, {@code ACCESS_DENIED}; otherwise the native code.
 */
public final class PortalErrorRenderer extends SurfaceErrorRenderer {

	public PortalErrorRenderer(String... pathPrefixes) {
		super(pathPrefixes);
	}

	@Override
	public Object render(ApiError error, String requestId) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("success", false);
		body.put("error", error.message());
		body.put("code", code(error));
		if (error.field() != null) {
			body.put("field", error.field());
		}
		if (error.details().get("retry_after") != null) {
			body.put("retry_after", error.details().get("retry_after"));
		}
		body.put("request_id", requestId);
		return body;
	}

	/** The portal's code for an error. */
	static String code(ApiError error) {
		return switch (error.code()) {
			case INVALID_API_KEY -> {
				Object reason = error.details().get("reason");
				yield AuthenticationException.MISSING.equals(reason) ? "AUTH_REQUIRED"
						: AuthenticationException.EXPIRED.equals(reason) ? "TOKEN_EXPIRED" : "AUTH_ERROR";
			}
			case RESOURCE_NOT_FOUND -> "dataset".equals(error.details().get("resource")) ? "DATASET_NOT_FOUND"
					: error.code().name();
			case INSUFFICIENT_PERMISSIONS -> "ACCESS_DENIED";
			default -> error.code().name();
		};
	}

}
