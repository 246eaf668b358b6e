package org.sciport.dataset.catalogue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A dataset as the native API shows it.
 *
 * @param id the dataset id
 * @param name its name
 * @param description its description
 * @param tags its tags
 * @param folderId the owner's folder it sits in, if any
 * @param folderName that folder's name
 * @param status {@code uploading}, {@code upload_failed}, {@code conversion_queued}, {@code converting}, {@code done}
 * or {@code conversion_failed}
 * @param metadata free-form metadata
 * @param sensor the instrument's sensor type, as the uploader named it ({@code 4D_NEXUS}, {@code TIFF}, ...)
 * @param dimensions its dimensions, as text ({@code 1024x1024x100})
 * @param preferredDashboard the viewer to open it in
 * @param isPublic whether every signed-in user may read it
 * @param sizeBytes total size of its files
 * @param fileCount number of its files
 * @param ownerId its owner
 * @param access what the caller may do: {@code owner}, {@code write} or {@code read}
 * ({@code admin} for an administrator who is none of these, {@code public} for anyone else
 * reading a public dataset)
 * @param shares the teams it is shared with
 * @param userShares the people it is shared with one by one
 * @param createdAt when it was created
 * @param updatedAt last change
 */
public record Dataset(UUID id, String name, String description, List<String> tags, @Nullable UUID folderId,
		@Nullable String folderName, String status, JsonNode metadata, @Nullable String sensor,
		@Nullable String dimensions, @Nullable String preferredDashboard, boolean isPublic, long sizeBytes, int fileCount, UUID ownerId, String access,
		List<Share> shares, List<UserShare> userShares, Instant createdAt, Instant updatedAt) {

	/**
	 * A share with one person.
	 *
	 * @param userId the person
	 * @param level {@code read} or {@code write}
	 */
	public record UserShare(UUID userId, String level) {
	}

	/**
	 * A share with a team.
	 *
	 * @param teamId the team
	 * @param level {@code read} or {@code write}
	 */
	public record Share(UUID teamId, String level) {
	}

	boolean writable() {
		return "owner".equals(this.access) || "write".equals(this.access) || "admin".equals(this.access);
	}

	boolean owned() {
		return "owner".equals(this.access) || "admin".equals(this.access);
	}

}
