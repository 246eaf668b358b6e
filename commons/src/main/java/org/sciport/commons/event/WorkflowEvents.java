package org.sciport.commons.event;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * The events workflow-service writes on {@code sciport.workflow}, as typed records (see
 * {@link CatalogueEvents} for the conventions). A run's outputs handed to the catalogue are
 * {@link FileEvents.RunCompleted}.
 */
public final class WorkflowEvents {

	/** The CloudEvents source of every event written here. */
	public static final String SOURCE = "/sciport/workflow-service";

	private WorkflowEvents() {
	}

	/**
	 * A resource as its events carry it; the event's subject is its id.
	 *
	 * @param resourceId the resource
	 * @param workspace its workspace's name
	 * @param type its type ({@code workflow}, ...)
	 * @param name its name
	 * @param version the version its manifest names
	 * @param revision how many times it was applied (1 when created)
	 * @param status {@code pending}, {@code active}, {@code error} or {@code deleted}
	 */
	public record Resource(String resourceId, String workspace, String type, String name, String version, int revision,
			String status) {
	}

	/** A resource was applied for the first time. */
	public record ResourceCreated(@JsonUnwrapped Resource resource) {

		public static final String TYPE = "sciport.workflow.resource.created";

	}

	/** A resource was applied again: a new revision, the earlier ones kept. */
	public record ResourceUpdated(@JsonUnwrapped Resource resource) {

		public static final String TYPE = "sciport.workflow.resource.updated";

	}

	/** A resource was deleted (its revisions are kept). */
	public record ResourceDeleted(@JsonUnwrapped Resource resource) {

		public static final String TYPE = "sciport.workflow.resource.deleted";

	}

}
