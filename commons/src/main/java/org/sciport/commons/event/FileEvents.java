package org.sciport.commons.event;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * The events with which harvest-service and workflow-service hand files to the catalogue, as
 * typed records (see {@link CatalogueEvents} for the conventions): dataset-service registers
 * each file in its dataset, once.
 */
public final class FileEvents {

	private FileEvents() {
	}

	/**
	 * One file for a dataset.
	 *
	 * @param fileId its id, if the producer has one (otherwise one is derived from where the
	 * file came from and its name, so that a replay finds it again)
	 * @param filename its name
	 * @param sizeBytes its size
	 * @param contentType its content type
	 * @param format its format, as conversion names formats ({@code binary} if unknown)
	 * @param sha256 its SHA-256
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record DatasetFile(@Nullable String fileId, @Nullable String filename, @Nullable Long sizeBytes,
			@Nullable String contentType, @Nullable String format, @Nullable String sha256) {
	}

	/**
	 * A harvest transfer finished: its files are stored and verified, and, where the instrument
	 * has a dataset, registered in it.
	 *
	 * @param datasetId the instrument's dataset, if it has one
	 * @param transferId the transfer
	 * @param files the files it brought
	 * @param instrumentId the instrument they were harvested from
	 * @param runId the harvest run
	 * @param persistentId the file record's ARK
	 * @param destinationPath where the file was written
	 * @param checksumVerified whether the stored copy's xxHash64 matched the source's
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record TransferCompleted(@Nullable String datasetId, @Nullable String transferId, List<DatasetFile> files,
			@Nullable String instrumentId, @Nullable String runId, @Nullable String persistentId,
			@Nullable String destinationPath, boolean checksumVerified) {

		public static final String TYPE = "sciport.harvest.transfer.completed";

	}

	/**
	 * A workflow run finished and wrote its outputs into a dataset.
	 *
	 * @param datasetId the dataset
	 * @param runId the run
	 * @param outputs the files it wrote
	 * @param requestedBy the user the run acts for: the outputs are registered only if they may
	 * change the dataset
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record RunCompleted(@Nullable String datasetId, @Nullable String runId, List<DatasetFile> outputs,
			@Nullable String requestedBy) {

		public static final String TYPE = "sciport.workflow.run.completed";

	}

}
