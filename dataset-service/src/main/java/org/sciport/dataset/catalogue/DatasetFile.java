package org.sciport.dataset.catalogue;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A file of a dataset.
 *
 * @param id the file id (the upload job that stored it)
 * @param filename its name
 * @param sizeBytes its size
 * @param contentType the content type the uploader declared
 * @param format the format conversion read it as
 * @param sha256 its SHA-256
 * @param xxhash64 its xxHash64
 * @param status {@code stored}, {@code converted} or {@code conversion_failed}
 * @param conversion where its conversion stands: {@code queued}, {@code converting},
 * {@code converted} or {@code failed}; {@code null} for a file Sciport does not convert
 * (harvested, a workflow's output)
 * @param metadata what conversion extracted
 * @param createdAt when it was stored
 */
public record DatasetFile(UUID id, String filename, long sizeBytes, @Nullable String contentType, @Nullable String format,
		@Nullable String sha256, @Nullable String xxhash64, String status, @Nullable String conversion,
		@Nullable JsonNode metadata, Instant createdAt) {
}
