package org.sciport.upload.tus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.commons.error.SciportException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.sciport.commons.storage.ChannelWriter;
import org.sciport.upload.UploadProperties;
import org.sciport.upload.conversion.Formats;
import org.sciport.upload.jobs.UploadJob;
import org.sciport.upload.jobs.UploadJobs;
import org.sciport.upload.jobs.UploadJobs.NewUpload;
import org.sciport.upload.receive.BlobIntake;
import org.sciport.upload.receive.Checksums;
import org.sciport.upload.receive.FileNames;
import org.sciport.upload.spool.Spool;
import org.sciport.upload.receive.UploadTargets;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * tus 1.0.0 at {@code /v1/uploads/tus}: core, creation, creation-with-upload,
 * creation-defer-length, expiration, checksum (sha1, sha256, md5), termination and
 * concatenation. An upload is an upload job (its id is the job id); its bytes grow in one spool
 * file and move into storage when the last byte is there. {@code Upload-Metadata} names the file
 * ({@code filename} or {@code name}) and its target ({@code dataset_id} or
 * {@code dataset_name}, optionally {@code folder_id}).
 */
@RestController
class TusController {

	static final String BASE = "/v1/uploads/tus";

	static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";

	private static final String EXTENSIONS = "creation,creation-with-upload,creation-defer-length,expiration,checksum,"
			+ "termination,concatenation";

	private static final Set<String> ALGORITHMS = Set.of("sha1", "sha256", "md5");

	/** The status tus gives a checksum mismatch. */
	private static final int CHECKSUM_MISMATCH = 460;

	private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

	private final UploadJobs jobs;

	private final UploadTargets targets;

	private final BlobIntake intake;

	private final Spool spool;

	private final UploadProperties properties;

	/** Uploads with a PATCH in flight on this instance: a second, concurrent one is refused. */
	private final Set<UUID> writing = ConcurrentHashMap.newKeySet();

	/**
	 * Checksums of uploads whose every byte so far arrived at this instance, in order: their
	 * completion needs no second read. Any other upload (resumed elsewhere, after a restart, or
	 * after a refused body) is checksummed in one read pass when it completes.
	 */
	private final Map<UUID, Checksums> running = new ConcurrentHashMap<>();

	private static final int MAX_RUNNING = 1_000;

	TusController(UploadJobs jobs, UploadTargets targets, BlobIntake intake, Spool spool, UploadProperties properties) {
		this.jobs = jobs;
		this.targets = targets;
		this.intake = intake;
		this.spool = spool;
		this.properties = properties;
	}

	@RequestMapping(path = { BASE, BASE + "/{id}" }, method = RequestMethod.OPTIONS)
	ResponseEntity<Void> options() {
		return ResponseEntity.noContent()
			.header("Tus-Version", TusProtocolFilter.VERSION)
			.header("Tus-Extension", EXTENSIONS)
			.header("Tus-Max-Size", Long.toString(this.intake.maxFileSize()))
			.header("Tus-Checksum-Algorithm", "sha1,sha256,md5")
			.build();
	}

	/** The name a partial upload gets when its client sends none. */
	private static final String PARTIAL_NAME = "partial-upload";

	@PostMapping(BASE)
	Mono<ResponseEntity<Void>> create(ServerWebExchange exchange, @RequestBody(required = false) @Nullable Flux<DataBuffer> body) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			HttpHeaders headers = exchange.getRequest().getHeaders();
			Map<String, String> metadata = metadata(headers.getFirst("Upload-Metadata"));
			String concat = headers.getFirst("Upload-Concat");
			if (concat != null && concat.trim().startsWith("final")) {
				return createFinal(exchange, caller, metadata, concat.trim());
			}
			boolean partial = concat != null && concat.trim().equals("partial");
			if (concat != null && !partial) {
				throw new ValidationException("Upload-Concat", "Upload-Concat must be 'partial' or 'final;<urls>'");
			}
			Long length = length(headers);
			if (length != null && length > this.intake.maxFileSize()) {
				throw BlobIntake.tooLarge(this.intake.maxFileSize());
			}
			// Parallel clients (tus-js-client, Uppy) send partial uploads without metadata: the
			// final upload names the file.
			String named = first(metadata, "filename", "name");
			String filename = (partial && named == null) ? PARTIAL_NAME : FileNames.require(named, "filename");
			String format = Formats.resolve(metadata.get("format"), filename);
			UUID id = UUID.randomUUID();
			Instant expires = Instant.now().plus(this.properties.tusExpiry());
			Mono<@Nullable UUID> dataset = partial ? Mono.empty()
					: this.targets.dataset(exchange.getRequest(), first(metadata, "dataset_id", "dataset_uuid"),
							metadata.get("dataset_name"), metadata.get("folder_id"));
			return dataset.map(java.util.Optional::of)
				.defaultIfEmpty(java.util.Optional.empty())
				.flatMap((target) -> this.jobs.create(new NewUpload(id, UUID.fromString(caller.userId()), "tus", filename,
						first(metadata, "filetype", "content_type"), format, target.orElse(null), null, null, length, null,
						null, null, expires, headers.getFirst("Upload-Metadata"), partial ? "partial" : null, null)))
				.flatMap((job) -> {
					ResponseEntity.BodyBuilder created = ResponseEntity.status(HttpStatus.CREATED)
						.location(location(id))
						.header("Upload-Expires", HTTP_DATE.format(expires));
					if (isOffsetStream(headers) && headers.getContentLength() != 0) {
						// creation-with-upload: the body is the first PATCH.
						return append(job, 0, headers, body).map((offset) -> created.header("Upload-Offset",
								Long.toString(offset)).<Void>build());
					}
					return Mono.just(created.<Void>build());
				});
		});
	}

	@RequestMapping(path = BASE + "/{id}", method = RequestMethod.HEAD)
	Mono<ResponseEntity<Void>> head(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> upload(exchange, id)).map((job) -> {
			ResponseEntity.BodyBuilder answer = ResponseEntity.ok()
				.header(HttpHeaders.CACHE_CONTROL, "no-store")
				.header("Upload-Offset", Long.toString(offset(job)));
			if (job.bytesTotal() != null) {
				answer.header("Upload-Length", Long.toString(job.bytesTotal()));
			}
			else {
				answer.header("Upload-Defer-Length", "1");
			}
			String metadata = rawMetadata(job);
			if (metadata != null) {
				answer.header("Upload-Metadata", metadata);
			}
			if (job.expiresAt() != null) {
				answer.header("Upload-Expires", HTTP_DATE.format(job.expiresAt()));
			}
			if ("partial".equals(tusConcat(job))) {
				answer.header("Upload-Concat", "partial");
			}
			else if ("final".equals(tusConcat(job)) && job.tusParts() != null) {
				answer.header("Upload-Concat", "final;" + String.join(" ", job.tusParts().stream()
					.map((part) -> location(part).toString())
					.toList()));
			}
			return answer.build();
		});
	}

	@PatchMapping(BASE + "/{id}")
	Mono<ResponseEntity<Object>> patch(@PathVariable String id, ServerWebExchange exchange,
			@RequestBody(required = false) @Nullable Flux<DataBuffer> body) {
		return Mono.defer(() -> {
			HttpHeaders headers = exchange.getRequest().getHeaders();
			if (!isOffsetStream(headers)) {
				throw new SciportException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
						"A PATCH carries Content-Type: " + OFFSET_OCTET_STREAM);
			}
			long claimed = requiredLong(headers, "Upload-Offset");
			return upload(exchange, id).flatMap((job) -> {
				if ("final".equals(tusConcat(job))) {
					throw new PermissionDeniedException("A final concatenated upload takes no PATCH");
				}
				if (!"uploading".equals(job.status())) {
					throw new ConflictException("This upload is " + job.status() + "; it takes no more bytes");
				}
				if (claimed != job.bytesReceived()) {
					throw new ConflictException("Upload-Offset " + claimed + " does not match the upload's offset "
							+ job.bytesReceived());
				}
				return append(job, claimed, headers, body).map((offset) -> ResponseEntity.noContent()
					.header("Upload-Offset", Long.toString(offset))
					.header("Upload-Expires", HTTP_DATE.format(Instant.now().plus(this.properties.tusExpiry())))
					.build());
			});
		}).onErrorResume(ChecksumMismatch.class, (ex) -> Mono.just(ResponseEntity.status(CHECKSUM_MISMATCH)
			.body(Map.of("error", Map.of("code", "CHECKSUM_MISMATCH", "message", ex.getMessage())))));
	}

	@DeleteMapping(BASE + "/{id}")
	Mono<ResponseEntity<Void>> terminate(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> upload(exchange, id).flatMap((job) -> {
				if (!"uploading".equals(job.status()) && !"uploaded".equals(job.status())) {
					throw new ConflictException("This upload is " + job.status() + " and cannot be terminated");
				}
				// The one cancel path: the same state change and sciport.upload.cancelled as any other.
				return this.jobs.cancel(AccessTokenFilter.requireCaller(exchange), job.jobId(), "terminated by the client")
					.then(Mono.fromRunnable(() -> this.running.remove(job.jobId())))
					.then(this.spool.delete(job.jobId()))
					.then(("uploaded".equals(job.status()) && job.blobKey() != null)
							? this.intake.discard(new UploadJobs.StoredFile(job.blobKey(), 0, "", "")) : Mono.empty())
					.thenReturn(ResponseEntity.noContent().<Void>build());
			}));
	}

	/** Receives bytes at {@code offset}; completes the upload when its last byte is there. */
	private Mono<Long> append(UploadJob job, long offset, HttpHeaders headers, @Nullable Flux<DataBuffer> body) {
		UUID id = job.jobId();
		Long newLength = (job.bytesTotal() == null && headers.getFirst("Upload-Length") != null)
				? requiredLong(headers, "Upload-Length") : null;
		if (newLength != null && (newLength == 0 || newLength < offset)) {
			// One rule on every route: an upload carries at least one byte; a deferred length
			// comes with the last PATCH and cannot be below what was already received.
			throw new ValidationException("Upload-Length", (newLength == 0) ? "Empty files are not accepted"
					: "Upload-Length " + newLength + " is below the " + offset + " bytes already received");
		}
		Long length = (job.bytesTotal() != null) ? job.bytesTotal() : newLength;
		if (length != null && length > this.intake.maxFileSize()) {
			throw BlobIntake.tooLarge(this.intake.maxFileSize());
		}
		Checksum checksum = checksum(headers.getFirst("Upload-Checksum"));
		long limit = (length != null) ? length - offset : this.intake.maxFileSize() - offset;
		if (!this.writing.add(id)) {
			throw new ConflictException("Another PATCH to this upload is still in progress");
		}
		Flux<DataBuffer> bytes = (body != null) ? body : Flux.empty();
		if (offset == 0 && this.running.size() < MAX_RUNNING) {
			this.running.put(id, new Checksums());
		}
		Checksums whole = this.running.get(id);
		if (whole != null && whole.length() != offset) {
			this.running.remove(id);
			whole = null;
		}
		Checksums tracked = whole;
		return Mono.fromCallable(() -> {
			Path file = this.spool.tusFile(id);
			// Bytes past the recorded offset are from a write that never finished: drop them.
			try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
				channel.truncate(offset);
			}
			return file;
		}).subscribeOn(Schedulers.boundedElastic()).flatMap((file) -> {
			AtomicLong received = new AtomicLong();
			Flux<DataBuffer> limited = bytes.<DataBuffer>handle((buffer, sink) -> {
				if (received.addAndGet(buffer.readableByteCount()) > limit) {
					// Passed on, then the error: downstream releases it, whatever the fusion mode.
					sink.next(buffer);
					sink.error((length != null) ? new ValidationException("Upload-Offset",
							"The body goes past the upload's length of " + length + " bytes")
							: BlobIntake.tooLarge(this.intake.maxFileSize()));
					return;
				}
				sink.next(buffer);
			});
			Flux<DataBuffer> counted = BlobIntake.inspectOffLoop(limited, (buffer) -> {
				if (checksum != null) {
					checksum.update(buffer);
				}
				if (tracked != null) {
					tracked.update(buffer);
				}
			});
			Mono<Void> write = ChannelWriter.writeDurably(counted, () -> FileChannel.open(file, StandardOpenOption.WRITE).position(offset))
				.then();
			return write.then(Mono.defer(() -> {
				if (checksum != null && !checksum.matches()) {
					this.running.remove(id);
					return truncate(file, offset).then(Mono.error(new ChecksumMismatch()));
				}
				return recordOffset(id, offset, offset + received.get(), newLength);
			})).doOnError((ex) -> this.running.remove(id)).onErrorResume((ex) -> !(ex instanceof ChecksumMismatch), (ex) ->
				// A refused body leaves nothing, nor does one the disk failed to keep; an
				// interrupted one keeps what reached the disk, unless a checksum was to cover it all.
				((checksum != null || ex instanceof SciportException || ex instanceof ChannelWriter.DiskFailure)
						? truncate(file, offset)
						: Mono.fromCallable(() -> forcedSize(file))
							.subscribeOn(Schedulers.boundedElastic())
							.flatMap((written) -> recordOffset(id, offset, written, newLength)))
					.onErrorComplete()
					.then(Mono.error(ex)))
				.flatMap((newOffset) -> (length != null && newOffset == (long) length) ? finish(id).thenReturn(newOffset)
						: Mono.just(newOffset));
		}).doOnCancel(() -> {
			// The client went away mid-body: keep what reached the disk (tus resumes from there),
			// unless a checksum was to cover it all. The writer closes its channel first.
			this.running.remove(id);
			Mono<?> keep = (checksum != null) ? Mono.empty()
					: Mono.delay(Duration.ofMillis(200))
						.then(Mono.fromCallable(() -> forcedSize(this.spool.tusFile(id))).subscribeOn(Schedulers.boundedElastic()))
						.flatMap((written) -> recordOffset(id, offset, Math.min(written, offset + limit), newLength));
			keep.onErrorComplete().doFinally((signal) -> this.writing.remove(id)).subscribe();
		}).doFinally((signal) -> {
			if (signal != reactor.core.publisher.SignalType.CANCEL) {
				this.writing.remove(id);
			}
		});
	}

	/**
	 * Moves the recorded offset from {@code from}, where this PATCH began, to {@code offset}; only
	 * if it is still at {@code from}. The in-memory guard covers one instance only: with several,
	 * a PATCH that raced another one to the same upload must not move an offset it did not start
	 * from, and gets a 409 instead.
	 */
	private Mono<Long> recordOffset(UUID id, long from, long offset, @Nullable Long newLength) {
		return this.jobs.moveOffset(id, from, offset, newLength, Instant.now().plus(this.properties.tusExpiry()))
			.flatMap((moved) -> moved ? Mono.just(offset)
					: Mono.error(new ConflictException("The upload's offset moved while this PATCH ran; ask for it again")));
	}

	/** All bytes are there: the spool file moves into storage (checksummed on the way). */
	private Mono<UploadJob> finish(UUID id) {
		return this.jobs.get(id).flatMap((job) -> Mono.fromCallable(() -> this.spool.tusFile(id))
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap((file) -> this.intake.importSpooled(id, file, this.running.remove(id)))
			.flatMap((stored) -> "partial".equals(tusConcat(job)) ? this.jobs.stored(id, stored)
					: this.jobs.complete(id, stored))
			.flatMap((done) -> this.spool.delete(id).thenReturn(done)));
	}

	private Mono<ResponseEntity<Void>> createFinal(ServerWebExchange exchange, Caller caller, Map<String, String> metadata,
			String concat) {
		List<UUID> parts = new ArrayList<>();
		for (String url : concat.substring(concat.indexOf(';') + 1).trim().split("\\s+")) {
			if (url.isBlank()) {
				continue;
			}
			String last = url.substring(url.lastIndexOf('/') + 1);
			parts.add(uuidOrFail(last));
		}
		if (parts.isEmpty()) {
			throw new ValidationException("Upload-Concat", "A final upload names its partial uploads");
		}
		String filename = FileNames.require(first(metadata, "filename", "name"), "filename");
		String format = Formats.resolve(metadata.get("format"), filename);
		UUID id = UUID.randomUUID();
		return Flux.fromIterable(parts)
			.concatMap((part) -> this.jobs.find(caller, part))
			.collectList()
			.flatMap((found) -> {
				for (UploadJob part : found) {
					if (!"partial".equals(tusConcat(part)) || !"uploaded".equals(part.status())) {
						return Mono.error(new ValidationException("Upload-Concat",
								"Upload " + part.jobId() + " is not a finished partial upload"));
					}
				}
				return this.targets.dataset(exchange.getRequest(), first(metadata, "dataset_id", "dataset_uuid"),
						metadata.get("dataset_name"), metadata.get("folder_id"))
					.flatMap((dataset) -> this.jobs.create(new NewUpload(id, UUID.fromString(caller.userId()), "tus",
							filename, first(metadata, "filetype", "content_type"), format, dataset, null, null, null, null,
							null, null, null, exchange.getRequest().getHeaders().getFirst("Upload-Metadata"), "final", parts)))
					.flatMap((job) -> {
						Flux<DataBuffer> joined = Flux.fromIterable(found)
							.concatMap((part) -> this.intake.read(part.blobKey()));
						// A part that expired meanwhile cannot be read: the final upload fails, visibly.
						return this.intake.store(id, joined)
							.flatMap((stored) -> this.jobs.complete(id, stored))
							.onErrorResume((ex) -> this.jobs.fail(id, "Its partial uploads could not be joined")
								.onErrorComplete()
								.then(Mono.error(ex)));
					})
					.flatMap((job) -> Flux.fromIterable(found)
						.concatMap((part) -> this.jobs.joined(part.jobId())
							.then(this.intake.discard(new UploadJobs.StoredFile(part.blobKey(), 0, "", ""))))
						.then(Mono.just(ResponseEntity.status(HttpStatus.CREATED)
							.location(location(id))
							.<Void>build())));
			});
	}

	private Mono<UploadJob> upload(ServerWebExchange exchange, String id) {
		Caller caller = AccessTokenFilter.requireCaller(exchange);
		UUID uuid;
		try {
			uuid = UUID.fromString(id);
		}
		catch (IllegalArgumentException ex) {
			return Mono.error(new NotFoundException("No such upload"));
		}
		return this.jobs.find(caller, uuid).flatMap((job) -> {
			if (!"tus".equals(job.protocol())) {
				return Mono.error(new NotFoundException("No such upload"));
			}
			if ("cancelled".equals(job.status()) || "expired".equals(job.status())) {
				return Mono.error(new SciportException(ErrorCode.RESOURCE_NOT_FOUND, "The upload was " + job.status()));
			}
			return Mono.just(job);
		});
	}

	private static long offset(UploadJob job) {
		return (job.completedAt() != null && job.bytesTotal() != null) ? job.bytesTotal() : job.bytesReceived();
	}

	private static @Nullable String rawMetadata(UploadJob job) {
		return job.tusMetadata();
	}

	private static @Nullable String tusConcat(UploadJob job) {
		return job.tusConcat();
	}

	/**
	 * An upload's URL: under the configured public base URL, or relative (as tus allows, and its
	 * clients resolve against the URL they called). Never from the request's {@code Host} or
	 * {@code X-Forwarded-*} headers, which a client chooses.
	 */
	private java.net.URI location(UUID id) {
		return java.net.URI.create(this.properties.publicBaseUrl().replaceAll("/+$", "") + BASE + "/" + id);
	}

	private static @Nullable Long length(HttpHeaders headers) {
		String length = headers.getFirst("Upload-Length");
		String defer = headers.getFirst("Upload-Defer-Length");
		if (length != null) {
			long value = requiredLong(headers, "Upload-Length");
			if (value == 0) {
				throw new ValidationException("Upload-Length", "Empty files are not accepted");
			}
			return value;
		}
		if ("1".equals(defer)) {
			return null;
		}
		throw new ValidationException("Upload-Length", "Upload-Length or Upload-Defer-Length: 1 is required");
	}

	private static long requiredLong(HttpHeaders headers, String name) {
		String value = headers.getFirst(name);
		if (value == null) {
			throw new ValidationException(name, name + " is required");
		}
		try {
			long parsed = Long.parseLong(value.trim());
			if (parsed < 0) {
				throw new NumberFormatException();
			}
			return parsed;
		}
		catch (NumberFormatException ex) {
			throw new ValidationException(name, name + " must be a non-negative integer");
		}
	}

	private static boolean isOffsetStream(HttpHeaders headers) {
		String type = headers.getFirst(HttpHeaders.CONTENT_TYPE);
		return type != null && type.trim().toLowerCase(Locale.ROOT).startsWith(OFFSET_OCTET_STREAM);
	}

	/** {@code key base64,key2 base64,flag}: values decoded, keys as given. */
	static Map<String, String> metadata(@Nullable String header) {
		Map<String, String> values = new LinkedHashMap<>();
		if (header == null || header.isBlank()) {
			return values;
		}
		for (String pair : header.split(",")) {
			String[] parts = pair.trim().split(" ", 2);
			if (parts[0].isEmpty()) {
				throw new ValidationException("Upload-Metadata", "Upload-Metadata has an empty key");
			}
			try {
				values.put(parts[0], (parts.length > 1) ? new String(Base64.getDecoder().decode(parts[1].trim()),
						StandardCharsets.UTF_8) : "");
			}
			catch (IllegalArgumentException ex) {
				throw new ValidationException("Upload-Metadata", "The value of '" + parts[0] + "' is not Base64");
			}
		}
		return values;
	}

	private static @Nullable String first(Map<String, String> metadata, String... keys) {
		for (String key : keys) {
			String value = metadata.get(key);
			if (value != null && !value.isBlank()) {
				return value;
			}
		}
		return null;
	}

	private static UUID uuidOrFail(String value) {
		try {
			return UUID.fromString(value);
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException("Upload-Concat", "'" + value + "' is not an upload of this server");
		}
	}

	private static @Nullable Checksum checksum(@Nullable String header) {
		if (header == null || header.isBlank()) {
			return null;
		}
		String[] parts = header.trim().split(" ", 2);
		String algorithm = parts[0].toLowerCase(Locale.ROOT);
		if (!ALGORITHMS.contains(algorithm) || parts.length != 2) {
			throw new ValidationException("Upload-Checksum", "Upload-Checksum takes one of sha1, sha256, md5 and a Base64 value");
		}
		byte[] expected;
		try {
			expected = Base64.getDecoder().decode(parts[1].trim());
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException("Upload-Checksum", "The checksum is not Base64");
		}
		return new Checksum(algorithm, expected);
	}

	/**
	 * How much of an interrupted PATCH the spool file holds, once that is on disk: the offset
	 * recorded from it must outlive a crash.
	 */
	private static long forcedSize(Path file) throws IOException {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			// The size first: whatever lands after it is not counted, forced or not.
			long size = channel.size();
			channel.force(false);
			return size;
		}
	}

	private static Mono<Long> truncate(Path file, long offset) {
		return Mono.fromCallable(() -> {
			try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
				channel.truncate(offset);
			}
			return offset;
		}).subscribeOn(Schedulers.boundedElastic());
	}


	/** A PATCH's declared checksum, computed as its bytes pass. */
	private static final class Checksum {

		private final MessageDigest digest;

		private final byte[] expected;

		Checksum(String algorithm, byte[] expected) {
			try {
				this.digest = MessageDigest.getInstance(switch (algorithm) {
					case "sha1" -> "SHA-1";
					case "sha256" -> "SHA-256";
					default -> "MD5";
				});
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException(ex);
			}
			this.expected = expected;
		}

		void update(DataBuffer buffer) {
			try (DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers()) {
				while (iterator.hasNext()) {
					ByteBuffer next = iterator.next();
					this.digest.update(next);
				}
			}
		}

		boolean matches() {
			return MessageDigest.isEqual(this.digest.digest(), this.expected);
		}

	}

	/** The bytes of a PATCH did not match its {@code Upload-Checksum}. */
	static final class ChecksumMismatch extends RuntimeException {

		ChecksumMismatch() {
			super("The body does not match Upload-Checksum; the offset did not move", null, false, false);
		}

	}

}
