package org.sciport.commons.web;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * The request's log lines carry its {@code request_id} (and trace ids) in the logging MDC.
 *
 * <p>The request id is registered as a context-propagation thread-local whose value lives in
 * the MDC; the Reactor context carries it (see {@link RequestIdFilter}). Reactor copies the
 * context into thread-locals only where asked ({@code spring.reactor.context-propagation=limited}):
 * in {@code handle} and {@code tap}, and in {@link #log} and {@link #scope} here. Copying it on
 * every signal instead ({@code auto}) cost the upload paths 7–22% of their CPU: an upload's
 * body passes through several such copies for every network buffer. Log lines the libraries
 * write on their own while serving a request carry neither id now.
 */
public final class RequestIdLogging {

	private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().clearMissing(true).build();

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

	/**
	 * Runs {@code logging} with the subscriber's context (request id, trace) in the MDC: for a
	 * log line written as a step of a reactive chain.
	 */
	public static Mono<Void> log(Runnable logging) {
		return Mono.deferContextual((context) -> {
			try (ContextSnapshot.Scope scope = scope(context)) {
				logging.run();
			}
			return Mono.empty();
		});
	}

	/**
	 * Puts {@code context}'s request id and trace into this thread's MDC until the scope is
	 * closed (and clears what the context does not have, so no other request's id shows): for a
	 * log line written inside a callable that has the context at hand.
	 */
	public static ContextSnapshot.Scope scope(ContextView context) {
		return SNAPSHOTS.setThreadLocalsFrom(context);
	}

}
