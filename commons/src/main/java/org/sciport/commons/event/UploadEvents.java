package org.sciport.commons.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The events upload-service writes on {@code sciport.upload}, as typed records (see
 * {@link CatalogueEvents} for the conventions). Every one is about one upload job, whose
 * fields ({@link Job}) come first, at the top level of the data, followed by the event's own.
 */
public final class UploadEvents {

	/** The CloudEvents source of every event written here. */
	public static final String SOURCE = "/sciport/upload-service";

	private UploadEvents() {
	}

	/**
	 * The job an event is about.
	 *
	 * @param uploadId the job (the tus upload id)
	 * @param jobId the job, under the name the portal's clients know it by
	 * @param datasetId the dataset its file goes into, if any
	 * @param projectId the project its file goes into, if any
	 * @param dataId the data record it becomes, for project uploads
	 * @param ownerId whose upload it is
	 * @param filename the file's name
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Job(String uploadId, String jobId, @Nullable String datasetId, @Nullable String projectId,
			@Nullable String dataId, String ownerId, String filename) {
	}

	/** One of upload-service's events: it knows its type and its job. */
	public sealed interface Event permits UploadCompleted, UploadFailed, UploadCancelled, ConversionQueued,
			ConversionStarted, ConversionCompleted, ConversionFailed, DataProcessed, DataFailed {

		/** The CloudEvents type this event is written with. */
		@JsonIgnore
		String type();

		/** The job it is about. */
		Job job();

	}

	/**
	 * The last byte of a file is stored.
	 *
	 * @param job the job
	 * @param path where it is stored (the blob key)
	 * @param sizeBytes its size
	 * @param contentType the content type the client declared
	 * @param format the format conversion will read it as
	 * @param xxhash64 its xxHash64
	 * @param sha256 its SHA-256
	 * @param datasetSizeBytes the dataset's total size with it, for a dataset upload
	 * @param datasetFileCount the dataset's file count with it, for a dataset upload
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record UploadCompleted(@JsonUnwrapped Job job, String path, long sizeBytes, @Nullable String contentType,
			@Nullable String format, String xxhash64, String sha256, @Nullable Long datasetSizeBytes,
			@Nullable Long datasetFileCount) implements Event {

		public static final String TYPE = "sciport.upload.completed";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * An upload failed before its last byte.
	 *
	 * @param job the job
	 * @param error why
	 */
	public record UploadFailed(@JsonUnwrapped Job job, String error) implements Event {

		public static final String TYPE = "sciport.upload.failed";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * An upload in progress was cancelled.
	 *
	 * @param job the job
	 * @param error {@code cancelled}
	 */
	public record UploadCancelled(@JsonUnwrapped Job job, String error) implements Event {

		public static final String TYPE = "sciport.upload.cancelled";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A failed conversion queued again.
	 *
	 * @param job the job
	 */
	public record ConversionQueued(@JsonUnwrapped Job job) implements Event {

		public static final String TYPE = "sciport.conversion.queued";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A worker began converting.
	 *
	 * @param job the job
	 * @param attempt which attempt this is, from 1
	 */
	public record ConversionStarted(@JsonUnwrapped Job job, int attempt) implements Event {

		public static final String TYPE = "sciport.conversion.started";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A conversion finished.
	 *
	 * @param job the job
	 * @param metadata what it extracted
	 * @param format the format it read
	 * @param rows the rows of a table, if it was one
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record ConversionCompleted(@JsonUnwrapped Job job, JsonNode metadata, @Nullable String format,
			@Nullable Long rows) implements Event {

		public static final String TYPE = "sciport.conversion.completed";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A conversion failed for good, or was cancelled ({@code error: cancelled}).
	 *
	 * @param job the job
	 * @param error why
	 * @param attempts the attempts made, when it failed rather than was cancelled
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record ConversionFailed(@JsonUnwrapped Job job, String error, @Nullable Integer attempts) implements Event {

		public static final String TYPE = "sciport.conversion.failed";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A project upload's file was processed into its data record.
	 *
	 * @param job the job
	 * @param rows the rows it holds, for a table
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record DataProcessed(@JsonUnwrapped Job job, @Nullable Long rows) implements Event {

		public static final String TYPE = "sciport.data.processed";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A project upload's file could not be processed.
	 *
	 * @param job the job
	 * @param error why
	 * @param attempts the attempts made
	 */
	public record DataFailed(@JsonUnwrapped Job job, String error, int attempts) implements Event {

		public static final String TYPE = "sciport.data.failed";

		@Override
		public String type() {
			return TYPE;
		}

	}

}
