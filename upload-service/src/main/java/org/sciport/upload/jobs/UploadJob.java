package org.sciport.upload.jobs;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;

/**
 * An upload job as its owner sees it: the file's way in, then its conversion.
 *
 * @param jobId the job id (also the tus upload id)
 * @param protocol {@code single}, {@code chunked} or {@code tus}
 * @param status {@code uploading}, {@code conversion_queued}, {@code converting},
 * {@code done}, {@code conversion_failed}, {@code failed}, {@code cancelled},
 * {@code expired}, or {@code uploaded} (a finished tus partial upload)
 * @param filename the file's name
 * @param contentType the content type the client declared
 * @param format the detected or declared format
 * @param datasetId the dataset it goes into, if any
 * @param projectId the project it goes into, if any
 * @param dataId the data record it becomes, for project uploads
 * @param ownerId who uploads
 * @param bytesReceived bytes stored so far
 * @param bytesTotal the file's size, once known
 * @param xxhash64 xxHash64 of the complete file
 * @param sha256 SHA-256 of the complete file
 * @param error what went wrong, if anything did
 * @param attempts conversion attempts so far
 * @param metadata what conversion extracted
 * @param createdAt when the upload started
 * @param updatedAt last change
 * @param completedAt when the last byte was stored
 * @param expiresAt when an unfinished upload is removed
 * @param blobKey where the complete file is stored
 * @param chunkSize the chunk size of a chunked upload
 * @param expectedSha256 the whole-file SHA-256 the client announced
 * @param tusMetadata a tus upload's {@code Upload-Metadata} as sent
 * @param tusConcat {@code partial} or {@code final} for tus concatenation
 * @param tusParts a final tus upload's partial uploads, in order
 * @param convert whether the file is to be converted ({@code false}: stored as it is)
 * @param datasetName the name of the dataset it goes into, when known
 */
public record UploadJob(UUID jobId, String protocol, String status, String filename, @Nullable String contentType,
		@Nullable String format, @Nullable UUID datasetId, @Nullable String projectId, @Nullable String dataId,
		UUID ownerId, long bytesReceived, @Nullable Long bytesTotal, @Nullable String xxhash64, @Nullable String sha256,
		@Nullable String error, int attempts, tools.jackson.databind.@Nullable JsonNode metadata, Instant createdAt,
		Instant updatedAt, @Nullable Instant completedAt, @Nullable Instant expiresAt,
		@JsonIgnore @Nullable String blobKey, @Nullable Integer chunkSize, @JsonIgnore @Nullable String expectedSha256,
		@JsonIgnore @Nullable String tusMetadata, @JsonIgnore @Nullable String tusConcat,
		@JsonIgnore @Nullable List<UUID> tusParts, boolean convert, @Nullable String datasetName) {

	/** Progress in whole percent, once the total is known. */
	@JsonProperty("percent")
	public @Nullable Integer percent() {
		if (this.completedAt != null) {
			return 100;
		}
		if (this.bytesTotal == null || this.bytesTotal <= 0) {
			return null;
		}
		return (int) Math.min(99, this.bytesReceived * 100 / this.bytesTotal);
	}

	/** The seed surface's name for the status. */
	@JsonProperty("state")
	public String state() {
		return this.status;
	}

	static UploadJob from(Readable row, tools.jackson.databind.json.JsonMapper json) {
		io.r2dbc.postgresql.codec.Json metadata = row.get("metadata", io.r2dbc.postgresql.codec.Json.class);
		return new UploadJob(row.get("id", UUID.class), row.get("protocol", String.class), row.get("status", String.class),
				row.get("filename", String.class), row.get("content_type", String.class), row.get("format", String.class),
				row.get("dataset_id", UUID.class), row.get("project_id", String.class), row.get("data_id", String.class),
				row.get("owner_id", UUID.class), row.get("bytes_received", Long.class), row.get("size_bytes", Long.class),
				row.get("xxhash64", String.class), row.get("sha256", String.class), row.get("error", String.class),
				row.get("attempts", Integer.class), (metadata != null) ? json.readTree(metadata.asString()) : null,
				row.get("created_at", Instant.class), row.get("updated_at", Instant.class),
				row.get("completed_at", Instant.class), row.get("expires_at", Instant.class),
				row.get("blob_key", String.class), row.get("chunk_size", Integer.class),
				row.get("expected_sha256", String.class), row.get("tus_metadata", String.class),
				row.get("tus_concat", String.class), parts(row.get("tus_parts", UUID[].class)),
				!Boolean.FALSE.equals(row.get("convert", Boolean.class)), row.get("dataset_name", String.class));
	}

	private static @Nullable List<UUID> parts(UUID @Nullable [] parts) {
		return (parts != null) ? List.of(parts) : null;
	}

}
