package org.sciport.upload.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.UploadEvents;
import org.sciport.commons.event.Topics;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.page.Page;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.security.Caller;
import org.sciport.commons.storage.BlobStore;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Upload jobs: their rows, their life cycle, and the events that announce it. Every state
 * change is one conditional update, so two racing changes (a cancel and a completion, two
 * workers) cannot both win; the event of a change is written in the same transaction.
 */
@Service
public class UploadJobs {

	static final String SOURCE = "/sciport/upload-service";

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	private final JsonMapper json;

	private final BlobStore blobs;

	UploadJobs(DatabaseClient database, TransactionalOperator transactions, OutboxWriter outbox, CloudEventCodec codec,
			JsonMapper json, BlobStore blobs) {
		this.database = database;
		this.transactions = transactions;
		this.outbox = outbox;
		this.codec = codec;
		this.json = json;
		this.blobs = blobs;
	}

	/**
	 * A new upload, before its first byte.
	 *
	 * @param id the job id
	 * @param owner who uploads
	 * @param protocol {@code single}, {@code chunked} or {@code tus}
	 * @param filename the file name, already checked
	 * @param contentType the declared content type
	 * @param format the declared or detected format
	 * @param datasetId the target dataset
	 * @param projectId the target project
	 * @param dataId the data record id, for project uploads
	 * @param sizeBytes the declared size, if known
	 * @param chunkSize the chunk size of a chunked upload
	 * @param totalChunks the number of chunks of a chunked upload
	 * @param expectedSha256 the whole-file SHA-256 the client promised
	 * @param expiresAt when an unfinished upload is removed
	 * @param tusMetadata the raw {@code Upload-Metadata} of a tus upload
	 * @param tusConcat {@code partial} or {@code final} for tus concatenation
	 * @param tusParts the partial uploads a final tus upload joins
	 */
	public record NewUpload(UUID id, UUID owner, String protocol, String filename, @Nullable String contentType,
			@Nullable String format, @Nullable UUID datasetId, @Nullable String projectId, @Nullable String dataId,
			@Nullable Long sizeBytes, @Nullable Integer chunkSize, @Nullable Integer totalChunks,
			@Nullable String expectedSha256, @Nullable Instant expiresAt, @Nullable String tusMetadata,
			@Nullable String tusConcat, @Nullable List<UUID> tusParts) {
	}

	/**
	 * A complete file, as stored.
	 *
	 * @param blobKey where it is
	 * @param size its size
	 * @param xxhash64 its xxHash64
	 * @param sha256 its SHA-256
	 */
	public record StoredFile(String blobKey, long size, String xxhash64, String sha256) {
	}

	public Mono<UploadJob> create(NewUpload upload) {
		Instant now = Instant.now();
		DatabaseClient.GenericExecuteSpec insert = this.database.sql(
				"INSERT INTO upload (id, owner_id, protocol, status, filename, content_type, format, dataset_id, project_id, "
						+ "data_id, size_bytes, chunk_size, total_chunks, expected_sha256, expires_at, tus_metadata, tus_concat, "
						+ "tus_parts, created_at, updated_at) VALUES (:id, :owner, :protocol, 'uploading', :filename, :contentType, "
						+ ":format, :dataset, :project, :data, :size, :chunkSize, :totalChunks, :sha256, :expires, :tusMetadata, "
						+ ":tusConcat, :tusParts, :now, :now)")
			.bind("id", upload.id())
			.bind("owner", upload.owner())
			.bind("protocol", upload.protocol())
			.bind("filename", upload.filename())
			.bind("now", now);
		insert = bindNullable(insert, "contentType", upload.contentType(), String.class);
		insert = bindNullable(insert, "format", upload.format(), String.class);
		insert = bindNullable(insert, "dataset", upload.datasetId(), UUID.class);
		insert = bindNullable(insert, "project", upload.projectId(), String.class);
		insert = bindNullable(insert, "data", upload.dataId(), String.class);
		insert = bindNullable(insert, "size", upload.sizeBytes(), Long.class);
		insert = bindNullable(insert, "chunkSize", upload.chunkSize(), Integer.class);
		insert = bindNullable(insert, "totalChunks", upload.totalChunks(), Integer.class);
		insert = bindNullable(insert, "sha256", upload.expectedSha256(), String.class);
		insert = bindNullable(insert, "expires", upload.expiresAt(), Instant.class);
		insert = bindNullable(insert, "tusMetadata", upload.tusMetadata(), String.class);
		insert = bindNullable(insert, "tusConcat", upload.tusConcat(), String.class);
		insert = bindNullable(insert, "tusParts", (upload.tusParts() != null) ? upload.tusParts().toArray(UUID[]::new) : null,
				UUID[].class);
		return insert.then().then(Mono.defer(() -> get(upload.id())));
	}

	/** The job, for whoever owns it (or an administrator); 404 for everyone else. */
	public Mono<UploadJob> find(Caller caller, UUID id) {
		return get(id).filter((job) -> caller.isAdmin() || job.ownerId().toString().equals(caller.userId()))
			.switchIfEmpty(Mono.error(() -> new NotFoundException("No such job")));
	}

	/** The job, whoever owns it; empty if there is none. */
	public Mono<UploadJob> get(UUID id) {
		return this.database.sql("SELECT * FROM upload WHERE id = :id")
			.bind("id", id)
			.map((row) -> UploadJob.from(row, this.json))
			.one();
	}

	/** The caller's jobs, newest first, optionally of one status (or several, comma-separated). */
	public Mono<Page<UploadJob>> list(Caller caller, PageRequest page, @Nullable String status, String basePath) {
		return list(caller, page, page.offset(), status, basePath);
	}

	/** As {@link #list(Caller, PageRequest, String, String)}, from an explicit row offset. */
	public Mono<Page<UploadJob>> list(Caller caller, PageRequest page, long offset, @Nullable String status,
			String basePath) {
		String where = "owner_id = :owner AND (tus_concat IS NULL OR tus_concat = 'final')"
				+ ((status != null) ? " AND status = ANY(:status)" : "");
		DatabaseClient.GenericExecuteSpec rows = this.database
			.sql("SELECT * FROM upload WHERE " + where + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
			.bind("owner", UUID.fromString(caller.userId()))
			.bind("limit", page.perPage())
			.bind("offset", offset);
		DatabaseClient.GenericExecuteSpec count = this.database.sql("SELECT count(*) AS total FROM upload WHERE " + where)
			.bind("owner", UUID.fromString(caller.userId()));
		if (status != null) {
			rows = rows.bind("status", status.split(","));
			count = count.bind("status", status.split(","));
		}
		return rows.map((row) -> UploadJob.from(row, this.json))
			.all()
			.collectList()
			.zipWith(count.map((row) -> row.get("total", Long.class)).one())
			.map((result) -> Page.of(result.getT1(), result.getT2(), page, basePath));
	}

	/** Records progress of an upload still in flight. */
	public Mono<Void> progress(UUID id, long bytesReceived) {
		return this.database
			.sql("UPDATE upload SET bytes_received = :bytes, updated_at = now(), expires_at = greatest(expires_at, "
					+ "now() + (expires_at - created_at)) WHERE id = :id AND status = 'uploading'")
			.bind("bytes", bytesReceived)
			.bind("id", id)
			.then();
	}

	/**
	 * The last byte is stored: the job moves to {@code conversion_queued} and
	 * {@code sciport.upload.completed} is announced with the dataset's new totals. If the job
	 * is no longer uploading (cancelled meanwhile), the stored file is removed and the answer
	 * is a conflict.
	 */
	public Mono<UploadJob> complete(UUID id, StoredFile file) {
		Mono<UploadJob> change = this.database
			.sql("UPDATE upload SET status = 'conversion_queued', bytes_received = :size, size_bytes = :size, "
					+ "xxhash64 = :xxhash, sha256 = :sha256, blob_key = :key, completed_at = now(), updated_at = now(), "
					+ "next_attempt_at = now(), expires_at = NULL WHERE id = :id AND status = 'uploading'")
			.bind("size", file.size())
			.bind("xxhash", file.xxhash64())
			.bind("sha256", file.sha256())
			.bind("key", file.blobKey())
			.bind("id", id)
			.fetch()
			.rowsUpdated()
			.flatMap((updated) -> (updated == 0) ? Mono.error(new ConflictException("The upload is no longer in progress"))
					: get(id))
			.flatMap((job) -> announceCompleted(job).thenReturn(job));
		return this.transactions.transactional(change)
			.onErrorResume(ConflictException.class,
					(ex) -> this.blobs.delete(file.blobKey()).onErrorComplete().then(Mono.error(ex)));
	}

	/** Names where a job's file goes, once the request has said so. */
	public Mono<Void> target(UUID id, @Nullable UUID datasetId, @Nullable String projectId, @Nullable String dataId) {
		DatabaseClient.GenericExecuteSpec update = this.database
			.sql("UPDATE upload SET dataset_id = :dataset, project_id = :project, data_id = :data, updated_at = now() "
					+ "WHERE id = :id")
			.bind("id", id);
		update = bindNullable(update, "dataset", datasetId, UUID.class);
		update = bindNullable(update, "project", projectId, String.class);
		update = bindNullable(update, "data", dataId, String.class);
		return update.then();
	}

	/**
	 * Records whose upload it is (an administrator may upload in another account's name), the
	 * dataset's name (for the job lists) and whether the file is to be converted.
	 */
	public Mono<Void> describe(UUID id, UUID owner, @Nullable String datasetName, boolean convert) {
		DatabaseClient.GenericExecuteSpec update = this.database
			.sql("UPDATE upload SET owner_id = :owner, dataset_name = :name, convert = :convert WHERE id = :id")
			.bind("id", id)
			.bind("owner", owner)
			.bind("convert", convert);
		return bindNullable(update, "name", datasetName, String.class).then();
	}

	/** The caller's jobs for one dataset whose conversion failed, oldest first. */
	public Mono<List<UUID>> failedConversions(Caller caller, UUID datasetId) {
		return this.database
			.sql("SELECT id FROM upload WHERE dataset_id = :dataset AND status = 'conversion_failed' "
					+ (caller.isAdmin() ? "" : "AND owner_id = :owner ") + "ORDER BY created_at, id")
			.bind("dataset", datasetId)
			.bind("owner", UUID.fromString(caller.userId()))
			.map((row) -> row.get("id", UUID.class))
			.all()
			.collectList();
	}

	/**
	 * The newest stored file of this name in the dataset, whoever uploaded it (the caller's right
	 * to read the dataset is checked by dataset-service before).
	 */
	public Mono<UploadJob> storedFile(UUID datasetId, String filename) {
		return this.database
			.sql("SELECT * FROM upload WHERE dataset_id = :dataset AND filename = :name AND blob_key IS NOT NULL "
					+ "AND status IN ('conversion_queued', 'converting', 'done', 'conversion_failed') "
					+ "AND (tus_concat IS NULL OR tus_concat = 'final') ORDER BY completed_at DESC, id LIMIT 1")
			.bind("dataset", datasetId)
			.bind("name", filename)
			.map((row) -> UploadJob.from(row, this.json))
			.one();
	}

	/** Records the format conversion will treat the file as. */
	public Mono<Void> setFormat(UUID id, String format) {
		return this.database.sql("UPDATE upload SET format = :format WHERE id = :id")
			.bind("format", format)
			.bind("id", id)
			.then();
	}

	/**
	 * Moves a tus upload's recorded offset from {@code from}, where a PATCH began, to
	 * {@code offset} (and fixes a deferred length, if given), only if it is still at {@code from};
	 * {@code false} if another PATCH moved it meanwhile.
	 */
	public Mono<Boolean> moveOffset(UUID id, long from, long offset, @Nullable Long newLength, Instant expires) {
		DatabaseClient.GenericExecuteSpec update = this.database
			.sql("UPDATE upload SET bytes_received = :offset, updated_at = now(), expires_at = :expires"
					+ ((newLength != null) ? ", size_bytes = :length" : "")
					+ " WHERE id = :id AND status = 'uploading' AND bytes_received = :from")
			.bind("offset", offset)
			.bind("from", from)
			.bind("expires", expires)
			.bind("id", id);
		if (newLength != null) {
			update = update.bind("length", newLength);
		}
		return update.fetch().rowsUpdated().map((updated) -> updated > 0);
	}

	/** A tus partial upload joined into a final one: done, its own copy no longer needed. */
	public Mono<Void> joined(UUID part) {
		return this.database
			.sql("UPDATE upload SET status = 'done', updated_at = now() WHERE id = :id AND status = 'uploaded'")
			.bind("id", part)
			.then();
	}

	/** A finished tus partial upload: stored, waiting to be joined; announces nothing. */
	public Mono<UploadJob> stored(UUID id, StoredFile file) {
		return this.database
			.sql("UPDATE upload SET status = 'uploaded', bytes_received = :size, size_bytes = :size, xxhash64 = :xxhash, "
					+ "sha256 = :sha256, blob_key = :key, completed_at = now(), updated_at = now() "
					+ "WHERE id = :id AND status = 'uploading'")
			.bind("size", file.size())
			.bind("xxhash", file.xxhash64())
			.bind("sha256", file.sha256())
			.bind("key", file.blobKey())
			.bind("id", id)
			.then()
			.then(Mono.defer(() -> get(id)));
	}

	/** The upload failed; what it stored so far is the caller's to remove. */
	public Mono<Void> fail(UUID id, String error) {
		Mono<Void> change = this.database
			.sql("UPDATE upload SET status = 'failed', error = :error, updated_at = now() "
					+ "WHERE id = :id AND status = 'uploading'")
			.bind("error", error)
			.bind("id", id)
			.fetch()
			.rowsUpdated()
			.flatMap((updated) -> (updated == 0) ? Mono.empty()
					: get(id).flatMap((job) -> announce(new UploadEvents.UploadFailed(eventJob(job), error))));
		return this.transactions.transactional(change);
	}

	/**
	 * Cancels an upload in progress or a queued or running conversion. The upload's partial
	 * data is the caller's to free; a conversion that is running notices at its next step.
	 */
	public Mono<UploadJob> cancel(Caller caller, UUID id) {
		return cancel(caller, id, "cancelled by the owner");
	}

	/**
	 * Cancels as {@link #cancel(Caller, UUID)} does, saying why; a tus upload's part waiting to be
	 * concatenated ({@code uploaded}) can be cancelled too. Every cancellation comes through here
	 * and is announced.
	 */
	public Mono<UploadJob> cancel(Caller caller, UUID id, String reason) {
		Mono<UploadJob> change = find(caller, id).flatMap((job) -> this.database
			.sql("UPDATE upload SET status = 'cancelled', error = :reason, lease_owner = NULL, "
					+ "lease_until = NULL, updated_at = now() WHERE id = :id "
					+ "AND status IN ('uploading', 'uploaded', 'conversion_queued', 'converting')")
			.bind("reason", reason)
			.bind("id", id)
			.fetch()
			.rowsUpdated()
			.flatMap((updated) -> {
				if (updated == 0) {
					return Mono.error(new ConflictException("Only an upload in progress or a queued or running "
							+ "conversion can be cancelled; this job is " + job.status()));
				}
				boolean uploading = "uploading".equals(job.status()) || "uploaded".equals(job.status());
				return get(id).flatMap((cancelled) -> announce(uploading
						? new UploadEvents.UploadCancelled(eventJob(cancelled), "cancelled")
						: new UploadEvents.ConversionFailed(eventJob(cancelled), "cancelled", null))
					.thenReturn(cancelled));
			}));
		return this.transactions.transactional(change);
	}

	/** Queues a failed conversion again, with a fresh count of attempts. */
	public Mono<UploadJob> retry(Caller caller, UUID id) {
		Mono<UploadJob> change = find(caller, id).flatMap((job) -> this.database
			.sql("UPDATE upload SET status = 'conversion_queued', attempts = 0, error = NULL, next_attempt_at = now(), "
					+ "updated_at = now() WHERE id = :id AND status = 'conversion_failed' AND blob_key IS NOT NULL")
			.bind("id", id)
			.fetch()
			.rowsUpdated()
			.flatMap((updated) -> (updated == 0)
					? Mono.error(new ConflictException("Only a failed conversion can be retried; this job is "
							+ job.status()))
					: get(id).flatMap((queued) -> announce(new UploadEvents.ConversionQueued(eventJob(queued)))
						.thenReturn(queued))));
		return this.transactions.transactional(change);
	}

	/** Appends one event about a job to the outbox. */
	public Mono<Void> announce(UploadEvents.Event event) {
		return this.outbox.append(Topics.UPLOAD,
				CloudEvent.create(SOURCE, event.type(), event.job().jobId(), this.codec.toData(event)));
	}

	/** The job's fields every event about it carries. */
	public static UploadEvents.Job eventJob(UploadJob job) {
		return new UploadEvents.Job(job.jobId().toString(), job.jobId().toString(),
				(job.datasetId() != null) ? job.datasetId().toString() : null, job.projectId(), job.dataId(),
				job.ownerId().toString(), job.filename());
	}

	private Mono<Void> announceCompleted(UploadJob job) {
		Mono<long[]> totals = (job.datasetId() == null) ? Mono.just(new long[0])
				: this.database
					.sql("SELECT coalesce(sum(size_bytes), 0) AS size, count(*) AS files FROM upload WHERE dataset_id = :dataset "
							+ "AND completed_at IS NOT NULL AND status NOT IN ('cancelled', 'uploaded') "
							+ "AND (tus_concat IS NULL OR tus_concat = 'final')")
					.bind("dataset", job.datasetId())
					.map((row) -> new long[] { row.get("size", Long.class), row.get("files", Long.class) })
					.one();
		return totals.flatMap((sums) -> announce(new UploadEvents.UploadCompleted(eventJob(job), job.blobKey(),
				(job.bytesTotal() != null) ? job.bytesTotal() : 0, job.contentType(), job.format(), job.xxhash64(),
				job.sha256(), (sums.length > 0) ? sums[0] : null, (sums.length > 0) ? sums[1] : null)));
	}

	private static <T> DatabaseClient.GenericExecuteSpec bindNullable(DatabaseClient.GenericExecuteSpec spec, String name,
			@Nullable T value, Class<T> type) {
		return (value != null) ? spec.bind(name, value) : spec.bindNull(name, type);
	}

	/** Ids of every job that stored a file into the dataset, for removing its blobs. */
	public Mono<List<String>> blobKeysOf(UUID datasetId) {
		return this.database.sql("SELECT blob_key FROM upload WHERE dataset_id = :dataset AND blob_key IS NOT NULL")
			.bind("dataset", datasetId)
			.map((row) -> row.get("blob_key", String.class))
			.all()
			.collect(ArrayList::new, List::add);
	}

}
