package org.sciport.upload;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The data portal's answer shape, {@code {success, message, data}}, for the seed paths
 * upload-service serves. The map stays open for fields a path adds at the top level (such
 * as {@code job_id}, which the portal's clients read there).
 */
public final class PortalAnswers {

	private PortalAnswers() {
	}

	public static Map<String, Object> envelope(String message, Object data) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("success", true);
		body.put("message", message);
		body.put("data", data);
		return body;
	}

}
