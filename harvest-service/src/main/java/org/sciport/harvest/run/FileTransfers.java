package org.sciport.harvest.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
import org.sciport.harvest.hooks.HookPlan;
import org.sciport.harvest.hooks.HookRunner;
import org.sciport.harvest.run.Harvester.Counts;
import org.sciport.harvest.run.Harvester.HarvestFailure;
import org.sciport.harvest.run.Harvester.Run;
import org.sciport.harvest.sources.Source;
import org.sciport.harvest.sources.Source.Found;
import org.sciport.harvest.storage.Keys;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Harvests a run's stable files in batches. For each batch, a few statements whatever its size:
 * <ol>
 * <li>one query finds the latest record of every file in it;</li>
 * <li>each file is compared with its record (a stored file unchanged is left alone; a changed
 * one is a new version; one never stored is tried again), and the pre-transfer hooks decide
 * (a skipped file is recorded once, without an identifier);</li>
 * <li>one transaction writes the new records (each with its ARK), brings the retried ones up to
 * date, opens a transfer for each, and announces the new records;</li>
 * <li>the files are copied, at most {@code sciport.harvest.transfer-concurrency} at once,
 * computing xxHash64 and SHA-256 while reading the source, then reading the stored copy back for
 * xxHash64 again: only a copy whose two hashes match, and whose size is the size listed, is
 * verified; a mismatch deletes the copy and tries again, at most
 * {@code sciport.harvest.transfer-attempts} times; then the post-transfer hooks run;</li>
 * <li>one transaction records every transfer's end (completed and verified, or failed with its
 * reason), the records' state and metadata, the hooks' grants and errors, and announces them.</li>
 * </ol>
 * A run killed mid-batch leaves records {@code pending} and transfers {@code in_progress}: the
 * next run takes those files again, and a copy already verified is never part of that.
 */
@Component
class FileTransfers {

	private static final Log logger = LogFactory.getLog(FileTransfers.class);

	private static final int BUFFER = 256 * 1024;

	/**
	 * The read buffer for a file of {@code size} bytes: the whole file and one byte more (so the
	 * end is seen in the same read) up to {@value #BUFFER}, at least 8 KiB.
	 */
	static int bufferFor(long size) {
		return (int) Math.max(8 * 1024, Math.min(BUFFER, size + 1));
	}

	/** xxHash64, native where it loads: loaded with this class, while the service starts, not on a transfer's thread. */
	private static final XXHashFactory XXHASH = XXHashFactory.fastestInstance();

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	private final HarvestProperties properties;

	private final HookRunner runner;

	private final Ark ark;

	private final SecureRandom random = new SecureRandom();

	FileTransfers(DatabaseClient database, TransactionalOperator transactions, OutboxWriter outbox, CloudEventCodec codec,
			HarvestProperties properties, HookRunner runner) {
		this.database = database;
		this.transactions = transactions;
		this.outbox = outbox;
		this.codec = codec;
		this.properties = properties;
		this.runner = runner;
		this.ark = new Ark(properties.naan(), properties.shoulder());
	}

	/**
	 * What a run harvests into: the instrument's catalogue dataset, its hooks, its source and
	 * the storage location's store.
	 */
	record Target(Run run, @Nullable UUID dataset, HookPlan plan, Source source, BlobStore store, Counts counts) {
	}

	/** Harvests one batch of stable files. */
	Mono<Void> harvest(Target target, List<Found> batch) {
		target.counts().discovered.addAndGet(batch.size());
		return latest(target.run(), batch)
			.flatMapMany((latest) -> Flux.fromIterable(batch)
				.flatMapSequential((found) -> plan(target, found, latest.get(found.path())),
						Math.max(1, this.properties.transferConcurrency())))
			.collectList()
			.flatMap((planned) -> planned.isEmpty() ? Mono.empty() : open(target, planned)
				.thenMany(Flux.fromIterable(planned)
					.flatMap((file) -> copy(target, file), Math.max(1, this.properties.transferConcurrency())))
				.collectList()
				.flatMap((ends) -> close(target, ends)));
	}

	/** A file record's latest version. */
	record Latest(UUID id, int version, long size, Instant mtime, String state, @Nullable String persistentId) {
	}

	/** The latest record of each of the batch's files that has one, by source path. */
	private Mono<Map<String, Latest>> latest(Run run, List<Found> batch) {
		String[] paths = batch.stream().map(Found::path).toArray(String[]::new);
		return this.database
			.sql("SELECT DISTINCT ON (source_path) id, source_path, version, size_bytes, source_mtime, state, persistent_id "
					+ "FROM file_record WHERE instrument_id = :instrument AND source_path = ANY(CAST(:paths AS text[])) "
					+ "ORDER BY source_path, version DESC")
			.bind("instrument", run.instrument())
			.bind("paths", paths)
			.map((row) -> Map.entry(row.get("source_path", String.class),
					new Latest(row.get("id", UUID.class), row.get("version", Integer.class), row.get("size_bytes", Long.class),
							row.get("source_mtime", Instant.class), row.get("state", String.class),
							row.get("persistent_id", String.class))))
			.all()
			.collectMap(Map.Entry::getKey, Map.Entry::getValue);
	}

	/**
	 * A file this batch transfers (or holds back, recording why).
	 *
	 * @param found the file at the source
	 * @param record the record it is transferred under
	 * @param fresh whether that record is new (else a version never stored, tried again)
	 * @param transfer the transfer's id
	 * @param key where its copy goes, {@code null} when it is not copied
	 * @param decision what the pre-transfer hooks decided
	 * @param refusal why it is not copied, when it is not
	 */
	record Planned(Found found, Latest record, boolean fresh, UUID transfer, @Nullable String key, HookPlan.Decision decision,
			@Nullable String refusal) {

		List<HookPlan.HookError> errors() {
			return (this.decision instanceof HookPlan.Take take) ? take.errors()
					: (this.decision instanceof HookPlan.Hold hold) ? hold.errors() : List.of();
		}

		ObjectNode metadata() {
			return (this.decision instanceof HookPlan.Take take) ? take.metadata() : JsonNodeFactory.instance.objectNode();
		}

	}

	/**
	 * Compares a file with its latest record and asks the pre-transfer hooks: empty when there is
	 * nothing to transfer (unchanged, or kept back, which is recorded here).
	 */
	private Mono<Planned> plan(Target target, Found found, @Nullable Latest known) {
		Run run = target.run();
		Instant mtime = found.mtime().truncatedTo(ChronoUnit.MICROS);
		boolean same = known != null && known.size() == found.size() && known.mtime().equals(mtime);
		if (same && "stored".equals(known.state())) {
			return Mono.empty();
		}
		if (hasControlCharacters(found.path())) {
			// Recorded, never stored: no storage key or catalogue name could carry it faithfully.
			Mono<Latest> record = (known != null) ? Mono.just(known) : unidentified(run, found, mtime, "failed");
			return record.flatMap((file) -> failed(run, file, found, "the file's name has control characters; rename it at "
					+ "the source", target.counts())).then(Mono.empty());
		}
		return before(run, target.plan(), found, mtime).flatMap((decision) -> {
			if (decision instanceof HookPlan.Skip skip) {
				return skipped(run, found, mtime, known, skip.reason(), target.counts()).then(Mono.empty());
			}
			boolean fresh = known == null || "stored".equals(known.state());
			Latest record = fresh
					? new Latest(UUID.randomUUID(), (known == null) ? 1 : known.version() + 1, found.size(), mtime, "pending",
							this.ark.mintRandom(this.random))
					: new Latest(known.id(), known.version(), found.size(), mtime, known.state(), known.persistentId());
			if (decision instanceof HookPlan.Hold) {
				return Mono.just(new Planned(found, record, fresh, UUID.randomUUID(), null, decision,
						"held back for the next run: a pre-transfer hook failed"));
			}
			String destination = ((HookPlan.Take) decision).destination();
			String filename = found.path().substring(found.path().lastIndexOf('/') + 1);
			try {
				String key = Keys.of(run.instrument(), record.version(),
						(destination != null) ? destination + "/" + filename : found.path());
				return Mono.just(new Planned(found, record, fresh, UUID.randomUUID(), key, decision, null));
			}
			catch (RuntimeException ex) {
				return Mono.just(new Planned(found, record, fresh, UUID.randomUUID(), null, decision, ex.getMessage()));
			}
		});
	}

	/**
	 * Writes the batch's new records (announced) and brings the retried ones up to date, and
	 * opens a transfer for each file, in one transaction.
	 */
	private Mono<Void> open(Target target, List<Planned> planned) {
		Run run = target.run();
		List<Planned> fresh = planned.stream().filter(Planned::fresh).toList();
		List<Planned> retried = planned.stream().filter((file) -> !file.fresh()).toList();
		Mono<Void> inserted = fresh.isEmpty() ? Mono.empty() : this.database
			.sql("INSERT INTO file_record (id, persistent_id, persistent_id_type, instrument_id, source_path, filename, version, "
					+ "size_bytes, source_mtime, first_discovered_at, state, created_at, updated_at) "
					+ "SELECT v.id, v.ark, 'ark', :instrument, v.path, v.filename, v.version, v.size, CAST(v.mtime AS timestamptz), "
					+ "now(), 'pending', now(), now() FROM unnest(CAST(:ids AS uuid[]), CAST(:arks AS text[]), "
					+ "CAST(:paths AS text[]), CAST(:filenames AS text[]), CAST(:versions AS int[]), CAST(:sizes AS bigint[]), "
					+ "CAST(:mtimes AS text[])) AS v(id, ark, path, filename, version, size, mtime)")
			.bind("instrument", run.instrument())
			.bind("ids", fresh.stream().map((file) -> file.record().id()).toArray(UUID[]::new))
			.bind("arks", fresh.stream().map((file) -> file.record().persistentId()).toArray(String[]::new))
			.bind("paths", fresh.stream().map((file) -> file.found().path()).toArray(String[]::new))
			.bind("filenames", fresh.stream().map((file) -> filename(file.found())).toArray(String[]::new))
			.bind("versions", fresh.stream().map((file) -> file.record().version()).toArray(Integer[]::new))
			.bind("sizes", fresh.stream().map((file) -> file.found().size()).toArray(Long[]::new))
			.bind("mtimes", fresh.stream().map((file) -> file.record().mtime().toString()).toArray(String[]::new))
			.then();
		Mono<Void> updated = retried.isEmpty() ? Mono.empty() : this.database
			.sql("UPDATE file_record f SET size_bytes = v.size, source_mtime = CAST(v.mtime AS timestamptz), updated_at = now() "
					+ "FROM unnest(CAST(:ids AS uuid[]), CAST(:sizes AS bigint[]), CAST(:mtimes AS text[])) AS v(id, size, mtime) "
					+ "WHERE f.id = v.id")
			.bind("ids", retried.stream().map((file) -> file.record().id()).toArray(UUID[]::new))
			.bind("sizes", retried.stream().map((file) -> file.found().size()).toArray(Long[]::new))
			.bind("mtimes", retried.stream().map((file) -> file.record().mtime().toString()).toArray(String[]::new))
			.then();
		DatabaseClient.GenericExecuteSpec transfers = this.database
			.sql("INSERT INTO file_transfer (id, file_id, run_id, storage_location_id, destination_path, status, started_at, "
					+ "created_at) SELECT v.id, v.file, :run, :storage, v.key, 'in_progress', now(), now() "
					+ "FROM unnest(CAST(:ids AS uuid[]), CAST(:files AS uuid[]), CAST(:keys AS text[])) AS v(id, file, key)")
			.bind("run", run.id())
			.bind("storage", run.storage())
			.bind("ids", planned.stream().map(Planned::transfer).toArray(UUID[]::new))
			.bind("files", planned.stream().map((file) -> file.record().id()).toArray(UUID[]::new))
			.bind("keys", planned.stream().map(Planned::key).toArray(String[]::new));
		List<CloudEvent> discovered = fresh.stream()
			.map((file) -> event(HarvestEvents.FileDiscovered.TYPE, file.record().id().toString(),
					new HarvestEvents.FileDiscovered(file.record().id().toString(), run.instrument().toString(),
							run.id().toString(), file.found().path(), file.record().version(), file.found().size(),
							file.record().persistentId())))
			.toList();
		return this.transactions.transactional(inserted.then(updated)
			.then(transfers.then())
			.then(this.outbox.appendAll(Topics.HARVEST, discovered)));
	}

	/**
	 * How one file's transfer ended.
	 *
	 * @param file the file
	 * @param result its verified copy, or {@code null} when it failed
	 * @param reason why it failed
	 * @param after what the post-transfer hooks added
	 */
	record End(Planned file, @Nullable Result result, @Nullable String reason, HookRunner.@Nullable After after) {
	}

	/** Copies one file (unless it is held back or refused) and runs the post-transfer hooks over it. */
	private Mono<End> copy(Target target, Planned file) {
		if (file.key() == null) {
			return Mono.just(new End(file, null, (file.refusal() != null) ? file.refusal() : "not copied", null));
		}
		return attempt(target.store(), target.source(), file.found().path(), file.found().size(), file.key(), 1)
			.flatMap((result) -> target.plan().any("post_transfer")
					? this.runner.after(target.plan(), hookView(target.run(), file, result), file.metadata())
						.map((after) -> new End(file, result, null, after))
					: Mono.just(new End(file, result, null, null)))
			.onErrorResume((ex) -> Mono.just(new End(file, null, reason(ex), null)));
	}

	/**
	 * Records how every transfer of the batch ended, the records' state, metadata and grants,
	 * and announces each, in one transaction.
	 */
	private Mono<Void> close(Target target, List<End> ends) {
		Run run = target.run();
		Counts counts = target.counts();
		List<End> completed = ends.stream().filter((end) -> end.result() != null).toList();
		List<End> failed = ends.stream().filter((end) -> end.result() == null).toList();
		List<HookPlan.Grant> grants = new ArrayList<>();
		List<UUID> granted = new ArrayList<>();
		for (End end : completed) {
			if (end.after() != null) {
				for (HookPlan.Grant grant : end.after().grants()) {
					grants.add(grant);
					granted.add(end.file().record().id());
				}
			}
		}
		Mono<Void> done = completed.isEmpty() ? Mono.empty() : this.database
			.sql("UPDATE file_transfer t SET status = 'completed', bytes_transferred = v.bytes, source_checksum = v.source, "
					+ "dest_checksum = v.stored, checksum_verified = true, attempts = v.attempts, hook_errors = CAST(v.errors AS jsonb), "
					+ "completed_at = now() FROM unnest(CAST(:ids AS uuid[]), CAST(:bytes AS bigint[]), CAST(:sources AS text[]), "
					+ "CAST(:stored AS text[]), CAST(:attempts AS int[]), CAST(:errors AS text[])) "
					+ "AS v(id, bytes, source, stored, attempts, errors) WHERE t.id = v.id")
			.bind("ids", completed.stream().map((end) -> end.file().transfer()).toArray(UUID[]::new))
			.bind("bytes", completed.stream().map((end) -> end.result().bytes()).toArray(Long[]::new))
			.bind("sources", completed.stream().map((end) -> end.result().sourceXxhash()).toArray(String[]::new))
			.bind("stored", completed.stream().map((end) -> end.result().storedXxhash()).toArray(String[]::new))
			.bind("attempts", completed.stream().map((end) -> end.result().attempts()).toArray(Integer[]::new))
			.bind("errors", completed.stream().map((end) -> hookErrors(errors(end))).toArray(String[]::new))
			.then()
			.then(this.database
				.sql("UPDATE file_record f SET state = 'stored', xxhash = v.xxhash, sha256 = v.sha256, size_bytes = v.bytes, "
						+ "metadata_ = f.metadata_ || CAST(v.metadata AS jsonb), updated_at = now() FROM unnest(CAST(:ids AS uuid[]), "
						+ "CAST(:xxhashes AS text[]), CAST(:sha256s AS text[]), CAST(:bytes AS bigint[]), CAST(:metadata AS text[])) "
						+ "AS v(id, xxhash, sha256, bytes, metadata) WHERE f.id = v.id")
				.bind("ids", completed.stream().map((end) -> end.file().record().id()).toArray(UUID[]::new))
				.bind("xxhashes", completed.stream().map((end) -> end.result().sourceXxhash()).toArray(String[]::new))
				.bind("sha256s", completed.stream().map((end) -> end.result().sha256()).toArray(String[]::new))
				.bind("bytes", completed.stream().map((end) -> end.result().bytes()).toArray(Long[]::new))
				.bind("metadata", completed.stream()
					.map((end) -> ((end.after() != null) ? end.after().metadata() : end.file().metadata()).toString())
					.toArray(String[]::new))
				.then());
		Mono<Void> access = grants.isEmpty() ? Mono.empty() : this.database
			.sql("INSERT INTO file_access (file_id, grantee_type, grantee_id, hook_id, created_at) "
					+ "SELECT v.file, v.type, v.grantee, v.hook, now() FROM unnest(CAST(:files AS uuid[]), CAST(:types AS text[]), "
					+ "CAST(:grantees AS uuid[]), CAST(:hooks AS uuid[])) AS v(file, type, grantee, hook) ON CONFLICT DO NOTHING")
			.bind("files", granted.toArray(UUID[]::new))
			.bind("types", grants.stream().map(HookPlan.Grant::granteeType).toArray(String[]::new))
			.bind("grantees", grants.stream().map(HookPlan.Grant::granteeId).toArray(UUID[]::new))
			.bind("hooks", grants.stream().map(HookPlan.Grant::hookId).toArray(UUID[]::new))
			.then();
		Mono<Void> lost = failed.isEmpty() ? Mono.empty() : this.database
			.sql("UPDATE file_transfer t SET status = 'failed', error_message = v.reason, hook_errors = CAST(v.errors AS jsonb), "
					+ "completed_at = now() FROM unnest(CAST(:ids AS uuid[]), CAST(:reasons AS text[]), CAST(:errors AS text[])) "
					+ "AS v(id, reason, errors) WHERE t.id = v.id")
			.bind("ids", failed.stream().map((end) -> end.file().transfer()).toArray(UUID[]::new))
			.bind("reasons", failed.stream().map(End::reason).toArray(String[]::new))
			.bind("errors", failed.stream().map((end) -> hookErrors(end.file().errors())).toArray(String[]::new))
			.then()
			.then(this.database.sql("UPDATE file_record SET state = 'failed', updated_at = now() WHERE id = ANY(CAST(:ids AS uuid[]))")
				.bind("ids", failed.stream().map((end) -> end.file().record().id()).toArray(UUID[]::new))
				.then());
		List<CloudEvent> events = new ArrayList<>();
		for (End end : ends) {
			events.add((end.result() != null) ? completedEvent(target, end) : failedEvent(run, end));
		}
		return this.transactions.transactional(done.then(access).then(lost).then(this.outbox.appendAll(Topics.HARVEST, events)))
			.doOnSuccess((written) -> {
				counts.transferred.addAndGet(completed.size());
				counts.failed.addAndGet(failed.size());
				counts.bytes.addAndGet(completed.stream().mapToLong((end) -> end.result().bytes()).sum());
			});
	}

	private static List<HookPlan.HookError> errors(End end) {
		List<HookPlan.HookError> errors = new ArrayList<>(end.file().errors());
		if (end.after() != null) {
			errors.addAll(end.after().errors());
		}
		return errors;
	}

	private CloudEvent completedEvent(Target target, End end) {
		Planned file = end.file();
		Result result = end.result();
		FileEvents.TransferCompleted event = new FileEvents.TransferCompleted(
				(target.dataset() != null) ? target.dataset().toString() : null, file.transfer().toString(),
				List.of(new FileEvents.DatasetFile(file.record().id().toString(), filename(file.found()), result.bytes(), null,
						null, result.sha256())),
				target.run().instrument().toString(), target.run().id().toString(), file.record().persistentId(), file.key(),
				true);
		return event(FileEvents.TransferCompleted.TYPE, file.transfer().toString(), event);
	}

	private CloudEvent failedEvent(Run run, End end) {
		Planned file = end.file();
		return event(HarvestEvents.TransferFailed.TYPE, file.transfer().toString(),
				new HarvestEvents.TransferFailed(file.transfer().toString(), file.record().id().toString(),
						run.instrument().toString(), run.id().toString(), file.found().path(), end.reason()));
	}

	private static String filename(Found found) {
		return found.path().substring(found.path().lastIndexOf('/') + 1);
	}

	private static boolean hasControlCharacters(String path) {
		return path.chars().anyMatch((c) -> c < 0x20 || c == 0x7f);
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

	/** The checksums of one pass over some bytes. */
	static final class Hashes {

		private final StreamingXXHash64 xxhash = XXHASH.newStreamingHash64(0);

		private final @Nullable MessageDigest sha256;

		/** For bytes not on the heap: allocated the first time such bytes come. */
		private byte @Nullable [] copy;

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
					if (bytes.hasArray()) {
						// Heap bytes are hashed where they are.
						int n = bytes.remaining();
						this.xxhash.update(bytes.array(), bytes.arrayOffset() + bytes.position(), n);
						bytes.position(bytes.limit());
						this.bytes += n;
						continue;
					}
					byte[] copy = (this.copy != null) ? this.copy : (this.copy = new byte[64 * 1024]);
					while (bytes.hasRemaining()) {
						int n = Math.min(bytes.remaining(), copy.length);
						bytes.get(copy, 0, n);
						this.xxhash.update(copy, 0, n);
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
			.readInputStream(() -> from.open(path), DefaultDataBufferFactory.sharedInstance, bufferFor(size))
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

	/** The stored file as post-transfer hooks see it. */
	private static ObjectNode hookView(Run run, Planned planned, Result result) {
		Latest record = planned.record();
		ObjectNode file = JsonNodeFactory.instance.objectNode();
		file.put("id", record.id().toString());
		file.put("persistent_id", record.persistentId());
		file.put("instrument_id", run.instrument().toString());
		file.put("run_id", run.id().toString());
		file.put("transfer_id", planned.transfer().toString());
		file.put("source_path", planned.found().path());
		file.put("filename", filename(planned.found()));
		file.put("version", record.version());
		file.put("size_bytes", result.bytes());
		file.put("source_mtime", record.mtime().toString());
		file.put("destination_path", planned.key());
		file.put("xxhash", result.sourceXxhash());
		file.put("sha256", result.sha256());
		file.put("checksum_verified", true);
		return file;
	}

	private static String hookErrors(List<HookPlan.HookError> errors) {
		ArrayNode array = JsonNodeFactory.instance.arrayNode();
		for (HookPlan.HookError error : errors) {
			array.addObject().put("hook_id", error.hookId().toString()).put("hook", error.hook()).put("error", error.error());
		}
		return array.toString();
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

	/** A failure recorded without a copy being tried (a file refused by its name). */
	private Mono<Void> failed(Run run, Latest record, Found found, String reason, Counts counts) {
		counts.failed.incrementAndGet();
		UUID id = UUID.randomUUID();
		return this.transactions.transactional(this.database
			.sql("INSERT INTO file_transfer (id, file_id, run_id, storage_location_id, status, error_message, started_at, "
					+ "completed_at, created_at) VALUES (:id, :file, :run, :storage, 'failed', :reason, now(), now(), now())")
			.bind("id", id)
			.bind("file", record.id())
			.bind("run", run.id())
			.bind("storage", run.storage())
			.bind("reason", reason)
			.then()
			.then(this.database.sql("UPDATE file_record SET state = 'failed', updated_at = now() WHERE id = :id")
				.bind("id", record.id())
				.then())
			.then(announce(HarvestEvents.TransferFailed.TYPE, id.toString(),
					new HarvestEvents.TransferFailed(id.toString(), record.id().toString(), run.instrument().toString(),
							run.id().toString(), found.path(), reason))));
	}

	private Mono<Void> announce(String type, String subject, Object data) {
		return this.outbox.append(Topics.HARVEST, event(type, subject, data));
	}

	private CloudEvent event(String type, String subject, Object data) {
		return CloudEvent.create(HarvestEvents.SOURCE, type, subject, this.codec.toData(data));
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
