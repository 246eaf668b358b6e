package org.sciport.upload.receive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.SciportException;
import org.sciport.commons.storage.BlobStore;
import org.sciport.commons.storage.ChannelWriter;
import org.sciport.upload.UploadProperties;
import org.sciport.upload.jobs.UploadJobs;
import org.sciport.upload.jobs.UploadJobs.StoredFile;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Streams a file's bytes into the blob store: checksums in the same pass, the size limit
 * enforced as bytes arrive, progress written to the job about once a second. Nothing is held
 * in memory beyond the buffers in flight, and a stream that fails or is cancelled leaves no
 * blob behind (the store's guarantee).
 */
@Component
public class BlobIntake {

	private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

	private final BlobStore blobs;

	private final UploadJobs jobs;

	private final long maxFileSize;

	private final Counter streamed;

	private final Counter spooled;

	BlobIntake(BlobStore blobs, UploadJobs jobs, UploadProperties properties, ObjectProvider<MeterRegistry> meters) {
		this.blobs = blobs;
		this.jobs = jobs;
		this.maxFileSize = properties.maxFileSize().toBytes();
		MeterRegistry registry = meters.getIfAvailable(SimpleMeterRegistry::new);
		this.streamed = stored(registry, "stream");
		this.spooled = stored(registry, "spool");
	}

	/** Bytes of uploaded files stored, by how they arrived: in one stream, or spooled in parts (chunks, tus). */
	private static Counter stored(MeterRegistry registry, String arrival) {
		return Counter.builder("sciport.upload.bytes")
			.description("Bytes of uploaded files stored")
			.baseUnit("bytes")
			.tag("arrival", arrival)
			.register(registry);
	}

	/** Where the complete file of job {@code id} is kept. */
	public static String blobKey(UUID id) {
		String text = id.toString();
		return "uploads/" + text.substring(0, 2) + "/" + text;
	}

	public long maxFileSize() {
		return this.maxFileSize;
	}

	/** Stores {@code content} as the file of job {@code id}. */
	public Mono<StoredFile> store(UUID id, Flux<DataBuffer> content) {
		return Mono.defer(() -> {
			Checksums checksums = new Checksums();
			AtomicLong received = new AtomicLong();
			Flux<DataBuffer> limited = content.<DataBuffer>handle((buffer, sink) -> {
				long total = received.addAndGet(buffer.readableByteCount());
				if (total > this.maxFileSize) {
					// Passed on, then the error: downstream releases it, whatever the fusion mode.
					sink.next(buffer);
					sink.error(tooLarge(this.maxFileSize));
					return;
				}
				sink.next(buffer);
			});
			Flux<DataBuffer> counted = inspectOffLoop(limited, checksums::update);
			Disposable progress = Flux.interval(PROGRESS_EVERY)
				.concatMap((tick) -> this.jobs.progress(id, received.get()).onErrorComplete())
				.subscribe();
			String key = blobKey(id);
			return this.blobs.write(key, counted)
				.map((blob) -> new StoredFile(key, blob.size(), checksums.xxhash64(), checksums.sha256Hex()))
				.doOnNext((stored) -> this.streamed.increment(stored.size()))
				.doFinally((signal) -> progress.dispose());
		});
	}

	/**
	 * Runs {@code inspect} (checksums) over every buffer on a worker thread, handed over a
	 * batch of about a MiB at a time, so that the event loop goes on reading the network and
	 * threads wake once a batch, not once a network buffer; the buffers go on in order. A
	 * failed stream passes on every buffer that came before its failure, then the failure.
	 */
	public static Flux<DataBuffer> inspectOffLoop(Flux<DataBuffer> source, Consumer<DataBuffer> inspect) {
		return Flux.defer(() -> {
			AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
			Flux<DataBuffer> upToFailure = source.onErrorResume((ex) -> {
				failure.set(ex);
				return Flux.empty();
			});
			return ChannelWriter.batches(upToFailure)
				.publishOn(Schedulers.boundedElastic(), 4)
				.doOnNext((batch) -> batch.forEach(inspect))
				.concatMapIterable((batch) -> batch)
				.concatWith(Mono.defer(() -> {
					Throwable failed = failure.get();
					return (failed != null) ? Mono.error(failed) : Mono.empty();
				}));
		});
	}

	/**
	 * Moves a complete spooled file into storage. {@code known} holds its checksums if they were
	 * computed as its bytes arrived (and covers the whole file); otherwise one read pass computes
	 * them first.
	 */
	public Mono<StoredFile> importSpooled(UUID id, Path file, @Nullable Checksums known) {
		String key = blobKey(id);
		return Mono.fromCallable(() -> {
			long size = Files.size(file);
			if (known != null && known.length() == size) {
				return known;
			}
			return Checksums.of(file);
		})
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap((checksums) -> this.blobs.importFile(key, file)
				.map((blob) -> new StoredFile(key, blob.size(), checksums.xxhash64(), checksums.sha256Hex())))
			.doOnNext((stored) -> this.spooled.increment(stored.size()));
	}

	/** Streams a stored file. */
	public Flux<DataBuffer> read(@Nullable String key) {
		return (key != null) ? this.blobs.read(key) : Flux.empty();
	}

	/** Removes a stored file that turned out not to be wanted. */
	public Mono<Void> discard(StoredFile file) {
		return this.blobs.delete(file.blobKey()).onErrorComplete();
	}

	public static SciportException tooLarge(long max) {
		return new SciportException(ErrorCode.PAYLOAD_TOO_LARGE, "The file is larger than the limit of " + max + " bytes");
	}

}
