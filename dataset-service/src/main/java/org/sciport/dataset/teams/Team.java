package org.sciport.dataset.teams;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A team and its members.
 *
 * @param id the team id
 * @param name its name
 * @param members who is in it, with their role
 * @param createdBy who created it
 * @param createdAt when
 * @param updatedAt last change
 */
public record Team(UUID id, String name, List<Member> members, UUID createdBy, Instant createdAt, Instant updatedAt) {

	/**
	 * A member: an {@code owner} manages the team, a {@code member} belongs to it.
	 *
	 * @param userId the user
	 * @param role {@code owner} or {@code member}
	 */
	public record Member(UUID userId, String role) {
	}

}
