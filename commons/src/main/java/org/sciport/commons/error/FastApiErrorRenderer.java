package org.sciport.commons.error;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;

/**
 * The error shape of the APIs built on FastAPI that Sciport serves (the instrument harvester's
 * {@code /api/*}): {@code {"detail": "message"}}, and for input that fails validation a 422
 * with FastAPI's list, {@code {"detail": [{"type", "loc", "msg", "input"}]}}, the offending
 * field last in {@code loc}.
 */
public final class FastApiErrorRenderer extends SurfaceErrorRenderer {

	public FastApiErrorRenderer(String... pathPrefixes) {
		super(pathPrefixes);
	}

	@Override
	public Object render(ApiError error, String requestId) {
		if (error.code() != ErrorCode.VALIDATION_ERROR) {
			return Map.of("detail", error.message());
		}
		List<Object> location = new ArrayList<>();
		location.add(String.valueOf(error.details().getOrDefault("location", "body")));
		if (error.field() != null) {
			location.add(error.field());
		}
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", "value_error");
		problem.put("loc", location);
		problem.put("msg", error.message());
		problem.put("input", null);
		return Map.of("detail", List.of(problem));
	}

	@Override
	public HttpStatus status(ApiError error) {
		return (error.code() == ErrorCode.VALIDATION_ERROR) ? HttpStatus.UNPROCESSABLE_CONTENT : error.status();
	}

}
