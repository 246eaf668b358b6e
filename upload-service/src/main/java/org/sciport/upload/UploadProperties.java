package org.sciport.upload;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * upload-service's settings ({@code sciport.upload.*}).
 *
 * @param storageDirectory where the local blob store keeps files
 * @param spoolDirectory where unfinished chunked and tus uploads are assembled; on the same
 * file system as the blob store, a finished upload moves into place without a copy
 * @param maxFileSize the largest file accepted, by any protocol
 * @param maxChunkSize the largest chunk of a chunked upload
 * @param tusExpiry how long an unfinished tus or chunked upload is kept after its last change
 * @param expirySweep how often expired uploads are looked for
 * @param datasetService dataset-service's base URL: it answers who may upload into which
 * dataset or project, and creates the datasets uploads name
 * @param conversion the conversion workers' settings
 */
@ConfigurationProperties("sciport.upload")
public record UploadProperties(Path storageDirectory, Path spoolDirectory, @DefaultValue("50GB") DataSize maxFileSize,
		@DefaultValue("256MB") DataSize maxChunkSize, @DefaultValue("24h") Duration tusExpiry, @DefaultValue("60s") Duration expirySweep, URI datasetService,
		@DefaultValue Conversion conversion) {

	/**
	 * @param workers jobs one instance converts at a time
	 * @param lease how long a claimed job stays claimed without being renewed
	 * @param maxAttempts attempts before a conversion is failed for good
	 * @param backoff wait before the first retry; doubled after each failure
	 * @param poll how often an idle worker looks for due jobs (an upload event wakes it at once)
	 */
	public record Conversion(@DefaultValue("2") int workers, @DefaultValue("60s") Duration lease,
			@DefaultValue("3") int maxAttempts, @DefaultValue("2s") Duration backoff,
			@DefaultValue("5s") Duration poll) {
	}

}
