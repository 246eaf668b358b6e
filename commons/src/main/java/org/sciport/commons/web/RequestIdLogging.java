package org.sciport.commons.web;

import io.micrometer.context.ContextRegistry;
import org.slf4j.MDC;

/**
 * Registers the request id as a context-propagation thread-local whose value lives in the
 * logging MDC. With Reactor's automatic context propagation on, every log line written while
 * serving a request carries {@code request_id}.
 */
public final class RequestIdLogging {

	private static volatile boolean registered;

	private RequestIdLogging() {
	}

	public static synchronized void register() {
		if (registered) {
			return;
		}
		ContextRegistry.getInstance()
			.registerThreadLocalAccessor(RequestIds.KEY, () -> MDC.get(RequestIds.KEY),
					(value) -> MDC.put(RequestIds.KEY, value), () -> MDC.remove(RequestIds.KEY));
		registered = true;
	}

}
