package org.sciport.upload.receive;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.sciport.commons.storage.BlobStore;
import org.sciport.upload.PortalAnswers;
import org.sciport.upload.UploadProperties;
import org.sciport.upload.conversion.Formats;
import org.sciport.upload.jobs.PortalJobs;
import org.sciport.upload.jobs.UploadJob;
import org.sciport.upload.jobs.UploadJobs;
import org.sciport.upload.jobs.UploadJobs.NewUpload;
import org.sciport.upload.jobs.UploadJobs.StoredFile;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Whole files in one multipart request: seed 000's {@code /api/upload/upload} (into a new or
 * existing dataset), seed 001's {@code /v1/data/upload} (into a project) and the native
 * {@code /v1/uploads}. The body is read by {@link MultipartStream}; the file part streams
 * straight into storage as it arrives; the other
 * fields may come before or after it. When they come first, an existing dataset's or
 * project's permission is checked before a byte is stored.
 */
@RestController
class SingleUploadController {

	/** The largest form field accepted. */
	private static final int MAX_FIELD_BYTES = 256 * 1024;

	/** Room for the multipart framing and form fields on top of the file itself. */
	private static final long FORM_OVERHEAD = 1024 * 1024;

	private static final SecureRandom RANDOM = new SecureRandom();

	private final UploadJobs jobs;

	private final BlobIntake intake;

	private final UploadTargets targets;

	private final BlobStore blobs;

	private final java.time.Duration expiry;

	SingleUploadController(UploadJobs jobs, BlobIntake intake, UploadTargets targets, BlobStore blobs,
			UploadProperties properties) {
		this.jobs = jobs;
		this.intake = intake;
		this.targets = targets;
		this.blobs = blobs;
		this.expiry = properties.tusExpiry();
	}

	/**
	 * The portal's upload: 200 with {@code job_id} and {@code dataset_uuid} at the top level,
	 * the job in {@code data}. Its fields: {@code dataset_name}, {@code sensor}, {@code convert},
	 * {@code is_public}, {@code folder} (a name), {@code tags} (comma-separated),
	 * {@code team_uuid}, and {@code dataset_identifier} with {@code add_to_existing=true} to add
	 * the file to an existing dataset.
	 */
	@PostMapping(path = "/api/upload/upload", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Mono<Map<String, Object>> portalUpload(@RequestBody Flux<DataBuffer> parts, ServerWebExchange exchange) {
		return receive(parts, exchange, false).map((job) -> {
			Map<String, Object> body = PortalAnswers.envelope("Upload initiated", job);
			body.put("job_id", job.jobId());
			body.put("dataset_uuid", job.datasetId());
			body.put("dataset_id", job.datasetId());
			body.put("status", PortalJobs.status(job));
			return body;
		});
	}

	@PostMapping(path = "/v1/uploads", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	Mono<UploadJob> nativeUpload(@RequestBody Flux<DataBuffer> parts, ServerWebExchange exchange) {
		return receive(parts, exchange, false);
	}

	@PostMapping(path = "/v1/data/upload", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Map<String, Object>> dataUpload(@RequestBody Flux<DataBuffer> parts, ServerWebExchange exchange) {
		return receive(parts, exchange, true).map((job) -> {
			Map<String, Object> record = new LinkedHashMap<>();
			record.put("id", job.dataId());
			record.put("project_id", job.projectId());
			record.put("filename", job.filename());
			record.put("size", job.bytesTotal());
			record.put("rows", null);
			record.put("format", job.format());
			record.put("status", "processing");
			record.put("created_at", job.createdAt());
			return record;
		});
	}

	private Mono<UploadJob> receive(Flux<DataBuffer> body, ServerWebExchange exchange, boolean intoProject) {
		Caller caller = AccessTokenFilter.requireCaller(exchange);
		ServerHttpRequest request = exchange.getRequest();
		long declared = request.getHeaders().getContentLength();
		if (declared > this.intake.maxFileSize() + FORM_OVERHEAD) {
			return body.map(DataBufferUtils::release).then().then(Mono.error(BlobIntake.tooLarge(this.intake.maxFileSize())));
		}
		MediaType type = request.getHeaders().getContentType();
		String boundary = (type != null && type.getParameter("boundary") != null)
				? type.getParameter("boundary").replace("\"", "") : "";
		Flux<MultipartStream.Event> parts = MultipartStream.parse(body, boundary, MAX_FIELD_BYTES);
		UUID id = UUID.randomUUID();
		Map<String, String> fields = new ConcurrentHashMap<>();
		AtomicReference<@Nullable StoredFile> stored = new AtomicReference<>();
		AtomicReference<@Nullable String> filename = new AtomicReference<>();
		AtomicReference<@Nullable Boolean> checked = new AtomicReference<>();
		// Each window is one form field, or one file part from its start to its end.
		Mono<Void> streamed = parts
			.windowUntil((event) -> event instanceof MultipartStream.Field || event instanceof MultipartStream.FileEnd)
			.concatMap((window) -> window.switchOnFirst((signal, events) -> {
				MultipartStream.Event first = signal.get();
				if (first instanceof MultipartStream.FileStart file) {
					if (!"file".equals(file.name())) {
						return drain(events).then(Mono.error(new ValidationException(file.name(),
								"Only the field 'file' may carry a file")));
					}
					if (filename.get() != null) {
						return drain(events).then(Mono.error(new ValidationException("file", "Send one file per request")));
					}
					String name;
					try {
						name = FileNames.require(file.filename(), "filename");
					}
					catch (ValidationException ex) {
						return drain(events).then(Mono.error(ex));
					}
					filename.set(name);
					Mono<Boolean> early = earlyCheck(request, fields, intoProject).doOnNext(checked::set);
					NewUpload upload = new NewUpload(id, UUID.fromString(caller.userId()), "single", name,
							file.contentType(), null, null, null, null, (declared > 0) ? declared : null, null, null, null,
							Instant.now().plus(this.expiry), null, null, null);
					Flux<DataBuffer> content = events.ofType(MultipartStream.FileData.class).map(MultipartStream.FileData::take);
					return early.then(this.jobs.create(upload))
						.then(this.intake.store(id, content))
						.doOnNext(stored::set)
						.onErrorResume((ex) -> this.jobs.fail(id, failure(ex)).onErrorComplete().then(Mono.error(ex)))
						.doOnCancel(() -> this.jobs.fail(id, "The client disconnected").onErrorComplete().subscribe())
						.then();
				}
				if (first instanceof MultipartStream.Field field) {
					fields.put(field.name(), field.value());
				}
				return drain(events);
			}))
			.then()
			// A malformed body fails the whole stream: the job (if one was begun) is marked failed
			// before the answer goes out, not only when the file's own stream hears of it.
			.onErrorResume((ex) -> this.jobs.fail(id, failure(ex)).onErrorComplete().then(Mono.error(ex)))
			// File content waiting in a window when the stream ends early holds network memory.
			.doOnDiscard(MultipartStream.FileData.class, MultipartStream.FileData::release);
		return streamed.then(Mono.defer(() -> {
			StoredFile file = stored.get();
			if (file == null) {
				return Mono.error(new ValidationException("file", "file is required"));
			}
			return Mono.defer(() -> finish(request, caller, id, Objects.requireNonNull(filename.get()), fields, file,
					intoProject, Boolean.TRUE.equals(checked.get())))
				.onErrorResume((ex) -> this.blobs.delete(file.blobKey())
					.then(this.jobs.fail(id, failure(ex)))
					.onErrorComplete()
					.then(Mono.error(ex)));
		}));
	}

	/** Checks an existing target before the file streams in, when its field came first. */
	private Mono<Boolean> earlyCheck(ServerHttpRequest request, Map<String, String> fields, boolean intoProject) {
		if (intoProject) {
			String project = fields.get("project_id");
			return (project != null && !project.isBlank()) ? this.targets.project(request, project.trim()).thenReturn(true)
					: Mono.just(false);
		}
		String dataset = datasetField(fields);
		return (dataset != null) ? this.targets.dataset(request, dataset, null, null).thenReturn(true) : Mono.just(false);
	}

	private Mono<UploadJob> finish(ServerHttpRequest request, Caller caller, UUID id, String filename,
			Map<String, String> fields, StoredFile file, boolean intoProject, boolean checked) {
		if (file.size() == 0) {
			return Mono.error(new ValidationException("file", "The file is empty"));
		}
		String format = Formats.resolve(Formats.declared(fields.get("format"), fields.get("sensor")), filename);
		if (intoProject) {
			String project = fields.get("project_id");
			if (project == null || project.isBlank()) {
				return Mono.error(new ValidationException("project_id", "project_id is required"));
			}
			String dataId = "data_" + HexFormat.of().formatHex(randomBytes(8));
			Mono<Void> access = checked ? Mono.empty() : this.targets.project(request, project.trim());
			return access.then(this.jobs.target(id, null, project.trim(), dataId))
				.then(this.jobs.setFormat(id, format))
				.then(this.jobs.complete(id, file));
		}
		String existing = datasetField(fields);
		boolean convert = bool(fields, "convert", true);
		Boolean isPublic = fields.containsKey("is_public") ? bool(fields, "is_public", false) : null;
		List<String> tags = tags(fields.get("tags"));
		String team = (fields.get("team_uuid") != null) ? fields.get("team_uuid") : fields.get("team_id");
		// Whose upload it is: the caller's, or (administrators only) the account user_email names.
		return this.targets.uploader(request, caller, fields.get("user_email")).flatMap((owner) -> {
			UploadTargets.NewDataset fresh = new UploadTargets.NewDataset(fields.get("dataset_name"),
					fields.get("folder_id"), fields.get("folder"), fields.get("sensor"), isPublic, tags, team,
					owner.toString().equals(caller.userId()) ? null : owner);
			return this.targets.target(request, existing, fresh)
				.flatMap((dataset) -> this.jobs.target(id, dataset.id(), null, null)
					.then(this.jobs.describe(id, owner, dataset.name(), convert)));
		})
			.then(this.jobs.setFormat(id, format))
			.then(this.jobs.complete(id, file));
	}

	/** A form's yes or no: {@code true}/{@code false}, {@code 1}/{@code 0}, {@code yes}/{@code no}. */
	static boolean bool(Map<String, String> fields, String name, boolean absent) {
		String value = fields.get(name);
		if (value == null || value.isBlank()) {
			return absent;
		}
		return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
			case "true", "1", "yes", "on" -> true;
			case "false", "0", "no", "off" -> false;
			default -> throw new ValidationException(name, name + " must be true or false");
		};
	}

	/** Tags as the portal's forms send them: one comma-separated text. */
	static java.util.@Nullable List<String> tags(@Nullable String text) {
		if (text == null || text.isBlank()) {
			return null;
		}
		return java.util.Arrays.stream(text.split(",")).map(String::trim).filter((tag) -> !tag.isEmpty()).distinct().toList();
	}

	/**
	 * The existing dataset the form names: {@code dataset_id} or {@code dataset_uuid}, or
	 * {@code dataset_identifier} when {@code add_to_existing} is true. A
	 * {@code dataset_identifier} without {@code add_to_existing} is refused rather than ignored.
	 */
	private static @Nullable String datasetField(Map<String, String> fields) {
		String identifier = fields.get("dataset_identifier");
		if (identifier != null && !identifier.isBlank()) {
			if (!bool(fields, "add_to_existing", false)) {
				throw new ValidationException("add_to_existing",
						"dataset_identifier names an existing dataset: send add_to_existing=true with it");
			}
			return identifier;
		}
		if (bool(fields, "add_to_existing", false)) {
			throw new ValidationException("dataset_identifier", "add_to_existing needs dataset_identifier, the dataset's uuid");
		}
		for (String name : new String[] { "dataset_id", "dataset_uuid" }) {
			String value = fields.get(name);
			if (value != null && !value.isBlank()) {
				return value;
			}
		}
		return null;
	}

	static Mono<Void> drain(Flux<MultipartStream.Event> events) {
		// Released as they come (a discard hook releasing one again does nothing).
		return events.map((event) -> {
			if (event instanceof MultipartStream.FileData data) {
				data.release();
			}
			return true;
		})
			.then();
	}

	static String failure(Throwable error) {
		return (error instanceof org.sciport.commons.error.SciportException known) ? known.getMessage()
				: "The upload was interrupted";
	}

	private static byte[] randomBytes(int count) {
		byte[] bytes = new byte[count];
		RANDOM.nextBytes(bytes);
		return bytes;
	}

}
