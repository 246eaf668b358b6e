package org.sciport.upload.receive;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.sciport.commons.storage.ChannelWriter;
import org.sciport.upload.PortalAnswers;
import org.sciport.upload.UploadProperties;
import org.sciport.upload.conversion.Formats;
import org.sciport.upload.jobs.UploadChunks;
import org.sciport.upload.jobs.UploadJob;
import org.sciport.upload.jobs.UploadJobs.NewUpload;
import org.sciport.upload.jobs.UploadJobs;
import org.sciport.upload.spool.Spool;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

/**
 * Chunked uploads (seed 000's {@code /api/upload/initiate}, and the steps after it): initiate
 * with the file's name, size and chunk size; send chunks in any order, each checksummed and
 * kept in the spool; ask which are present; complete, which joins them into storage and
 * checks the whole file's SHA-256 if the client gave one. Everything lives in the database and
 * the spool, so an upload resumes after a client or server restart.
 */
@RestController
class ChunkedUploadController {

	static final String CHUNK_SHA256 = "X-Chunk-SHA256";

	private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

	private static final int MIN_CHUNK = 64 * 1024;

	private static final int MAX_CHUNKS = 100_000;

	private final UploadJobs jobs;

	private final UploadTargets targets;

	private final BlobIntake intake;

	private final Spool spool;

	private final UploadChunks chunks;

	private final UploadProperties properties;

	/** Chunks being written on this instance: the same chunk on a second connection waits its turn. */
	private final java.util.Set<String> writing = java.util.concurrent.ConcurrentHashMap.newKeySet();

	/** At most this many uploads have their whole-file checksums computed as chunks arrive. */
	private static final int MAX_RUNNING = 128;

	/** The whole-file checksums of uploads in progress here, advanced as their chunks arrive. */
	private final Map<UUID, RunningChecksums> running = new java.util.concurrent.ConcurrentHashMap<>();

	ChunkedUploadController(UploadJobs jobs, UploadTargets targets, BlobIntake intake, Spool spool,
			UploadChunks chunks, UploadProperties properties) {
		this.jobs = jobs;
		this.targets = targets;
		this.intake = intake;
		this.spool = spool;
		this.chunks = chunks;
		this.properties = properties;
	}

	/** The chunk size of an upload whose client names none, as the portal's clients expect it. */
	private static final long DEFAULT_CHUNK = 10L * 1024 * 1024;

	/**
	 * Begins a chunked upload: {@code file_name} (or {@code filename}), {@code file_size},
	 * {@code dataset_name} or {@code dataset_uuid}, optionally {@code sensor},
	 * {@code chunk_size} (chosen here when absent), {@code sha256}. Answers 200 with
	 * {@code upload_id}, {@code chunk_size} and {@code total_chunks} at the top level.
	 */
	@PostMapping("/api/upload/initiate")
	Mono<Map<String, Object>> initiate(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			String filename = FileNames.require(text(body, "filename", "file_name"), "filename");
			long size = positiveLong(body, "size", "file_size", "total_size");
			if (size > this.intake.maxFileSize()) {
				throw BlobIntake.tooLarge(this.intake.maxFileSize());
			}
			long maxChunk = this.properties.maxChunkSize().toBytes();
			long chunkSize = body.has("chunk_size") ? positiveLong(body, "chunk_size")
					: Math.max(Math.min(DEFAULT_CHUNK, maxChunk), (size + MAX_CHUNKS - 1) / MAX_CHUNKS);
			if (chunkSize < MIN_CHUNK && chunkSize < size || chunkSize > maxChunk) {
				throw new ValidationException("chunk_size",
						"chunk_size must be between " + MIN_CHUNK + " and " + maxChunk + " bytes");
			}
			long chunks = (size + chunkSize - 1) / chunkSize;
			if (chunks > MAX_CHUNKS) {
				throw new ValidationException("chunk_size", "chunk_size is too small: at most " + MAX_CHUNKS + " chunks");
			}
			String expected = sha256(text(body, "sha256", "checksum"), "sha256");
			String format = Formats.resolve(Formats.declared(text(body, "format"), text(body, "sensor")), filename);
			UUID id = UUID.randomUUID();
			UploadTargets.NewDataset fresh = new UploadTargets.NewDataset(text(body, "dataset_name"), text(body, "folder_id"),
					text(body, "folder"), text(body, "sensor"), null, null, null, null);
			return this.targets.target(exchange.getRequest(), text(body, "dataset_id", "dataset_uuid"), fresh)
				.flatMap((dataset) -> this.jobs.create(new NewUpload(id, UUID.fromString(caller.userId()), "chunked",
						filename, text(body, "content_type"), format, dataset.id(), null, null, size, (int) chunkSize,
						(int) chunks, expected, Instant.now().plus(this.properties.tusExpiry()), null, null, null))
					.flatMap((job) -> this.jobs.describe(id, job.ownerId(), dataset.name(), true).then(this.jobs.get(id))))
				.map((job) -> {
					Map<String, Object> answer = PortalAnswers.envelope("Chunked upload initiated", job);
					answer.put("upload_id", job.jobId());
					answer.put("job_id", job.jobId());
					answer.put("dataset_uuid", job.datasetId());
					answer.put("dataset_id", job.datasetId());
					answer.put("chunk_size", chunkSize);
					answer.put("total_chunks", chunks);
					return answer;
				});
		});
	}

	@PutMapping("/api/upload/chunk/{jobId}/{index}")
	Mono<Map<String, Object>> chunk(@PathVariable String jobId, @PathVariable String index,
			@RequestBody Flux<DataBuffer> content, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			UUID id = UploadTargets.uuid(jobId, "job_id");
			String claimed = sha256(exchange.getRequest().getHeaders().getFirst(CHUNK_SHA256), CHUNK_SHA256);
			return this.jobs.find(caller, id).flatMap((job) -> {
				requireUploading(job);
				int chunkIndex = chunkIndex(index, job);
				long expectedSize = expectedChunkSize(job, chunkIndex);
				return receiveChunk(job, chunkIndex, expectedSize, claimed, content);
			});
		});
	}

	/**
	 * One chunk as a multipart form, as the portal's clients send it: {@code upload_id} and
	 * {@code chunk_number} (from 0) first, then the {@code chunk} itself. The upload completes
	 * by itself when its last missing chunk is in.
	 */
	@PostMapping(path = "/api/upload/chunk", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Mono<Map<String, Object>> postedChunk(@RequestBody Flux<DataBuffer> body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			MediaType type = exchange.getRequest().getHeaders().getContentType();
			String boundary = (type != null && type.getParameter("boundary") != null)
					? type.getParameter("boundary").replace("\"", "") : "";
			Map<String, String> fields = new java.util.concurrent.ConcurrentHashMap<>();
			java.util.concurrent.atomic.AtomicReference<Map<String, Object>> result = new java.util.concurrent.atomic.AtomicReference<>();
			return MultipartStream.parse(body, boundary, 64 * 1024)
				.windowUntil((event) -> event instanceof MultipartStream.Field || event instanceof MultipartStream.FileEnd)
				.concatMap((window) -> window.switchOnFirst((signal, events) -> {
					MultipartStream.Event first = signal.get();
					if (first instanceof MultipartStream.FileStart file) {
						String problem = !"chunk".equals(file.name()) ? "Only the field 'chunk' may carry a file"
								: (result.get() != null) ? "Send one chunk per request"
										: (fields.get("upload_id") == null || fields.get("chunk_number") == null)
												? "upload_id and chunk_number must come before the chunk" : null;
						if (problem != null) {
							return SingleUploadController.drain(events)
								.then(Mono.error(new ValidationException("chunk", problem)));
						}
						Flux<DataBuffer> content = events.ofType(MultipartStream.FileData.class)
							.map(MultipartStream.FileData::take);
						UUID id = UploadTargets.uuid(fields.get("upload_id"), "upload_id");
						return this.jobs.find(caller, id).flatMap((job) -> {
							requireUploading(job);
							int chunkIndex = chunkIndex(fields.get("chunk_number"), job);
							return receiveChunk(job, chunkIndex, expectedChunkSize(job, chunkIndex), null, content)
								.flatMap((answer) -> completeIfLast(job, answer));
						}).doOnNext(result::set).then();
					}
					if (first instanceof MultipartStream.Field field) {
						fields.put(field.name(), field.value());
					}
					return SingleUploadController.drain(events);
				}))
				.doOnDiscard(MultipartStream.FileData.class, MultipartStream.FileData::release)
				.then(Mono.fromCallable(() -> {
					Map<String, Object> answer = result.get();
					if (answer == null) {
						throw new ValidationException("chunk", "chunk is required");
					}
					return answer;
				}));
		});
	}

	/** After a chunk: when none is missing any more, the upload is joined and completed. */
	private Mono<Map<String, Object>> completeIfLast(UploadJob job, Map<String, Object> answer) {
		return storedChunks(job.jobId()).flatMap((stored) -> {
			if (stored.size() < totalChunks(job)) {
				answer.put("upload_id", job.jobId());
				answer.put("chunks_received", stored.size());
				answer.put("total_chunks", totalChunks(job));
				answer.put("completed", false);
				return Mono.just(answer);
			}
			return join(job, stored, null)
				.onErrorResume(ConflictException.class, (ex) -> this.jobs.get(job.jobId())
					.filter((current) -> !"uploading".equals(current.status()))
					.switchIfEmpty(Mono.error(ex)))
				.map((done) -> {
					Map<String, Object> completed = PortalAnswers.envelope("Upload complete", done);
					completed.put("upload_id", done.jobId());
					completed.put("job_id", done.jobId());
					completed.put("dataset_uuid", done.datasetId());
					completed.put("chunks_received", stored.size());
					completed.put("total_chunks", totalChunks(job));
					completed.put("completed", true);
					return completed;
				});
		});
	}

	@GetMapping("/api/upload/chunks/{jobId}")
	Mono<Map<String, Object>> present(@PathVariable String jobId, ServerWebExchange exchange) {
		return Mono.defer(() -> this.jobs.find(AccessTokenFilter.requireCaller(exchange), UploadTargets.uuid(jobId, "job_id")))
			.flatMap((job) -> storedChunks(job.jobId()).map((stored) -> {
				List<Integer> received = stored.keySet().stream().sorted().toList();
				List<Integer> missing = new ArrayList<>();
				int total = (job.bytesTotal() != null) ? totalChunks(job) : 0;
				for (int i = 0, r = 0; i < total; i++) {
					if (r < received.size() && received.get(r) == i) {
						r++;
					}
					else {
						missing.add(i);
					}
				}
				Map<String, Object> data = new LinkedHashMap<>();
				data.put("job_id", job.jobId());
				data.put("status", job.status());
				data.put("total_chunks", total);
				data.put("received", received);
				data.put("missing", missing);
				data.put("bytes_received", job.bytesReceived());
				return PortalAnswers.envelope("Chunks received", data);
			}));
	}

	@PostMapping("/api/upload/complete/{jobId}")
	Mono<Map<String, Object>> complete(@PathVariable String jobId, @RequestBody(required = false) @Nullable JsonNode body,
			ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			UUID id = UploadTargets.uuid(jobId, "job_id");
			String given = (body != null) ? sha256(text(body, "sha256", "checksum"), "sha256") : null;
			return this.jobs.find(caller, id).flatMap((job) -> {
				requireUploading(job);
				return storedChunks(id).flatMap((stored) -> join(job, stored, given));
			}).map((job) -> {
				Map<String, Object> answer = PortalAnswers.envelope("Upload complete", job);
				answer.put("job_id", job.jobId());
				answer.put("dataset_id", job.datasetId());
				return answer;
			});
		});
	}

	/**
	 * Receives one chunk. A chunk already stored is only compared (same bytes: accepted as a
	 * duplicate; different bytes: 409, nothing written). A new chunk is written in place, at
	 * its offset in the upload's one spool file, with its SHA-256 computed on the way; it counts
	 * as received once it has its full size, matches the checksum the client gave, and is on
	 * disk (so that a chunk acknowledged as stored outlives a crash of this instance).
	 */
	private Mono<Map<String, Object>> receiveChunk(UploadJob job, int index, long expectedSize, @Nullable String claimed,
			Flux<DataBuffer> content) {
		UUID id = job.jobId();
		String lock = id + "/" + index;
		return storedSha(id, index).map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty()).flatMap((stored) -> {
			if (stored.isPresent()) {
				return compare(id, index, expectedSize, stored.get(), content);
			}
			if (!this.writing.add(lock)) {
				return Mono.error(new ConflictException("Chunk " + index + " is being received on another connection"));
			}
			Checksums checksums = new Checksums();
			AtomicLong size = new AtomicLong();
			Flux<DataBuffer> checked = sized(content, index, expectedSize, size, checksums);
			long start = (long) index * job.chunkSize();
			return ChannelWriter.writeDurably(checked, () -> FileChannel.open(this.spool.chunkedFile(id), StandardOpenOption.CREATE,
					StandardOpenOption.WRITE).position(start))
				.then(Mono.defer(() -> {
					if (size.get() != expectedSize) {
						return Mono.error(new ValidationException("chunk",
								"Chunk " + index + " must be " + expectedSize + " bytes; " + size.get() + " arrived"));
					}
					String actual = checksums.sha256Hex();
					if (claimed != null && !claimed.equals(actual)) {
						return Mono.error(new ValidationException(CHUNK_SHA256,
								"Chunk " + index + " does not match its SHA-256; it was not stored"));
					}
					return keep(job, index, expectedSize, actual, checksums.xxhash64());
				}))
				.doFinally((signal) -> this.writing.remove(lock));
		});
	}

	/**
	 * Counts a chunk's bytes as they arrive (refusing more than its size) and checksums them off
	 * the event loop, handed over in batches of about a MiB.
	 */
	private static Flux<DataBuffer> sized(Flux<DataBuffer> content, int index, long expectedSize, AtomicLong size,
			Checksums checksums) {
		Flux<DataBuffer> counted = content.<DataBuffer>handle((buffer, sink) -> {
			if (size.addAndGet(buffer.readableByteCount()) > expectedSize) {
				// Passed on, then the error: downstream releases it, whatever the fusion mode.
				sink.next(buffer);
				sink.error(new ValidationException("chunk", "Chunk " + index + " must be " + expectedSize + " bytes"));
				return;
			}
			sink.next(buffer);
		});
		return BlobIntake.inspectOffLoop(counted, checksums::update);
	}

	/** A chunk sent again: its checksum decides, the stored bytes are not touched. */
	private Mono<Map<String, Object>> compare(UUID id, int index, long expectedSize, String stored, Flux<DataBuffer> content) {
		Checksums checksums = new Checksums();
		AtomicLong size = new AtomicLong();
		// Released here, and mapped away: then() would hand the buffers to the discard hook as well.
		return sized(content, index, expectedSize, size, checksums).map(DataBufferUtils::release)
			.then(Mono.defer(() -> (size.get() == expectedSize && stored.equals(checksums.sha256Hex()))
					? Mono.just(answer(id, index, expectedSize, stored, false))
					: Mono.error(new ConflictException("Chunk " + index
							+ " was already received with different content; the stored chunk is kept"))));
	}

	private Mono<String> storedSha(UUID id, int index) {
		return this.chunks.sha256(id, index);
	}

	/** Records a written chunk (and adds it to the whole file's checksums when its turn comes). */
	private Mono<Map<String, Object>> keep(UploadJob job, int index, long size, String sha256, String xxhash64) {
		UUID id = job.jobId();
		return this.chunks.record(id, index, size, sha256, Instant.now().plus(this.properties.tusExpiry()))
			.flatMap((recorded) -> {
				if (recorded) {
					RunningChecksums sums = runningFor(job);
					if (sums != null) {
						sums.kept(index, xxhash64, sha256);
					}
					return Mono.just(answer(id, index, size, sha256, true));
				}
				// Another instance stored the same chunk meanwhile. Same bytes: fine. Different
				// bytes may have overwritten its range: forget the chunk so it is sent again.
				return storedSha(id, index).flatMap((existing) -> sha256.equals(existing)
						? Mono.just(answer(id, index, size, sha256, false))
						: this.chunks.forget(id, index)
							.then(Mono.error(new ConflictException("Chunk " + index
									+ " arrived twice at once with different content; send it again"))));
			});
	}

	private static Map<String, Object> answer(UUID id, int index, long size, String sha256, boolean stored) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("job_id", id);
		data.put("index", index);
		data.put("size", size);
		data.put("sha256", sha256);
		data.put("duplicate", !stored);
		return PortalAnswers.envelope(stored ? "Chunk stored" : "Chunk already stored", data);
	}

	/**
	 * The running whole-file checksums of {@code job}, begun with its first chunk here; none
	 * when too many uploads are running at once (completing then reads the whole file).
	 */
	private @Nullable RunningChecksums runningFor(UploadJob job) {
		RunningChecksums sums = this.running.get(job.jobId());
		if (sums != null) {
			return sums;
		}
		if (this.running.size() >= MAX_RUNNING) {
			long stale = System.nanoTime() - this.properties.tusExpiry().toNanos();
			this.running.values().removeIf((other) -> other.touched() - stale < 0);
			if (this.running.size() >= MAX_RUNNING) {
				return null;
			}
		}
		Path file;
		try {
			file = this.spool.chunkedFile(job.jobId());
		}
		catch (IOException ex) {
			return null;
		}
		return this.running.computeIfAbsent(job.jobId(),
				(id) -> new RunningChecksums(file, job.chunkSize(), job.bytesTotal(), Schedulers.boundedElastic()));
	}

	private Mono<UploadJob> join(UploadJob job, Map<Integer, String> stored, @Nullable String given) {
		int total = totalChunks(job);
		if (stored.size() != total) {
			List<Integer> missing = new ArrayList<>();
			for (int i = 0; i < total; i++) {
				if (!stored.containsKey(i)) {
					missing.add(i);
				}
			}
			return Mono.error(new ConflictException("Chunks missing: " + summary(missing)));
		}
		UUID id = job.jobId();
		String expected = (given != null) ? given : job.expectedSha256();
		RunningChecksums sums = this.running.remove(id);
		// The chunks already lie in place: their checksums were mostly computed as they arrived
		// (the rest, or all where that cannot be trusted, is one read pass), then the file moves
		// into storage.
		return Mono.fromCallable(() -> {
			Path file = this.spool.chunkedFile(id);
			try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
				if (channel.size() != job.bytesTotal()) {
					throw new ConflictException("The chunks add up to " + channel.size() + " bytes, not the "
							+ job.bytesTotal() + " announced");
				}
			}
			Checksums known = (sums != null) ? sums.finish(stored) : null;
			return (known != null) ? known : Checksums.of(file);
		}).subscribeOn(Schedulers.boundedElastic()).flatMap((checksums) -> {
			String sha256 = checksums.sha256Hex();
			if (expected != null && !expected.equals(sha256)) {
				return Mono.error(new ValidationException("sha256",
						"The joined file does not match the SHA-256 given; the chunks are kept"));
			}
			return Mono.fromCallable(() -> this.spool.chunkedFile(id))
				.flatMap((file) -> this.intake.importSpooled(id, file, checksums))
				.flatMap((file) -> this.jobs.complete(id, file))
				.flatMap((done) -> this.spool.delete(id).thenReturn(done));
		});
	}

	/** The chunks stored so far: index to SHA-256. */
	private Mono<Map<Integer, String>> storedChunks(UUID id) {
		return this.chunks.stored(id);
	}

	private static void requireUploading(UploadJob job) {
		if (!"chunked".equals(job.protocol())) {
			throw new ConflictException("This job is not a chunked upload");
		}
		if (!"uploading".equals(job.status())) {
			throw new ConflictException("This upload is " + job.status() + "; it takes no more chunks");
		}
	}

	private static int chunkIndex(String value, UploadJob job) {
		int total = totalChunks(job);
		int index;
		try {
			index = Integer.parseInt(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new ValidationException("index", "index must be an integer");
		}
		if (index < 0 || index >= total) {
			throw new ValidationException("index", "index must be between 0 and " + (total - 1));
		}
		return index;
	}

	private static int totalChunks(UploadJob job) {
		return (int) ((job.bytesTotal() + job.chunkSize() - 1) / job.chunkSize());
	}

	private static long expectedChunkSize(UploadJob job, int index) {
		long start = (long) index * job.chunkSize();
		return Math.min(job.chunkSize(), job.bytesTotal() - start);
	}

	private static String summary(List<Integer> missing) {
		List<String> shown = missing.stream().limit(20).map(String::valueOf).toList();
		return String.join(", ", shown) + ((missing.size() > 20) ? " and " + (missing.size() - 20) + " more" : "");
	}


	private static @Nullable String text(JsonNode body, String... names) {
		for (String name : names) {
			JsonNode value = body.path(name);
			if (value.isString() && !value.asString().isBlank()) {
				return value.asString().trim();
			}
		}
		return null;
	}

	private static long positiveLong(JsonNode body, String... names) {
		for (String name : names) {
			JsonNode value = body.path(name);
			if (!value.isMissingNode() && !value.isNull()) {
				if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() <= 0) {
					throw new ValidationException(names[0], names[0] + " must be a positive integer");
				}
				return value.asLong();
			}
		}
		throw new ValidationException(names[0], names[0] + " is required");
	}

	static @Nullable String sha256(@Nullable String value, String field) {
		if (value == null || value.isBlank()) {
			return null;
		}
		String hex = value.trim().toLowerCase(Locale.ROOT);
		if (!SHA256.matcher(hex).matches()) {
			throw new ValidationException(field, field + " must be 64 hexadecimal digits");
		}
		return hex;
	}


}
