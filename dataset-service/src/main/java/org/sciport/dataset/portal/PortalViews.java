package org.sciport.dataset.portal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.sciport.dataset.catalogue.Dataset;
import org.sciport.dataset.catalogue.DatasetFile;
import org.sciport.dataset.catalogue.DatasetStatus;
import tools.jackson.databind.JsonNode;

/**
 * Datasets, files and statuses as the portal's clients read them: {@code uuid} for the id,
 * {@code folder} as a name, {@code total_size}, and the portal's status words
 * ({@code pending}, {@code uploading}, {@code processing}, {@code completed}, {@code failed},
 * {@code cancelled}) where Sciport's own are finer. The native fields stay alongside, so a
 * client of either kind reads the same object.
 */
final class PortalViews {

	/** The portal's status words, each with the native statuses it stands for. */
	static final Map<String, String> STATUS_FILTERS = Map.of("pending", "uploading", "uploading", "uploading",
			"processing", "conversion_queued,converting", "completed", "done", "failed", "upload_failed,conversion_failed");

	private PortalViews() {
	}

	/** The portal's word for a native dataset status. */
	static String status(String nativeStatus) {
		return switch (nativeStatus) {
			case "conversion_queued", "converting" -> "processing";
			case "done" -> "completed";
			case "upload_failed", "conversion_failed" -> "failed";
			default -> nativeStatus;
		};
	}

	/**
	 * The native statuses a portal {@code status} filter means ({@code null} for none); a native
	 * status is taken as it is; {@code cancelled} matches no dataset (only jobs are cancelled).
	 */
	static @Nullable String statusFilter(@Nullable String portal) {
		if (portal == null || portal.isBlank()) {
			return null;
		}
		String value = portal.trim();
		if (STATUS_FILTERS.containsKey(value)) {
			return STATUS_FILTERS.get(value);
		}
		if ("cancelled".equals(value)) {
			return "";
		}
		if (List.of("upload_failed", "conversion_queued", "converting", "done", "conversion_failed").contains(value)) {
			return value;
		}
		throw new ValidationException("status",
				"status must be one of pending, uploading, processing, completed, failed, cancelled");
	}

	static Map<String, Object> dataset(Dataset dataset) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("uuid", dataset.id());
		view.put("id", dataset.id());
		view.put("name", dataset.name());
		view.put("description", dataset.description());
		view.put("sensor", dataset.sensor());
		view.put("status", status(dataset.status()));
		view.put("sciport_status", dataset.status());
		view.put("created_at", dataset.createdAt());
		view.put("updated_at", dataset.updatedAt());
		view.put("folder", dataset.folderName());
		view.put("folder_uuid", dataset.folderId());
		view.put("folder_id", dataset.folderId());
		view.put("team_uuid", dataset.shares().isEmpty() ? null : dataset.shares().get(0).teamId());
		view.put("shares", dataset.shares());
		view.put("tags", dataset.tags());
		view.put("dimensions", dataset.dimensions());
		view.put("preferred_dashboard", dataset.preferredDashboard());
		view.put("is_public", dataset.isPublic());
		view.put("file_count", dataset.fileCount());
		view.put("total_size", dataset.sizeBytes());
		view.put("size_bytes", dataset.sizeBytes());
		view.put("owner_id", dataset.ownerId());
		view.put("access", dataset.access());
		view.put("metadata", dataset.metadata());
		return view;
	}

	static List<Map<String, Object>> datasets(List<Dataset> datasets) {
		return datasets.stream().map(PortalViews::dataset).toList();
	}

	/**
	 * A dataset's files in the portal's two directories: {@code upload} (what was uploaded) and
	 * {@code converted} (what conversion derived from it: a preview image, where one was made).
	 */
	static Map<String, Object> files(List<DatasetFile> files, @Nullable String directory) {
		List<Map<String, Object>> upload = new ArrayList<>();
		List<Map<String, Object>> converted = new ArrayList<>();
		for (DatasetFile file : files) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("name", file.filename());
			entry.put("path", file.filename());
			entry.put("size", file.sizeBytes());
			entry.put("type", "file");
			entry.put("directory", "upload");
			entry.put("id", file.id());
			entry.put("filename", file.filename());
			entry.put("size_bytes", file.sizeBytes());
			entry.put("format", file.format());
			entry.put("sha256", file.sha256());
			entry.put("conversion", file.conversion());
			entry.put("status", file.status());
			entry.put("metadata", file.metadata());
			entry.put("created_at", file.createdAt());
			upload.add(entry);
			JsonNode thumbnail = (file.metadata() != null) ? file.metadata().get("thumbnail_key") : null;
			if (thumbnail != null && thumbnail.isString()) {
				Map<String, Object> derived = new LinkedHashMap<>();
				derived.put("name", "thumbnail.png");
				derived.put("path", file.id() + "/thumbnail.png");
				derived.put("size", null);
				derived.put("type", "file");
				derived.put("directory", "converted");
				derived.put("source", file.filename());
				converted.add(derived);
			}
		}
		List<Map<String, Object>> listed = new ArrayList<>();
		if (directory == null || "upload".equals(directory)) {
			listed.addAll(upload);
		}
		if (directory == null || "converted".equals(directory)) {
			listed.addAll(converted);
		}
		Map<String, Object> directories = new LinkedHashMap<>();
		directories.put("upload", Map.of("file_count", upload.size(),
				"total_size", upload.stream().mapToLong((file) -> (long) file.get("size")).sum()));
		directories.put("converted", Map.of("file_count", converted.size(), "total_size", 0));
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("files", listed);
		body.put("directories", directories);
		return body;
	}

	/** Where a dataset stands, with a whole-number progress and a sentence for people. */
	static Map<String, Object> status(DatasetStatus status) {
		DatasetStatus.Files files = status.files();
		String portal = status(status.status());
		int progress;
		String message;
		switch (portal) {
			case "completed" -> {
				progress = 100;
				message = "Dataset processing complete";
			}
			case "failed" -> {
				progress = 100;
				message = "upload_failed".equals(status.status()) ? "The upload failed"
						: files.failed() + " of " + files.total() + " files could not be converted";
			}
			case "processing" -> {
				long settled = files.converted() + files.failed() + (files.total() - files.queued() - files.converting()
						- files.converted() - files.failed());
				progress = (files.total() == 0) ? 0 : (int) Math.min(99, settled * 100 / files.total());
				message = "Converting dataset... (" + settled + " of " + files.total() + " files done)";
			}
			default -> {
				progress = 0;
				message = "Waiting for the upload to finish";
			}
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", portal);
		body.put("progress_percentage", progress);
		body.put("message", message);
		return body;
	}

}
