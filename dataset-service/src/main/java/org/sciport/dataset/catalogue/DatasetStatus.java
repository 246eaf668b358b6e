package org.sciport.dataset.catalogue;

import java.time.Instant;
import java.util.UUID;

/**
 * Where a dataset stands in its life cycle, and how far its files' conversions have come.
 *
 * @param datasetId the dataset
 * @param status {@code uploading}, {@code upload_failed}, {@code conversion_queued},
 * {@code converting}, {@code done} or {@code conversion_failed}
 * @param updatedAt when the dataset last changed
 * @param files its files, by where their conversions stand
 */
public record DatasetStatus(UUID datasetId, String status, Instant updatedAt, Files files) {

	/**
	 * A dataset's files by conversion.
	 *
	 * @param total every registered file, converted by Sciport or not (harvested, workflow outputs)
	 * @param queued uploaded files waiting for conversion
	 * @param converting those being converted
	 * @param converted those converted
	 * @param failed those whose conversion failed
	 */
	public record Files(long total, long queued, long converting, long converted, long failed) {
	}

}
