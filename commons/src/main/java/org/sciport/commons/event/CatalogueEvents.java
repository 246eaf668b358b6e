package org.sciport.commons.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * The events dataset-service writes on {@code sciport.dataset}, as typed records: datasets,
 * their shares, projects and their data records, and teams' members. Each record's {@code TYPE} is its CloudEvents
 * type and its fields are the event's {@code data}, in snake case on the wire; a field that is
 * {@code null} is left out.
 */
public final class CatalogueEvents {

	/** The CloudEvents source of every event written here. */
	public static final String SOURCE = "/sciport/dataset-service";

	private CatalogueEvents() {
	}

	/** One of the catalogue's events: it knows its own CloudEvents type. */
	public sealed interface Event permits DatasetCreated, DatasetUpdated, DatasetDeleted, DatasetShared,
			DatasetUnshared, ProjectCreated, ProjectUpdated, ProjectDeleted, DataUploaded, DataFinished, TeamMemberAdded,
			TeamMemberRemoved, WebhookDisabled {

		/** The CloudEvents type this event is written with. */
		@JsonIgnore
		String type();

	}

	/**
	 * A new dataset.
	 *
	 * @param datasetId its id
	 * @param ownerId its owner
	 * @param name its name
	 */
	public record DatasetCreated(String datasetId, String ownerId, String name) implements Event {

		public static final String TYPE = "sciport.dataset.created";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A dataset's metadata changed.
	 *
	 * @param datasetId its id
	 * @param fields the fields the change named, as a list in text ({@code [name, tags]})
	 */
	public record DatasetUpdated(String datasetId, String fields) implements Event {

		public static final String TYPE = "sciport.dataset.updated";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A dataset deleted (its files are removed after this event).
	 *
	 * @param datasetId its id
	 * @param ownerId its owner
	 */
	public record DatasetDeleted(String datasetId, String ownerId) implements Event {

		public static final String TYPE = "sciport.dataset.deleted";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A dataset shared with a team or with one person (one of the two is set).
	 *
	 * @param datasetId the dataset
	 * @param teamId the team, for a team share
	 * @param userId the person, for a share with one person
	 * @param level {@code read} or {@code write}
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record DatasetShared(String datasetId, @Nullable String teamId, @Nullable String userId, String level)
			implements Event {

		public static final String TYPE = "sciport.dataset.shared";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A share ended (one of the two is set).
	 *
	 * @param datasetId the dataset
	 * @param teamId the team, for a team share
	 * @param userId the person, for a share with one person
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record DatasetUnshared(String datasetId, @Nullable String teamId, @Nullable String userId)
			implements Event {

		public static final String TYPE = "sciport.dataset.unshared";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A new project (the seed 001 API's).
	 *
	 * @param projectId its id
	 * @param ownerId its owner
	 * @param name its name
	 */
	public record ProjectCreated(String projectId, String ownerId, String name) implements Event {

		public static final String TYPE = "sciport.project.created";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A project changed.
	 *
	 * @param projectId its id
	 * @param fields the fields the change named, as a list in text
	 */
	public record ProjectUpdated(String projectId, String fields) implements Event {

		public static final String TYPE = "sciport.project.updated";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A project deleted.
	 *
	 * @param projectId its id
	 */
	public record ProjectDeleted(String projectId) implements Event {

		public static final String TYPE = "sciport.project.deleted";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A file uploaded into a project became a data record, now processing.
	 *
	 * @param dataId the data record
	 * @param projectId its project
	 */
	public record DataUploaded(String dataId, String projectId) implements Event {

		public static final String TYPE = "sciport.data.uploaded";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A project's data record finished processing, or failed to.
	 *
	 * @param dataId the data record
	 * @param status {@code processed} or {@code failed}
	 * @param rows the rows processing counted, as text; empty when it counted none
	 */
	public record DataFinished(String dataId, String status, String rows) implements Event {

		/** The type of a record processed. */
		public static final String PROCESSED = "sciport.data.processed";

		/** The type of a record whose processing failed. */
		public static final String FAILED = "sciport.data.failed";

		@Override
		public String type() {
			return "processed".equals(this.status) ? PROCESSED : FAILED;
		}

	}

	/**
	 * A user joined a team (on its creation or later). The event's subject is the team, so a
	 * team's changes keep their order.
	 *
	 * @param teamId the team
	 * @param userId the member
	 * @param role {@code owner} or {@code member}
	 */
	public record TeamMemberAdded(String teamId, String userId, String role) implements Event {

		public static final String TYPE = "sciport.team.member.added";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A user left a team, or was removed from it.
	 *
	 * @param teamId the team
	 * @param userId the former member
	 */
	public record TeamMemberRemoved(String teamId, String userId) implements Event {

		public static final String TYPE = "sciport.team.member.removed";

		@Override
		public String type() {
			return TYPE;
		}

	}

	/**
	 * A webhook subscription was disabled: its deliveries failed for too long.
	 *
	 * @param webhookId the subscription
	 * @param ownerId whose it is
	 * @param reason why, as the subscription shows it
	 */
	public record WebhookDisabled(String webhookId, String ownerId, String reason) implements Event {

		public static final String TYPE = "sciport.dataset.webhook.disabled";

		@Override
		public String type() {
			return TYPE;
		}

	}

}
