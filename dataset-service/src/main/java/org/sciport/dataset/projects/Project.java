package org.sciport.dataset.projects;

import java.time.Instant;

import tools.jackson.databind.JsonNode;

/**
 * A project.
 *
 * @param id its id ({@code proj_…})
 * @param name its name
 * @param description its description
 * @param settings free-form settings
 * @param createdAt when it was created
 * @param updatedAt last change
 */
public record Project(String id, String name, String description, JsonNode settings, Instant createdAt,
		Instant updatedAt) {
}
