package org.sciport.dataset.folders;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A folder, with its sub-folders when shown as a tree.
 *
 * @param id the folder id
 * @param name its name
 * @param parentId the folder it sits in, or none at the top
 * @param datasetCount how many datasets it holds directly
 * @param children its sub-folders
 * @param createdAt when it was created
 * @param updatedAt last change
 */
public record Folder(UUID id, String name, @Nullable UUID parentId, long datasetCount, List<Folder> children,
		Instant createdAt, Instant updatedAt) {
}
