package org.sciport.harvest.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.FileEvents;
import org.sciport.commons.event.HarvestEvents;
import org.sciport.commons.event.Topics;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.storage.BlobStore;
import org.sciport.harvest.HarvestProperties;
import org.sciport.harvest.ark.Ark;
import org.sciport.harvest.storage.Keys;
import org.sciport.harvest.hooks.HookPlan;
import org.sciport.harvest.hooks.HookRunner;
import org.sciport.harvest.hooks.Hooks;
import org.sciport.harvest.sources.Source;
import org.sciport.harvest.sources.Source.Found;
import org.sciport.harvest.sources.SourceException;
import org.sciport.harvest.sources.Sources;
import org.sciport.harvest.storage.StorageTargets;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Carries out queued harvest runs, one at a time per replica and never two of one instrument
 * at once across replicas (a second is recorded as skipped). A run:
 * <ol>
 * <li>discovers the files under the instrument's source, taking only those whose modification
 * time is at least {@code sciport.harvest.minimum-file-age} old (a file still being written is
 * held for a later run);</li>
 * <li>compares each with its file record: a new path is version 1; a known path whose size or
 * modification time changed is a new version with its own record and stored copy; a version
 * that failed before is tried again; one already stored is left alone;</li>
 * <li>transfers each through the storage location's blob store (which makes a blob visible
 * only once it is complete), computing xxHash64 and SHA-256 while reading the source, then
 * reads the stored copy back and computes xxHash64 again: only when the two match is the
 * transfer {@code checksum_verified}; a mismatch deletes the copy and tries again, at most
 * {@code sciport.harvest.transfer-attempts} times;</li>
 * <li>gives each new file record an ARK ({@code ark:/{naan}/{shoulder}{id}{check}});</li>
 * <li>announces what happened on {@code sciport.harvest}, in the transaction that records it.</li>
 * </ol>
 * Sources are {@code local} directories, {@code sftp} servers and {@code smb} shares.
 */
@Component
public class Harvester extends Poller {

	private static final Log logger = LogFactory.getLog(Harvester.class);

	private static final int BUFFER = 256 * 1024;

	/** xxHash64, native where it loads: loaded with this class, while the service starts, not on a transfer's thread. */
	private static final XXHashFactory XXHASH = XXHashFactory.fastestInstance();

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	private final StorageTargets targets;

	private final HarvestRuns runs;

	private final HarvestProperties properties;

	private final Sources sources;

	private final Hooks hooks;

	private final HookRunner runner;

	private final Ark ark;

	private final SecureRandom random = new SecureRandom();

	Harvester(DatabaseClient database, TransactionalOperator transactions, OutboxWriter outbox, CloudEventCodec codec,
			StorageTargets targets, HarvestRuns runs, HarvestProperties properties, Sources sources, Hooks hooks,
			HookRunner runner) {
		this.sources = sources;
		this.runner = runner;
		this.hooks = hooks;
		this.database = database;
		this.transactions = transactions;
		this.outbox = outbox;
		this.codec = codec;
		this.targets = targets;
		this.runs = runs;
		this.properties = properties;
		this.ark = new Ark(properties.naan(), properties.shoulder());
	}

	@Override
	Flux<?> ticks() {
		return Flux.merge(Flux.interval(Duration.ZERO, this.properties.scheduler().poll()), this.runs.requested().asFlux());
	}

	@Override
	Mono<Void> round() {
		return drain();
	}

	@Override
	Log logger() {
		return logger;
	}

	@Override
	String failure() {
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
		return this.database
			.sql("UPDATE harvest_run SET status = 'queued', heartbeat_at = NULL WHERE status = 'running' "
					+ "AND COALESCE(heartbeat_at, started_at) < now() - interval '" + ABANDONED.toSeconds() + " seconds'")
			.fetch()
			.rowsUpdated()
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
							.flatMapMany(Flux::fromIterable)
							.flatMap((found) -> harvest(run, dataset.orElse(null), prepared.getT2(), source,
									prepared.getT1().store(), found, counts),
									Math.max(1, this.properties.transferConcurrency()))
							.then(),
						(source) -> Mono.fromRunnable(() -> closeQuietly(source)).subscribeOn(Schedulers.boundedElastic()))))
			.then(Mono.defer(() -> finish(run, "completed", null, counts)))
			.onErrorResume((ex) -> {
				String reason = (ex instanceof HarvestFailure) ? ex.getMessage() : "the run failed: " + ex.getMessage();
				logger.warn("Harvest run " + run.id() + " failed: " + reason);
				return finish(run, "failed", reason, counts);
			});
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

	/** A file record's latest version. */
	record Latest(UUID id, int version, long size, Instant mtime, String state, @Nullable String persistentId) {
	}

	private Mono<Void> harvest(Run run, @Nullable UUID dataset, HookPlan plan, Source source, BlobStore store,
			Found found, Counts counts) {
		Instant stableBefore = Instant.now().minus(this.properties.minimumFileAge());
		if (found.mtime().isAfter(stableBefore)) {
			counts.held.incrementAndGet();
			return Mono.empty();
		}
		counts.discovered.incrementAndGet();
		Instant mtime = found.mtime().truncatedTo(ChronoUnit.MICROS);
		return this.database
			.sql("SELECT id, version, size_bytes, source_mtime, state, persistent_id FROM file_record "
					+ "WHERE instrument_id = :instrument AND source_path = :path ORDER BY version DESC LIMIT 1")
			.bind("instrument", run.instrument())
			.bind("path", found.path())
			.map((row) -> new Latest(row.get("id", UUID.class), row.get("version", Integer.class),
					row.get("size_bytes", Long.class), row.get("source_mtime", Instant.class), row.get("state", String.class),
					row.get("persistent_id", String.class)))
			.one()
			.map(java.util.Optional::of)
			.defaultIfEmpty(java.util.Optional.empty())
			.flatMap((latest) -> {
				Latest known = latest.orElse(null);
				boolean same = known != null && known.size() == found.size() && known.mtime().equals(mtime);
				if (same && "stored".equals(known.state())) {
					return Mono.empty();
				}
				if (hasControlCharacters(found.path())) {
					// Recorded, never stored: no storage key or catalogue name could carry it faithfully.
					Mono<Latest> record = (known != null) ? Mono.just(known) : unidentified(run, found, mtime, "failed");
					return record.flatMap((file) -> failed(run, file, found, null,
							"the file's name has control characters; rename it at the source", counts, List.of()));
				}
				return before(run, plan, found, mtime).flatMap((decision) -> {
					if (decision instanceof HookPlan.Skip skip) {
						return skipped(run, found, mtime, known, skip.reason(), counts);
					}
					if (decision instanceof HookPlan.Hold hold) {
						return prepare(run, found, mtime, known).flatMap((record) -> failed(run, record, found, null,
								"held back for the next run: a pre-transfer hook failed", counts, hold.errors()));
					}
					HookPlan.Take take = (HookPlan.Take) decision;
					return prepare(run, found, mtime, known)
						.flatMap((record) -> transfer(run, dataset, plan, take, source, store, found, record, counts));
				});
			});
	}

	/** The pre-transfer hooks' decision; without any, the file is taken as it is. */
	private Mono<HookPlan.Decision> before(Run run, HookPlan plan, Found found, Instant mtime) {
		if (!plan.any("pre_transfer")) {
			return Mono.just(new HookPlan.Take(null, JsonNodeFactory.instance.objectNode(), List.of()));
		}
		ObjectNode file = JsonNodeFactory.instance.objectNode();
		file.put("instrument_id", run.instrument().toString());
		file.put("run_id", run.id().toString());
		file.put("source_path", found.path());
		file.put("filename", found.path().substring(found.path().lastIndexOf('/') + 1));
		file.put("size_bytes", found.size());
		file.put("source_mtime", mtime.toString());
		return this.runner.before(plan, file);
	}

	/**
	 * The record a file is transferred under: a new one for a new path or a changed stored file
	 * (its next version); the same one, brought up to date, for a version never stored.
	 */
	private Mono<Latest> prepare(Run run, Found found, Instant mtime, @Nullable Latest known) {
		if (known == null) {
			return record(run, found, mtime, 1);
		}
		if (!"stored".equals(known.state())) {
			// Never stored: tried again, as it is now.
			return this.database
				.sql("UPDATE file_record SET size_bytes = :size, source_mtime = :mtime, updated_at = now() WHERE id = :id")
				.bind("size", found.size())
				.bind("mtime", mtime)
				.bind("id", known.id())
				.then()
				.thenReturn(known);
		}
		return record(run, found, mtime, known.version() + 1);
	}

	private static boolean hasControlCharacters(String path) {
		return path.chars().anyMatch((c) -> c < 0x20 || c == 0x7f);
	}

	/** A new file record (a new file, or a new version of one), announced. */
	private Mono<Latest> record(Run run, Found found, Instant mtime, int version) {
		UUID id = UUID.randomUUID();
		String ark = this.ark.mintRandom(this.random);
		String filename = found.path().substring(found.path().lastIndexOf('/') + 1);
		return this.transactions.transactional(this.database
			.sql("INSERT INTO file_record (id, persistent_id, persistent_id_type, instrument_id, source_path, filename, version, "
					+ "size_bytes, source_mtime, first_discovered_at, state, created_at, updated_at) VALUES (:id, :ark, 'ark', "
					+ ":instrument, :path, :filename, :version, :size, :mtime, now(), 'pending', now(), now())")
			.bind("id", id)
			.bind("ark", ark)
			.bind("instrument", run.instrument())
			.bind("path", found.path())
			.bind("filename", filename)
			.bind("version", version)
			.bind("size", found.size())
			.bind("mtime", mtime)
			.then()
			.then(announce(HarvestEvents.FileDiscovered.TYPE, id.toString(),
					new HarvestEvents.FileDiscovered(id.toString(), run.instrument().toString(), run.id().toString(),
							found.path(), version, found.size(), ark))))
			.thenReturn(new Latest(id, version, found.size(), mtime, "pending", ark));
	}

	/** The checksums of one pass over some bytes. */
	static final class Hashes {

		private final StreamingXXHash64 xxhash = XXHASH.newStreamingHash64(0);

		private final @Nullable MessageDigest sha256;

		private final byte[] copy = new byte[BUFFER];

		long bytes;

		Hashes(boolean sha256) {
			try {
				this.sha256 = sha256 ? MessageDigest.getInstance("SHA-256") : null;
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException(ex);
			}
		}

		void update(DataBuffer buffer) {
			try (DataBuffer.ByteBufferIterator buffers = buffer.readableByteBuffers()) {
				while (buffers.hasNext()) {
					ByteBuffer bytes = buffers.next();
					if (this.sha256 != null) {
						this.sha256.update(bytes.duplicate());
					}
					while (bytes.hasRemaining()) {
						int n = Math.min(bytes.remaining(), this.copy.length);
						bytes.get(this.copy, 0, n);
						this.xxhash.update(this.copy, 0, n);
						this.bytes += n;
					}
				}
			}
		}

		String xxhash() {
			return HexFormat.of().toHexDigits(this.xxhash.getValue());
		}

		@Nullable String sha256() {
			return (this.sha256 != null) ? HexFormat.of().formatHex(this.sha256.digest()) : null;
		}

	}

	private Mono<Void> transfer(Run run, @Nullable UUID dataset, HookPlan plan, HookPlan.Take take, Source source,
			BlobStore store, Found found, Latest record, Counts counts) {
		String destination = take.destination();
		String key;
		try {
			String filename = found.path().substring(found.path().lastIndexOf('/') + 1);
			key = Keys.of(run.instrument(), record.version(), (destination != null) ? destination + "/" + filename : found.path());
		}
		catch (RuntimeException ex) {
			return failed(run, record, found, null, ex.getMessage(), counts, take.errors());
		}
		UUID transfer = UUID.randomUUID();
		return this.database
			.sql("INSERT INTO file_transfer (id, file_id, run_id, storage_location_id, destination_path, status, started_at, "
					+ "created_at) VALUES (:id, :file, :run, :storage, :key, 'in_progress', now(), now())")
			.bind("id", transfer)
			.bind("file", record.id())
			.bind("run", run.id())
			.bind("storage", run.storage())
			.bind("key", key)
			.then()
			.then(attempt(store, source, found.path(), found.size(), key, 1))
			.flatMap((result) -> completed(run, dataset, plan, take, record, found, transfer, key, result, counts))
			.onErrorResume((ex) -> failed(run, record, found, transfer, reason(ex), counts, take.errors()));
	}

	/**
	 * @param sourceXxhash xxHash64 of the bytes read from the source
	 * @param storedXxhash xxHash64 of the stored copy, read back
	 * @param sha256 SHA-256 of the source's bytes
	 * @param bytes how many bytes
	 * @param attempts tries it took
	 */
	record Result(String sourceXxhash, String storedXxhash, @Nullable String sha256, long bytes, int attempts) {
	}

	private Mono<Result> attempt(BlobStore store, Source from, String path, long size, String key, int attempt) {
		Hashes source = new Hashes(true);
		// The source's stream blocks: read on a thread meant for it.
		Flux<DataBuffer> content = DataBufferUtils
			.readInputStream(() -> from.open(path), DefaultDataBufferFactory.sharedInstance, BUFFER)
			.subscribeOn(Schedulers.boundedElastic())
			.doOnNext(source::update);
		return store.write(key, content)
			.then(Mono.defer(() -> {
				Hashes stored = new Hashes(false);
				return store.read(key).doOnNext((buffer) -> {
					try {
						stored.update(buffer);
					}
					finally {
						DataBufferUtils.release(buffer);
					}
				}).then(Mono.fromSupplier(() -> new Result(source.xxhash(), stored.xxhash(), source.sha256(), source.bytes,
						attempt)));
			}))
			.flatMap((result) -> {
				if (result.bytes() != size) {
					// The instrument wrote to the file (or cut it) after it was listed: stored as it
					// is, it would be neither the old file nor the new one.
					return store.delete(key).onErrorResume((ex) -> Mono.empty())
						.then(Mono.error(new HarvestFailure("the file changed while it was read (" + result.bytes() + " of "
								+ size + " bytes); it is taken again once it is stable")));
				}
				if (result.sourceXxhash().equals(result.storedXxhash())) {
					return Mono.just(result);
				}
				logger.warn("The stored copy of " + key + " does not match its source (attempt " + attempt + ")");
				Mono<Void> removed = store.delete(key).onErrorResume((ex) -> Mono.empty());
				if (attempt >= Math.max(1, this.properties.transferAttempts())) {
					return removed.then(Mono.error(new IllegalStateException("the stored copy did not match the source after "
							+ attempt + " attempts")));
				}
				return removed.then(attempt(store, from, path, size, key, attempt + 1));
			});
	}

	private Mono<Void> completed(Run run, @Nullable UUID dataset, HookPlan plan, HookPlan.Take take, Latest record,
			Found found, UUID transfer, String key, Result result, Counts counts) {
		Mono<HookRunner.After> hooked = plan.any("post_transfer")
				? this.runner.after(plan, hookView(run, record, found, transfer, key, result), take.metadata())
				: Mono.just(new HookRunner.After(take.metadata(), List.of(), List.of()));
		return hooked.flatMap((after) -> stored(run, dataset, record, found, transfer, key, result, counts, after,
				concat(take.errors(), after.errors())));
	}

	/** The stored file as post-transfer hooks see it. */
	private static ObjectNode hookView(Run run, Latest record, Found found, UUID transfer, String key, Result result) {
		ObjectNode file = JsonNodeFactory.instance.objectNode();
		file.put("id", record.id().toString());
		file.put("persistent_id", record.persistentId());
		file.put("instrument_id", run.instrument().toString());
		file.put("run_id", run.id().toString());
		file.put("transfer_id", transfer.toString());
		file.put("source_path", found.path());
		file.put("filename", found.path().substring(found.path().lastIndexOf('/') + 1));
		file.put("version", record.version());
		file.put("size_bytes", result.bytes());
		file.put("source_mtime", record.mtime().toString());
		file.put("destination_path", key);
		file.put("xxhash", result.sourceXxhash());
		file.put("sha256", result.sha256());
		file.put("checksum_verified", true);
		return file;
	}

	private static <T> List<T> concat(List<T> first, List<T> second) {
		List<T> all = new ArrayList<>(first);
		all.addAll(second);
		return all;
	}

	private static String hookErrors(List<HookPlan.HookError> errors) {
		ArrayNode array = JsonNodeFactory.instance.arrayNode();
		for (HookPlan.HookError error : errors) {
			array.addObject().put("hook_id", error.hookId().toString()).put("hook", error.hook()).put("error", error.error());
		}
		return array.toString();
	}

	private Mono<Void> stored(Run run, @Nullable UUID dataset, Latest record, Found found, UUID transfer, String key,
			Result result, Counts counts, HookRunner.After after, List<HookPlan.HookError> errors) {
		ObjectNode metadata = after.metadata();
		List<HookPlan.Grant> grants = after.grants();
		Mono<Void> granted = Flux.fromIterable(grants)
			.concatMap((grant) -> this.database
				.sql("INSERT INTO file_access (file_id, grantee_type, grantee_id, hook_id, created_at) "
						+ "VALUES (:file, :type, :grantee, :hook, now()) ON CONFLICT DO NOTHING")
				.bind("file", record.id())
				.bind("type", grant.granteeType())
				.bind("grantee", grant.granteeId())
				.bind("hook", grant.hookId())
				.then())
			.then();
		counts.transferred.incrementAndGet();
		counts.bytes.addAndGet(result.bytes());
		String filename = found.path().substring(found.path().lastIndexOf('/') + 1);
		FileEvents.TransferCompleted event = new FileEvents.TransferCompleted(
				(dataset != null) ? dataset.toString() : null, transfer.toString(),
				List.of(new FileEvents.DatasetFile(record.id().toString(), filename, result.bytes(), null, null,
						result.sha256())),
				run.instrument().toString(), run.id().toString(), record.persistentId(), key, true);
		return this.transactions.transactional(this.database
			.sql("UPDATE file_transfer SET status = 'completed', bytes_transferred = :bytes, source_checksum = :source, "
					+ "dest_checksum = :stored, checksum_verified = true, attempts = :attempts, hook_errors = CAST(:errors AS jsonb), "
					+ "completed_at = now() WHERE id = :id")
			.bind("errors", hookErrors(errors))
			.bind("bytes", result.bytes())
			.bind("source", result.sourceXxhash())
			.bind("stored", result.storedXxhash())
			.bind("attempts", result.attempts())
			.bind("id", transfer)
			.then()
			.then(this.database
				.sql("UPDATE file_record SET state = 'stored', xxhash = :xxhash, sha256 = :sha256, size_bytes = :bytes, "
						+ "metadata_ = metadata_ || CAST(:metadata AS jsonb), updated_at = now() WHERE id = :id")
				.bind("metadata", metadata.toString())
				.bind("xxhash", result.sourceXxhash())
				.bind("sha256", (result.sha256() != null) ? result.sha256() : "")
				.bind("bytes", result.bytes())
				.bind("id", record.id())
				.then())
			.then(granted)
			.then(announce(FileEvents.TransferCompleted.TYPE, transfer.toString(), event)));
	}

	/**
	 * A file a pre-transfer hook keeps back: recorded once (a record without an identifier and a
	 * skipped transfer), counted in every run that keeps it back.
	 */
	private Mono<Void> skipped(Run run, Found found, Instant mtime, @Nullable Latest latest, String reason,
			Counts counts) {
		if (latest != null && !"skipped".equals(latest.state())) {
			// Harvested before the hook held it back: left as it is.
			return Mono.empty();
		}
		counts.skipped.incrementAndGet();
		if (latest != null) {
			return Mono.empty();
		}
		UUID file = UUID.randomUUID();
		UUID transfer = UUID.randomUUID();
		return this.transactions.transactional(insertUnidentified(file, run, found, mtime, "skipped")
			.then(this.database
				.sql("INSERT INTO file_transfer (id, file_id, run_id, storage_location_id, status, error_message, started_at, "
						+ "completed_at, created_at) VALUES (:id, :file, :run, :storage, 'skipped', :reason, now(), now(), now())")
				.bind("id", transfer)
				.bind("file", file)
				.bind("run", run.id())
				.bind("storage", run.storage())
				.bind("reason", reason)
				.then())
			.then(announce(HarvestEvents.TransferSkipped.TYPE, transfer.toString(),
					new HarvestEvents.TransferSkipped(transfer.toString(), file.toString(), run.instrument().toString(),
							run.id().toString(), found.path(), reason))));
	}

	/** A record without an identifier, for a file that is not stored (kept back, or refused). */
	private Mono<Latest> unidentified(Run run, Found found, Instant mtime, String state) {
		UUID file = UUID.randomUUID();
		return insertUnidentified(file, run, found, mtime, state)
			.thenReturn(new Latest(file, 1, found.size(), mtime, state, null));
	}

	private Mono<Void> insertUnidentified(UUID file, Run run, Found found, Instant mtime, String state) {
		return this.database
			.sql("INSERT INTO file_record (id, instrument_id, source_path, filename, version, size_bytes, source_mtime, "
					+ "first_discovered_at, state, created_at, updated_at) VALUES (:id, :instrument, :path, :filename, 1, :size, "
					+ ":mtime, now(), :state, now(), now())")
			.bind("id", file)
			.bind("instrument", run.instrument())
			.bind("path", found.path())
			.bind("filename", found.path().substring(found.path().lastIndexOf('/') + 1))
			.bind("size", found.size())
			.bind("mtime", mtime)
			.bind("state", state)
			.then();
	}

	private Mono<Void> failed(Run run, Latest record, Found found, @Nullable UUID transfer, String reason, Counts counts,
			List<HookPlan.HookError> errors) {
		counts.failed.incrementAndGet();
		UUID id = (transfer != null) ? transfer : UUID.randomUUID();
		Mono<Void> write = (transfer != null)
				? this.database
					.sql("UPDATE file_transfer SET status = 'failed', error_message = :reason, hook_errors = CAST(:errors AS jsonb), "
							+ "completed_at = now() WHERE id = :id")
					.bind("reason", reason)
					.bind("errors", hookErrors(errors))
					.bind("id", id)
					.then()
				: this.database
					.sql("INSERT INTO file_transfer (id, file_id, run_id, storage_location_id, status, error_message, hook_errors, "
							+ "started_at, completed_at, created_at) VALUES (:id, :file, :run, :storage, 'failed', :reason, "
							+ "CAST(:errors AS jsonb), now(), now(), now())")
					.bind("errors", hookErrors(errors))
					.bind("id", id)
					.bind("file", record.id())
					.bind("run", run.id())
					.bind("storage", run.storage())
					.bind("reason", reason)
					.then();
		return this.transactions.transactional(write
			.then(this.database.sql("UPDATE file_record SET state = 'failed', updated_at = now() WHERE id = :id")
				.bind("id", record.id())
				.then())
			.then(announce(HarvestEvents.TransferFailed.TYPE, id.toString(),
					new HarvestEvents.TransferFailed(id.toString(), record.id().toString(), run.instrument().toString(),
							run.id().toString(), found.path(), reason))));
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

	private static String reason(Throwable error) {
		Throwable root = error;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		if (root instanceof java.nio.file.NoSuchFileException) {
			return "the file vanished from the source before it was read";
		}
		if (root instanceof UncheckedIOException || root instanceof IOException) {
			return "reading or storing the file failed: " + root.getMessage();
		}
		return (error.getMessage() != null) ? error.getMessage() : error.getClass().getSimpleName();
	}

}
