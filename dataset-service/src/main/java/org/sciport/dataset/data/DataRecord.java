package org.sciport.dataset.data;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A file uploaded into a project.
 *
 * @param id its id ({@code data_…}, given by upload-service)
 * @param projectId the project
 * @param filename the file's name
 * @param size its size in bytes
 * @param rows how many rows processing counted; {@code null} until then
 * @param status {@code processing}, {@code processed} or {@code failed}
 * @param createdAt when it was uploaded
 */
public record DataRecord(String id, String projectId, String filename, long size, @Nullable Long rows, String status,
		Instant createdAt) {
}
