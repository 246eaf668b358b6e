package org.sciport.commons.lifecycle;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A loop a replica runs while it is up: on every tick it does its work, one round at a time
 * (ticks that come during a round are dropped), and a round that fails is logged and the next
 * tick tries again.
 */
public abstract class Poller implements SmartLifecycle {

	private volatile @Nullable Disposable loop;

	/** When to do a round. */
	protected abstract Flux<?> ticks();

	/** One round. */
	protected abstract Mono<Void> round();

	/** Where a failed round is logged, and how it is said. */
	protected abstract Log logger();

	/** What a failed round's log line says before the error. */
	protected abstract String failure();

	@Override
	public void start() {
		this.loop = ticks().onBackpressureDrop()
			.concatMap((tick) -> round().onErrorResume((ex) -> {
				logger().warn(failure() + ": " + ex.getMessage());
				return Mono.empty();
			}), 1)
			.subscribe();
	}

	@Override
	public void stop() {
		Disposable running = this.loop;
		if (running != null) {
			running.dispose();
		}
	}

	@Override
	public boolean isRunning() {
		Disposable running = this.loop;
		return running != null && !running.isDisposed();
	}

}
