package org.sciport.upload.jobs;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;

/**
 * Upload jobs as the portal's clients read them: the portal's status words ({@code pending},
 * {@code uploading}, {@code processing}, {@code completed}, {@code failed},
 * {@code cancelled}), a whole-number {@code progress_percentage} over the upload and its
 * conversion together, a {@code message} for people, and {@code dataset_uuid}.
 */
public final class PortalJobs {

	/** The portal's status words, each with the native statuses it stands for. */
	private static final Map<String, String> FILTERS = Map.of("pending", "uploading", "uploading", "uploading,uploaded",
			"processing", "conversion_queued,converting", "completed", "done", "failed", "failed,conversion_failed,expired",
			"cancelled", "cancelled");

	private PortalJobs() {
	}

	/** The portal's word for where the job stands. */
	public static String status(UploadJob job) {
		return switch (job.status()) {
			case "uploading" -> (job.bytesReceived() == 0) ? "pending" : "uploading";
			case "uploaded" -> "uploading";
			case "conversion_queued", "converting" -> "processing";
			case "done" -> "completed";
			case "failed", "conversion_failed", "expired" -> "failed";
			default -> job.status();
		};
	}

	/**
	 * The native statuses a portal {@code status} filter means; a native status is taken as
	 * it is; {@code null} for no filter.
	 */
	public static @Nullable String filter(@Nullable String status) {
		if (status == null || status.isBlank()) {
			return null;
		}
		String value = status.trim();
		if (FILTERS.containsKey(value)) {
			return FILTERS.get(value);
		}
		if (java.util.List.of("conversion_queued", "converting", "done", "conversion_failed", "expired").contains(value)) {
			return value;
		}
		throw new ValidationException("status",
				"status must be one of pending, uploading, processing, completed, failed, cancelled");
	}

	/**
	 * Progress over the whole job: the upload is the first half, conversion the second (a file
	 * stored without conversion is done when it is stored).
	 */
	public static int progress(UploadJob job) {
		Integer uploaded = job.percent();
		int upload = (uploaded != null) ? uploaded / 2 : 0;
		return switch (job.status()) {
			case "done" -> 100;
			case "conversion_queued" -> 50;
			case "converting" -> 75;
			case "uploading", "uploaded" -> upload;
			default -> (job.completedAt() != null) ? 50 : upload;
		};
	}

	/** A sentence on where the job stands. */
	public static String message(UploadJob job) {
		return switch (job.status()) {
			case "uploading" -> (job.bytesReceived() == 0) ? "Upload queued" : "Uploading file...";
			case "uploaded" -> "Part stored, waiting to be joined";
			case "conversion_queued" -> job.convert() ? "Waiting for conversion" : "Storing file";
			case "converting" -> "Converting dataset...";
			case "done" -> job.convert() ? "Upload and conversion complete" : "Upload complete (stored without conversion)";
			case "cancelled" -> "Job cancelled";
			case "expired" -> "The upload was not finished in time";
			default -> (job.error() != null) ? job.error() : "The job failed";
		};
	}

	/** The job in the portal's terms, the native fields alongside. */
	public static Map<String, Object> view(UploadJob job) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("job_id", job.jobId());
		view.put("id", job.jobId());
		view.put("status", status(job));
		view.put("progress_percentage", progress(job));
		view.put("message", message(job));
		view.put("dataset_uuid", job.datasetId());
		view.put("dataset_name", job.datasetName());
		view.put("filename", job.filename());
		view.put("protocol", job.protocol());
		view.put("convert", job.convert());
		view.put("error", job.error());
		view.put("sciport_status", job.status());
		view.put("bytes_received", job.bytesReceived());
		view.put("bytes_total", job.bytesTotal());
		view.put("created_at", job.createdAt());
		view.put("updated_at", job.updatedAt());
		view.put("completed_at", job.completedAt());
		return view;
	}

}
