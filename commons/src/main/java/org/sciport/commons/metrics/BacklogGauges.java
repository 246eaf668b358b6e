package org.sciport.commons.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.sciport.commons.lifecycle.Poller;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Counts each {@link Backlog} every {@code every} and publishes the last count as a gauge. A
 * gauge is read on the scraper's thread and must not wait for the database, so the counts are
 * taken in the background; a count that fails keeps the previous value and is tried again at
 * the next turn.
 */
public class BacklogGauges extends Poller {

	private static final Log logger = LogFactory.getLog(BacklogGauges.class);

	private final DatabaseClient database;

	private final List<Backlog> backlogs;

	private final Duration every;

	private final Map<Backlog, AtomicLong> counts = new ConcurrentHashMap<>();

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
					logger.debug("Counting " + backlog.queue() + " failed: " + ex);
					return Mono.empty();
				}))
			.then();
	}

	@Override
	protected Flux<?> ticks() {
		return Flux.interval(Duration.ZERO, this.every);
	}

	@Override
	protected Mono<Void> round() {
		return refresh();
	}

	@Override
	protected Log logger() {
		return logger;
	}

	@Override
	protected String failure() {
		return "Counting the backlogs failed";
	}

}
