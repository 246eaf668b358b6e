package org.sciport.commons.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * The events harvest-service writes on {@code sciport.harvest}, as typed records (see
 * {@link CatalogueEvents} for the conventions). A completed transfer is
 * {@link FileEvents.TransferCompleted}, which the catalogue reads too.
 */
public final class HarvestEvents {

	/** The CloudEvents source of every event written here. */
	public static final String SOURCE = "/sciport/harvest-service";

	private HarvestEvents() {
	}

	/**
	 * What a run counted.
	 *
	 * @param runId the run
	 * @param instrumentId its instrument
	 * @param scheduleId the schedule that started it, if one did
	 * @param trigger {@code schedule}, {@code manual} or {@code missed}
	 * @param status the run's status now
	 * @param filesDiscovered files found at the source and stable
	 * @param filesTransferred files stored and verified
	 * @param filesSkipped files a hook or the rules left out
	 * @param filesFailed files whose transfer failed
	 * @param bytesTransferred bytes stored
	 * @param errorMessage why the run failed or was skipped, if it was
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Run(String runId, String instrumentId, @Nullable String scheduleId, String trigger, String status,
			long filesDiscovered, long filesTransferred, long filesSkipped, long filesFailed, long bytesTransferred,
			@Nullable String errorMessage) {
	}

	/** A run started. */
	public record RunStarted(@com.fasterxml.jackson.annotation.JsonUnwrapped Run run) {

		public static final String TYPE = "sciport.harvest.run.started";

	}

	/** A run finished: every stable file was tried. */
	public record RunCompleted(@com.fasterxml.jackson.annotation.JsonUnwrapped Run run) {

		public static final String TYPE = "sciport.harvest.run.completed";

	}

	/** A run could not harvest (its source or storage unreachable), or was skipped. */
	public record RunFailed(@com.fasterxml.jackson.annotation.JsonUnwrapped Run run) {

		public static final String TYPE = "sciport.harvest.run.failed";

	}

	/**
	 * A file, or a new version of one, was found at an instrument's source.
	 *
	 * @param fileId the file record
	 * @param instrumentId the instrument
	 * @param runId the run that found it
	 * @param sourcePath its path at the source
	 * @param version its version (1 for a new file)
	 * @param sizeBytes its size
	 * @param persistentId its ARK
	 */
	public record FileDiscovered(String fileId, String instrumentId, String runId, String sourcePath, int version,
			long sizeBytes, @Nullable String persistentId) {

		public static final String TYPE = "sciport.harvest.file.discovered";

	}

	/**
	 * A transfer ended without a verified copy.
	 *
	 * @param transferId the transfer
	 * @param fileId its file record
	 * @param instrumentId the instrument
	 * @param runId the run
	 * @param sourcePath the file's path at the source
	 * @param errorMessage why
	 */
	public record TransferFailed(String transferId, String fileId, String instrumentId, String runId,
			String sourcePath, String errorMessage) {

		public static final String TYPE = "sciport.harvest.transfer.failed";

	}

	/**
	 * A file was left out of a run.
	 *
	 * @param transferId the transfer record
	 * @param fileId its file record
	 * @param instrumentId the instrument
	 * @param runId the run
	 * @param sourcePath the file's path at the source
	 * @param reason why
	 */
	public record TransferSkipped(String transferId, String fileId, String instrumentId, String runId,
			String sourcePath, String reason) {

		public static final String TYPE = "sciport.harvest.transfer.skipped";

	}

}
