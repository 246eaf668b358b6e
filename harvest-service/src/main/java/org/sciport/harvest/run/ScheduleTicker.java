package org.sciport.harvest.run;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.lifecycle.Poller;
import org.sciport.harvest.HarvestProperties;
import org.sciport.commons.schedule.CronSchedule;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Fires the schedules. Each replica looks for due schedules every
 * {@code sciport.harvest.scheduler.poll}; a due schedule is locked ({@code FOR UPDATE SKIP
 * LOCKED}), its run queued and its next tick written in one transaction, so a tick fires exactly
 * once however many replicas look. A tick missed while no replica ran is run once (trigger
 * {@code missed}) if it is at most {@code sciport.harvest.scheduler.missed-deadline} old, and
 * recorded as a skipped run otherwise; ticks missed before the latest are not run again.
 */
@Component
public class ScheduleTicker extends Poller {

	private static final Log logger = LogFactory.getLog(ScheduleTicker.class);

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final HarvestRuns runs;

	private final HarvestProperties properties;

	ScheduleTicker(DatabaseClient database, TransactionalOperator transactions, HarvestRuns runs,
			HarvestProperties properties) {
		this.database = database;
		this.transactions = transactions;
		this.runs = runs;
		this.properties = properties;
	}

	@Override
	protected Flux<?> ticks() {
		return Flux.interval(Duration.ZERO, this.properties.scheduler().poll());
	}

	@Override
	protected Mono<Void> round() {
		return fireDue();
	}

	@Override
	protected Log logger() {
		return logger;
	}

	@Override
	protected String failure() {
		return "Looking for due schedules failed";
	}

	/** A due schedule. */
	record Due(UUID id, UUID instrument, @Nullable UUID storage, String cron, String zone, Instant tick) {
	}

	/** Fires every due schedule, one transaction each. */
	public Mono<Void> fireDue() {
		return fireOne().repeat().takeWhile(Boolean::booleanValue).then();
	}

	private Mono<Boolean> fireOne() {
		Instant now = Instant.now();
		return this.transactions.transactional(this.database
			.sql("SELECT s.id, s.instrument_id, s.default_storage_location_id, s.cron_expression, s.timezone, s.next_run_at "
					+ "FROM harvest_schedule s JOIN instrument i ON i.id = s.instrument_id "
					+ "WHERE s.enabled AND s.deleted_at IS NULL AND i.deleted_at IS NULL AND i.enabled AND s.next_run_at <= :now "
					+ "ORDER BY s.next_run_at LIMIT 1 FOR UPDATE OF s SKIP LOCKED")
			.bind("now", now)
			.map((row) -> new Due(row.get("id", UUID.class), row.get("instrument_id", UUID.class),
					row.get("default_storage_location_id", UUID.class), row.get("cron_expression", String.class),
					row.get("timezone", String.class), row.get("next_run_at", Instant.class)))
			.one()
			.flatMap((due) -> {
				CronSchedule cron = CronSchedule.parse(due.cron(), due.zone());
				Instant next = cron.next(now);
				boolean missed = due.tick().isBefore(now.minus(this.properties.scheduler().missedDeadline()));
				Mono<Void> advance = this.database.sql("UPDATE harvest_schedule SET next_run_at = :next WHERE id = :id")
					.bindValues(java.util.Map.of("next", (next != null) ? next
							: org.springframework.r2dbc.core.Parameter.empty(Instant.class)))
					.bind("id", due.id())
					.then();
				Mono<?> run = missed ? skipped(due) : this.runs.request(due.instrument(), due.id(), due.storage(),
						due.tick().isBefore(now.minus(this.properties.scheduler().poll().multipliedBy(5))) ? "missed" : "schedule",
						null, null);
				return advance.then(run).thenReturn(true);
			})
			.defaultIfEmpty(false));
	}

	private Mono<Void> skipped(Due due) {
		return this.database
			.sql("INSERT INTO harvest_run (id, instrument_id, schedule_id, storage_location_id, trigger, status, error_message, "
					+ "created_at, completed_at) VALUES (:id, :instrument, :schedule, NULL, 'missed', 'skipped', :reason, now(), now())")
			.bind("id", UUID.randomUUID())
			.bind("instrument", due.instrument())
			.bind("schedule", due.id())
			.bind("reason", "the tick at " + due.tick() + " was missed while no harvest-service ran, and is older than "
					+ "sciport.harvest.scheduler.missed-deadline")
			.then();
	}

}
