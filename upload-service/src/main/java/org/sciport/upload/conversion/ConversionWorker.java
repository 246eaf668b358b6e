package org.sciport.upload.conversion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.postgresql.codec.Json;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.event.UploadEvents;
import org.sciport.commons.storage.BlobStore;
import org.sciport.upload.UploadProperties;
import org.sciport.upload.jobs.UploadJob;
import org.sciport.upload.jobs.UploadJobs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Converts completed uploads. Every instance's worker reads {@code sciport.upload.completed}
 * in one consumer group (so instances share the work) and also sweeps the table for due jobs:
 * retries whose backoff has passed, and jobs whose worker died (its lease ran out). A job is
 * claimed with a conditional update that sets a lease, so two workers never run one job; the
 * lease is renewed while the converter runs, and the result is kept only if the lease is still
 * the worker's (a job cancelled meanwhile keeps nothing). A failure is retried with doubling
 * backoff up to the configured attempts, then the conversion fails for good.
 */
@Component
public class ConversionWorker implements DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(ConversionWorker.class);

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final UploadJobs jobs;

	private final BlobStore blobs;

	private final CloudEventCodec codec;

	private final JsonMapper json;

	private final List<Converter> converters;

	private final UploadProperties.Conversion settings;

	private final String me = "worker-" + UUID.randomUUID();

	private final Scheduler scheduler;

	private final Path scratch;

	private @Nullable Disposable sweeper;

	ConversionWorker(DatabaseClient database, TransactionalOperator transactions, UploadJobs jobs, BlobStore blobs,
			CloudEventCodec codec, JsonMapper json, List<Converter> converters, UploadProperties properties) {
		this.database = database;
		this.transactions = transactions;
		this.jobs = jobs;
		this.blobs = blobs;
		this.codec = codec;
		this.json = json;
		this.converters = converters;
		this.settings = properties.conversion();
		this.scheduler = Schedulers.newBoundedElastic(Math.max(1, this.settings.workers()), 10_000, "conversion");
		this.scratch = properties.spoolDirectory().resolve(".conversion");
	}

	@EventListener(ApplicationReadyEvent.class)
	void start() {
		this.sweeper = Flux.interval(this.settings.poll(), this.settings.poll())
			.onBackpressureDrop()
			.concatMap((tick) -> sweep().onErrorResume((ex) -> {
				logger.warn("Conversion sweep failed: {}", ex.toString());
				return Mono.empty();
			}), 1)
			.subscribe();
	}

	// Kafka's listener thread: the claim is awaited, the conversion itself runs on the workers.
	@KafkaListener(topics = Topics.UPLOAD, groupId = "upload-service-conversion" + Topics.GROUP_SUFFIX)
	void onUploadEvent(ConsumerRecord<String, String> record) {
		CloudEvent event = this.codec.readConsumed(record.topic(), record.value()).orElse(null);
		if (event == null || !(UploadEvents.UploadCompleted.TYPE.equals(event.type())
				|| UploadEvents.ConversionQueued.TYPE.equals(event.type())) || event.data() == null) {
			return;
		}
		String id = event.data().path("upload_id").asString("");
		try {
			claimAndRun(UUID.fromString(id)).block(Duration.ofSeconds(30));
		}
		catch (IllegalArgumentException ex) {
			// not an upload of this service
		}
	}

	/** Runs every due job this instance can claim now. */
	Mono<Void> sweep() {
		return this.database
			.sql("SELECT id FROM upload WHERE (status = 'conversion_queued' AND next_attempt_at <= now()) "
					+ "OR (status = 'converting' AND lease_until < now()) ORDER BY next_attempt_at NULLS FIRST LIMIT 100")
			.map((row) -> row.get("id", UUID.class))
			.all()
			.concatMap(this::claimAndRun)
			.then();
	}

	/** Claims the job if it is due and free; the conversion then runs in the background. */
	Mono<Void> claimAndRun(UUID id) {
		Mono<UploadJob> claim = this.database
			.sql("UPDATE upload SET status = 'converting', lease_owner = :me, "
					+ "lease_until = now() + make_interval(secs => :lease), attempts = attempts + 1, updated_at = now() "
					+ "WHERE id = :id AND blob_key IS NOT NULL AND ((status = 'conversion_queued' AND next_attempt_at <= now()) "
					+ "OR (status = 'converting' AND lease_until < now()))")
			.bind("me", this.me)
			.bind("lease", (double) this.settings.lease().toSeconds())
			.bind("id", id)
			.fetch()
			.rowsUpdated()
			.filter((updated) -> updated == 1)
			.flatMap((updated) -> this.jobs.get(id))
			.flatMap((job) -> this.jobs.announce(new UploadEvents.ConversionStarted(UploadJobs.eventJob(job), job.attempts()))
				.thenReturn(job));
		return this.transactions.transactional(claim)
			.doOnNext((job) -> run(job).subscribeOn(this.scheduler).subscribe())
			.then();
	}

	/**
	 * Runs the converter while renewing the lease. Each renewal also checks that the job is
	 * still this worker's: once it is not (cancelled, or taken over after a lapse), the
	 * converter is stopped (its thread interrupted, its local copy removed) and nothing is
	 * kept.
	 */
	private Mono<Void> run(UploadJob job) {
		Sinks.One<Boolean> lost = Sinks.one();
		Duration lease = this.settings.lease();
		Duration every = (lease.dividedBy(3).compareTo(this.settings.poll()) < 0) ? lease.dividedBy(3) : this.settings.poll();
		Disposable heartbeat = Flux.interval(every)
			.concatMap((tick) -> this.database
				.sql("UPDATE upload SET lease_until = now() + make_interval(secs => :lease) "
						+ "WHERE id = :id AND lease_owner = :me AND status = 'converting'")
				.bind("lease", (double) lease.toSeconds())
				.bind("id", job.jobId())
				.bind("me", this.me)
				.fetch()
				.rowsUpdated()
				.doOnNext((renewed) -> {
					if (renewed == 0) {
						lost.tryEmitValue(true);
					}
				})
				.onErrorComplete())
			.subscribe();
		return convert(job)
			.takeUntilOther(lost.asMono())
			.flatMap((result) -> succeed(job, result))
			.onErrorResume((ex) -> fail(job, ex))
			.doFinally((signal) -> heartbeat.dispose());
	}

	private Mono<Converter.Result> convert(UploadJob job) {
		String format = (job.format() != null) ? job.format() : "binary";
		// Conversion declined by the uploader: stored as it is, like a format no converter reads.
		Converter converter = !job.convert() ? null
				: this.converters.stream().filter((c) -> c.reads(format)).findFirst().orElse(null);
		if (converter == null) {
			Map<String, Object> metadata = new LinkedHashMap<>();
			metadata.put("format", format);
			metadata.put("stored_as_is", true);
			return Mono.just(new Converter.Result(metadata, null, null));
		}
		return Mono.usingWhen(Mono.fromCallable(() -> {
			Files.createDirectories(this.scratch);
			return Files.createTempFile(this.scratch, job.jobId().toString(), suffix(job.filename()));
		}).subscribeOn(Schedulers.boundedElastic()),
				(copy) -> DataBufferUtils.write(this.blobs.read(job.blobKey()), copy)
					.then(Mono.fromCallable(() -> converter.convert(copy)).subscribeOn(this.scheduler)),
				(copy) -> Mono.fromCallable(() -> Files.deleteIfExists(copy)).subscribeOn(Schedulers.boundedElastic()));
	}

	private Mono<Void> succeed(UploadJob job, Converter.Result result) {
		Map<String, Object> metadata = new LinkedHashMap<>(result.metadata());
		metadata.put("size_bytes", job.bytesTotal());
		metadata.put("sha256", job.sha256());
		metadata.put("xxhash64", job.xxhash64());
		// One key per attempt: a run that loses its lease removes its own thumbnail, never the
		// one a later run of the same job kept.
		String thumbnailKey = "derived/" + job.jobId() + "/thumbnail-" + job.attempts() + ".png";
		Mono<Void> thumbnail = (result.thumbnail() == null) ? Mono.empty()
				: this.blobs.write(thumbnailKey, Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(result.thumbnail())))
					.doOnNext((stored) -> metadata.put("thumbnail_key", thumbnailKey))
					.then();
		Mono<Void> keep = this.database
			.sql("UPDATE upload SET status = 'done', metadata = :metadata, error = NULL, lease_owner = NULL, "
					+ "lease_until = NULL, updated_at = now() WHERE id = :id AND status = 'converting' AND lease_owner = :me")
			.bind("metadata", Json.of(this.json.writeValueAsString(metadata)))
			.bind("id", job.jobId())
			.bind("me", this.me)
			.fetch()
			.rowsUpdated()
			.flatMap((updated) -> {
				if (updated == 0) {
					// Cancelled, or the lease went to another worker: keep nothing.
					return (result.thumbnail() != null) ? this.blobs.delete(thumbnailKey) : Mono.empty();
				}
				UploadEvents.Job about = UploadJobs.eventJob(job);
				Mono<Void> processed = (job.dataId() == null) ? Mono.empty()
						: this.jobs.announce(new UploadEvents.DataProcessed(about, result.rows()));
				return this.jobs.announce(new UploadEvents.ConversionCompleted(about, this.json.valueToTree(metadata),
						job.format(), result.rows())).then(processed);
			});
		return thumbnail.then(this.transactions.transactional(keep));
	}

	private Mono<Void> fail(UploadJob job, Throwable error) {
		String message = (error instanceof IOException) ? error.getMessage() : "The converter failed";
		if (!(error instanceof IOException)) {
			logger.warn("Conversion of {} failed", job.jobId(), error);
		}
		boolean last = job.attempts() >= this.settings.maxAttempts();
		long backoffMillis = this.settings.backoff().toMillis() * (1L << Math.min(16, job.attempts() - 1));
		DatabaseClient.GenericExecuteSpec update = this.database
			.sql(last ? "UPDATE upload SET status = 'conversion_failed', error = :error, lease_owner = NULL, "
					+ "lease_until = NULL, updated_at = now() WHERE id = :id AND status = 'converting' AND lease_owner = :me"
					: "UPDATE upload SET status = 'conversion_queued', error = :error, lease_owner = NULL, lease_until = NULL, "
							+ "next_attempt_at = now() + make_interval(secs => :backoff), updated_at = now() "
							+ "WHERE id = :id AND status = 'converting' AND lease_owner = :me")
			.bind("error", (message != null) ? message : "The converter failed")
			.bind("id", job.jobId())
			.bind("me", this.me);
		if (!last) {
			update = update.bind("backoff", backoffMillis / 1000.0);
		}
		Mono<Void> change = update.fetch()
			.rowsUpdated()
			.flatMap((updated) -> {
				if (updated == 0 || !last) {
					return Mono.empty();
				}
				String why = (message != null) ? message : "failed";
				UploadEvents.Job about = UploadJobs.eventJob(job);
				Mono<Void> dataFailed = (job.dataId() == null) ? Mono.empty()
						: this.jobs.announce(new UploadEvents.DataFailed(about, why, job.attempts()));
				return this.jobs.announce(new UploadEvents.ConversionFailed(about, why, job.attempts())).then(dataFailed);
			});
		return this.transactions.transactional(change).onErrorResume((ex) -> {
			logger.warn("Could not record the failed conversion of {}: {}", job.jobId(), ex.toString());
			return Mono.empty();
		});
	}

	private static String suffix(String filename) {
		int dot = filename.lastIndexOf('.');
		String suffix = (dot < 0) ? ".bin" : filename.substring(dot);
		return (suffix.length() > 16) ? ".bin" : suffix;
	}

	@Override
	public void destroy() {
		Disposable running = this.sweeper;
		if (running != null) {
			running.dispose();
		}
		this.scheduler.dispose();
	}

}
