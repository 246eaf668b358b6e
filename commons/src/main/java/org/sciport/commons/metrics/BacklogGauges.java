package org.sciport.commons.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Counts each {@link Backlog} every {@code every} and publishes the last count as a gauge. A
 * gauge is read on the scraper's thread and must not wait for the database, so the counts are
 * taken in the background; a count that fails keeps the previous value and is tried again at
 * the next turn.
 */
public class BacklogGauges implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(BacklogGauges.class);

	private final DatabaseClient database;

	private final List<Backlog> backlogs;

	private final Duration every;

	private final Map<Backlog, AtomicLong> counts = new ConcurrentHashMap<>();

	private volatile @Nullable Disposable schedule;

	public BacklogGauges(DatabaseClient database, List<Backlog> backlogs, MeterRegistry meters, Duration every) {
		this.database = database;
		this.backlogs = List.copyOf(backlogs);
		this.every = every;
		for (Backlog backlog : this.backlogs) {
			AtomicLong count = new AtomicLong();
			this.counts.put(backlog, count);
			Gauge.builder(backlog.metric(), count, AtomicLong::get)
				.description(backlog.description())
				.tag("queue", backlog.queue())
				.register(meters);
		}
	}

	/** Counts every backlog once, now. */
	public Mono<Void> refresh() {
		return Flux.fromIterable(this.backlogs)
			.concatMap((backlog) -> this.database.sql(backlog.countSql())
				.map((row) -> row.get("n", Long.class))
				.one()
				.doOnNext((n) -> this.counts.get(backlog).set(n))
				.onErrorResume((ex) -> {
					logger.debug("Counting {} failed: {}", backlog.queue(), ex.toString());
					return Mono.empty();
				}))
			.then();
	}

	@Override
	public void start() {
		this.schedule = Flux.interval(Duration.ZERO, this.every)
			.onBackpressureDrop()
			.concatMap((tick) -> refresh(), 1)
			.subscribe();
	}

	@Override
	public void stop() {
		Disposable running = this.schedule;
		if (running != null) {
			running.dispose();
		}
		this.schedule = null;
	}

	@Override
	public boolean isRunning() {
		return this.schedule != null;
	}

}
