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
	 * @param createdBy who applied it first (its webhooks reach them)
	 */
	public record Resource(String resourceId, String workspace, String type, String name, String version, int revision,
			String status, String createdBy) {
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

	/**
	 * A run as its events carry it; the event's subject is the run's id.
	 *
	 * @param runId the run
	 * @param resourceId its workflow; none for a Nextflow project's run
	 * @param workspace the workflow's workspace; none for a Nextflow project's run
	 * @param name the workflow's name, or the project's
	 * @param revision the revision it runs (0 for a project's run)
	 * @param trigger {@code apply}, {@code manual}, {@code schedule} or {@code event}
	 * @param status {@code running}, {@code succeeded}, {@code failed} or {@code cancelled}
	 * @param errorMessage why it failed, if it did
	 * @param requestedBy the user the run acts for (who started it, or who applied the workflow):
	 * their webhooks receive its events
	 * @param projectId the Nextflow project (seed 004) whose run it is, if it is one
	 */
	@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
	public record Run(String runId, @org.jspecify.annotations.Nullable String resourceId,
			@org.jspecify.annotations.Nullable String workspace, String name, int revision, String trigger, String status,
			@org.jspecify.annotations.Nullable String errorMessage, @org.jspecify.annotations.Nullable String requestedBy,
			@org.jspecify.annotations.Nullable Integer projectId) {
	}

	/** A run started. */
	public record RunStarted(@JsonUnwrapped Run run) {

		public static final String TYPE = "sciport.workflow.run.started";

	}

	/**
	 * A run succeeded. Its type is the one the catalogue reads for a run's outputs
	 * ({@link FileEvents.RunCompleted}): the files its tasks wrote under {@code outputs/}, stored,
	 * for the dataset the workflow names; a run without one hands the catalogue none.
	 *
	 * @param run the run (its {@code requested_by}, the user it acts for, is the one whose rights
	 * decide whether the outputs go into the dataset)
	 * @param datasetId the dataset its outputs go into, if the workflow names one
	 * @param outputs the files it wrote
	 */
	@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
	public record RunCompleted(@JsonUnwrapped Run run, @org.jspecify.annotations.Nullable String datasetId,
			java.util.List<FileEvents.DatasetFile> outputs) {

		public static final String TYPE = FileEvents.RunCompleted.TYPE;

	}

	/** A run failed: a task failed (and its failure was not allowed), or it could not start. */
	public record RunFailed(@JsonUnwrapped Run run) {

		public static final String TYPE = "sciport.workflow.run.failed";

	}

	/** A run was cancelled: asked to stop, its tasks stopped. */
	public record RunCancelled(@JsonUnwrapped Run run) {

		public static final String TYPE = "sciport.workflow.run.cancelled";

	}

}
