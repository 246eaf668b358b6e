package org.sciport.harvest.run;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.lifecycle.Poller;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.HarvestEvents;
import org.sciport.commons.event.Topics;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.harvest.HarvestProperties;
import org.sciport.harvest.hooks.Hooks;
import org.sciport.harvest.sources.Source;
import org.sciport.harvest.sources.Source.Found;
import org.sciport.harvest.sources.SourceException;
import org.sciport.harvest.sources.Sources;
import org.sciport.harvest.storage.StorageTargets;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Carries out queued harvest runs, one at a time per replica and never two of one instrument
 * at once across replicas (a second is recorded as skipped). A run:
 * <ol>
 * <li>lists the files under the instrument's source, taking only those whose modification
 * time is at least {@code sciport.harvest.minimum-file-age} old (a file still being written is
 * held for a later run);</li>
 * <li>hands them to {@link FileTransfers} in batches of {@value #BATCH}, two batches at a time:
 * compared with their records, given ARKs, copied through the storage location's blob store
 * and verified by reading the copy back;</li>
 * <li>records its counts and announces its end on {@code sciport.harvest}.</li>
 * </ol>
 * Sources are {@code local} directories, {@code sftp} servers and {@code smb} shares.
 */
@Component
public class Harvester extends Poller {

	private static final Log logger = LogFactory.getLog(Harvester.class);

	/** Files looked up, recorded and completed together. */
	static final int BATCH = 256;

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	private final StorageTargets targets;

	private final HarvestRuns runs;

	private final HarvestProperties properties;

	private final Sources sources;

	private final Hooks hooks;

	private final FileTransfers transfers;

	Harvester(DatabaseClient database, TransactionalOperator transactions, OutboxWriter outbox, CloudEventCodec codec,
			StorageTargets targets, HarvestRuns runs, HarvestProperties properties, Sources sources, Hooks hooks,
			FileTransfers transfers) {
		this.sources = sources;
		this.transfers = transfers;
		this.hooks = hooks;
		this.database = database;
		this.transactions = transactions;
		this.outbox = outbox;
		this.codec = codec;
		this.targets = targets;
		this.runs = runs;
		this.properties = properties;
	}

	@Override
	protected Flux<?> ticks() {
		return Flux.merge(Flux.interval(Duration.ZERO, this.properties.scheduler().poll()), this.runs.requested().asFlux());
	}

	@Override
	protected Mono<Void> round() {
		return drain();
	}

	@Override
	protected Log logger() {
		return logger;
	}

	@Override
	protected String failure() {
		return "Harvest runs could not be taken up";
	}

	/** How often a running run's heartbeat is written. */
	static final Duration HEARTBEAT = Duration.ofSeconds(5);

	/** A running run whose heartbeat is older than this is taken to have lost its replica. */
	static final Duration ABANDONED = Duration.ofSeconds(30);

	/** Carries out queued runs until none is left, after queueing again those a dead replica left. */
	Mono<Void> drain() {
		return requeueAbandoned().then(claim().flatMap((run) -> execute(run).thenReturn(true)).defaultIfEmpty(false).repeat().takeWhile(Boolean::booleanValue).then());
	}

	/**
	 * Queues again the runs whose replica stopped beating (killed mid-run): the next run of the
	 * instrument finds every file that was verified before stored, and transfers only the rest.
	 */
	private Mono<Void> requeueAbandoned() {
		// Its copies still in progress end as failed: the files are taken again by the run itself.
		return this.database
			.sql("WITH abandoned AS (UPDATE harvest_run SET status = 'queued', heartbeat_at = NULL WHERE status = 'running' "
					+ "AND COALESCE(heartbeat_at, started_at) < now() - interval '" + ABANDONED.toSeconds() + " seconds' "
					+ "RETURNING id), closed AS (UPDATE file_transfer SET status = 'failed', error_message = 'the replica "
					+ "carrying out the run stopped before this copy was verified', completed_at = now() WHERE status = "
					+ "'in_progress' AND run_id IN (SELECT id FROM abandoned)) SELECT count(*) AS n FROM abandoned")
			.map((row) -> row.get("n", Long.class))
			.one()
			.doOnNext((n) -> {
				if (n > 0) {
					logger.warn(n + " harvest run(s) left running by a replica that stopped were queued again");
				}
			})
			.then();
	}

	/**
	 * A claimed run.
	 */
	record Run(UUID id, UUID instrument, @Nullable UUID schedule, @Nullable UUID storage, String trigger) {
	}

	/**
	 * Takes the oldest queued run: marks it running, or skipped when a run of its instrument is
	 * running already. Empty when nothing is queued.
	 */
	private Mono<Run> claim() {
		Mono<Run> claimed = this.transactions.transactional(this.database
			.sql("SELECT id, instrument_id, schedule_id, storage_location_id, trigger FROM harvest_run WHERE status = 'queued' "
					+ "ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED")
			.map((row) -> new Run(row.get("id", UUID.class), row.get("instrument_id", UUID.class),
					row.get("schedule_id", UUID.class), row.get("storage_location_id", UUID.class),
					row.get("trigger", String.class)))
			.one()
			.flatMap((run) -> this.database
				.sql("SELECT count(*) AS n FROM harvest_run WHERE instrument_id = :instrument AND status = 'running'")
				.bind("instrument", run.instrument())
				.map((row) -> row.get("n", Long.class))
				.one()
				.flatMap((running) -> (running > 0)
						? finish(run, "skipped", "a run of this instrument was already running", new Counts())
							.then(Mono.just(new Run(null, run.instrument(), null, null, "")))
						: this.database.sql("UPDATE harvest_run SET status = 'running', started_at = now(), heartbeat_at = now() "
								+ "WHERE id = :id")
							.bind("id", run.id())
							.then()
							.then(announce(HarvestEvents.RunStarted.TYPE, run.id().toString(),
									new HarvestEvents.RunStarted(summary(run, "running", new Counts(), null))))
							.thenReturn(run))));
		// Two replicas starting two runs of one instrument at once: the index lets one through;
		// the other run stays queued and is skipped on the next try.
		return claimed.onErrorResume(DataIntegrityViolationException.class, (ex) -> Mono.empty())
			.flatMap((run) -> (run.id() == null) ? claim() : Mono.just(run));
	}

	/** What a run counted so far. */
	static final class Counts {

		final AtomicLong discovered = new AtomicLong();

		final AtomicLong transferred = new AtomicLong();

		final AtomicLong skipped = new AtomicLong();

		final AtomicLong failed = new AtomicLong();

		final AtomicLong held = new AtomicLong();

		final AtomicLong bytes = new AtomicLong();

	}

	private Mono<Void> execute(Run run) {
		Counts counts = new Counts();
		Disposable heartbeat = Flux.interval(HEARTBEAT)
			.concatMap((tick) -> this.database.sql("UPDATE harvest_run SET heartbeat_at = now() WHERE id = :id")
				.bind("id", run.id())
				.then()
				.onErrorResume((ex) -> Mono.empty()))
			.subscribe();
		return work(run, counts).doFinally((signal) -> heartbeat.dispose());
	}

	private Mono<Void> work(Run run, Counts counts) {
		if (run.storage() == null) {
			return finish(run, "failed", "neither the schedule nor the instrument names a storage location", counts);
		}
		return this.database.sql("SELECT dataset_id FROM instrument WHERE id = :id")
			.bind("id", run.instrument())
			.map((row) -> java.util.Optional.ofNullable(row.get("dataset_id", UUID.class)))
			.one()
			.flatMap((dataset) -> this.targets.target(run.storage())
				.onErrorMap((ex) -> new HarvestFailure("storage location " + run.storage() + ": " + ex.getMessage()))
				.zipWith(this.hooks.plan(run.instrument()))
				.flatMap((prepared) -> Mono.usingWhen(
						this.sources.open(run.instrument()).onErrorMap(SourceException.class,
								(ex) -> new HarvestFailure(ex.getMessage())),
						(source) -> Mono.fromCallable(source::list)
							.subscribeOn(Schedulers.boundedElastic())
							.onErrorMap(java.io.IOException.class, (ex) -> new HarvestFailure(
									"listing the source failed: " + ex.getMessage()))
							.flatMapMany((listed) -> Flux.fromIterable(stable(listed, counts)))
							.buffer(BATCH)
							// Two batches at once: one's files are copied while the other's are recorded.
							.flatMapSequential((batch) -> this.transfers.harvest(new FileTransfers.Target(run,
									dataset.orElse(null), prepared.getT2(), source, prepared.getT1().store(), counts), batch), 2)
							.then(),
						(source) -> Mono.fromRunnable(() -> closeQuietly(source)).subscribeOn(Schedulers.boundedElastic()))))
			.then(Mono.defer(() -> finish(run, "completed", null, counts)))
			.onErrorResume((ex) -> {
				String reason = (ex instanceof HarvestFailure) ? ex.getMessage() : "the run failed: " + ex.getMessage();
				logger.warn("Harvest run " + run.id() + " failed: " + reason);
				return finish(run, "failed", reason, counts);
			});
	}

	/**
	 * The files left alone for at least {@code sciport.harvest.minimum-file-age}; the others,
	 * which may still be being written, are counted as held for a later run.
	 */
	private List<Found> stable(List<Found> listed, Counts counts) {
		Instant stableBefore = Instant.now().minus(this.properties.minimumFileAge());
		List<Found> stable = new ArrayList<>(listed.size());
		for (Found found : listed) {
			if (found.mtime().isAfter(stableBefore)) {
				counts.held.incrementAndGet();
			}
			else {
				stable.add(found);
			}
		}
		return stable;
	}

	private static void closeQuietly(Source source) {
		try {
			source.close();
		}
		catch (java.io.IOException ex) {
			// The run is over either way.
		}
	}

	/** Why a run could not harvest at all, said to the one who reads the run. */
	static final class HarvestFailure extends RuntimeException {

		HarvestFailure(String message) {
			super(message, null, false, false);
		}

	}

	private Mono<Void> finish(Run run, String status, @Nullable String error, Counts counts) {
		Mono<Void> update = this.database
			.sql("UPDATE harvest_run SET status = :status, error_message = :error, files_discovered = :discovered, "
					+ "files_transferred = :transferred, files_skipped = :skipped, files_failed = :failed, files_held = :held, "
					+ "bytes_transferred = :bytes, started_at = COALESCE(started_at, now()), completed_at = now() WHERE id = :id")
			.bind("status", status)
			.bind("discovered", (int) counts.discovered.get())
			.bind("transferred", (int) counts.transferred.get())
			.bind("skipped", (int) counts.skipped.get())
			.bind("failed", (int) counts.failed.get())
			.bind("held", (int) counts.held.get())
			.bind("bytes", counts.bytes.get())
			.bind("id", run.id())
			.bindValues(java.util.Map.of("error", (error != null) ? error
					: org.springframework.r2dbc.core.Parameter.empty(String.class)))
			.then();
		Mono<Void> instrument = "completed".equals(status)
				? this.database.sql("UPDATE instrument SET last_harvested_at = now() WHERE id = :id")
					.bind("id", run.instrument())
					.then()
				: Mono.empty();
		Mono<Void> schedule = (run.schedule() != null)
				? this.database.sql("UPDATE harvest_schedule SET last_run_at = now() WHERE id = :id")
					.bind("id", run.schedule())
					.then()
				: Mono.empty();
		HarvestEvents.Run summary = summary(run, status, counts, error);
		Mono<Void> event = "completed".equals(status)
				? announce(HarvestEvents.RunCompleted.TYPE, run.id().toString(), new HarvestEvents.RunCompleted(summary))
				: announce(HarvestEvents.RunFailed.TYPE, run.id().toString(), new HarvestEvents.RunFailed(summary));
		return this.transactions.transactional(update.then(instrument).then(schedule).then(event));
	}

	private static HarvestEvents.Run summary(Run run, String status, Counts counts, @Nullable String error) {
		return new HarvestEvents.Run(run.id().toString(), run.instrument().toString(),
				(run.schedule() != null) ? run.schedule().toString() : null, run.trigger(), status, counts.discovered.get(),
				counts.transferred.get(), counts.skipped.get(), counts.failed.get(), counts.bytes.get(), error);
	}

	private Mono<Void> announce(String type, String subject, Object data) {
		return this.outbox.append(Topics.HARVEST,
				CloudEvent.create(HarvestEvents.SOURCE, type, subject, this.codec.toData(data)));
	}

}
