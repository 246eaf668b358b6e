package org.sciport.commons.error;

import java.util.List;

import io.micrometer.context.ContextSnapshot;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.sciport.commons.web.RequestIdLogging;
import org.sciport.commons.web.RequestIds;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place where a service turns an exception into an HTTP answer. Runs before Spring
 * Boot's default handler, so no stack trace, exception class or internal message ever reaches
 * a client. Unexpected errors are logged with the request id that the client sees.
 */
public final class SciportErrorHandler implements WebExceptionHandler, Ordered {

	private static final Log logger = LogFactory.getLog(SciportErrorHandler.class);

	private final JsonMapper jsonMapper;

	private final List<ErrorRenderer> renderers;

	public SciportErrorHandler(JsonMapper jsonMapper, List<ErrorRenderer> renderers) {
		this.jsonMapper = jsonMapper;
		this.renderers = List.copyOf(renderers);
	}

	@Override
	public int getOrder() {
		return -2;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			return Mono.error(ex);
		}
		ApiError error = ErrorClassifier.classify(ex);
		String requestId = RequestIds.of(exchange);
		return Mono.deferContextual((context) -> {
			logError(exchange, ex, error, requestId, context);
			return write(exchange, error, requestId);
		});
	}

	private Mono<Void> write(ServerWebExchange exchange, ApiError error, String requestId) {
		ServerHttpResponse response = exchange.getResponse();
		ErrorRenderer renderer = rendererFor(exchange);
		byte[] body = this.jsonMapper.writeValueAsBytes(renderer.render(error, requestId));
		response.setStatusCode(renderer.status(error));
		if (error.details().get("retry_after") instanceof Number retryAfter) {
			response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter.longValue()));
		}
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		response.getHeaders().setContentLength(body.length);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
	}

	private ErrorRenderer rendererFor(ServerWebExchange exchange) {
		for (ErrorRenderer renderer : this.renderers) {
			if (renderer.supports(exchange)) {
				return renderer;
			}
		}
		return new NativeErrorRenderer();
	}

	/**
	 * Logs a failure with the request's trace (from the server observation in {@code context})
	 * and its id in the MDC; the id is set here because this handler runs outside the filter
	 * that puts it into the context.
	 */
	private static void logError(ServerWebExchange exchange, Throwable ex, ApiError error, String requestId,
			ContextView context) {
		String where = exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath().value();
		try (ContextSnapshot.Scope trace = RequestIdLogging.scope(context);
				MDC.MDCCloseable mdc = MDC.putCloseable(RequestIds.KEY, requestId)) {
			if (error.code() == ErrorCode.INTERNAL_ERROR) {
				logger.error("Request " + requestId + " " + where + " failed", ex);
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Request " + requestId + " " + where + " answered " + error.status().value() + " "
						+ error.code() + ": " + error.message());
			}
		}
	}

}
