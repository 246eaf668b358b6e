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
 * @param authService auth-service's base URL: it says whose an email address is, when an
 * administrator uploads in another account's name
 * @param conversion the conversion workers' settings
 * @param storage which blob store holds the files, and its settings
 * @param publicBaseUrl the base URL clients reach the suite at (the gateway's, such as
 * {@code https://data.example.org}); tus {@code Location}s are built from it. Empty: they are
 * relative ({@code /v1/uploads/tus/<id>}), which every tus client resolves against the URL it
 * called
 */
@ConfigurationProperties("sciport.upload")
public record UploadProperties(Path storageDirectory, Path spoolDirectory, @DefaultValue("50GB") DataSize maxFileSize,
		@DefaultValue("256MB") DataSize maxChunkSize, @DefaultValue("24h") Duration tusExpiry, @DefaultValue("60s") Duration expirySweep, URI datasetService,
		@DefaultValue("http://127.0.0.1:8081") URI authService, @DefaultValue Conversion conversion, @DefaultValue Storage storage, @DefaultValue("") String publicBaseUrl) {

	/**
	 * @param type {@code local} (files under {@code storage-directory}) or {@code s3}
	 * @param s3 the S3 settings, for {@code type: s3}
	 */
	public record Storage(@DefaultValue("local") String type, @DefaultValue S3 s3) {
	}

	/**
	 * An S3-compatible object store.
	 *
	 * @param endpoint the endpoint, for stores other than AWS (empty: AWS for the region)
	 * @param region the region
	 * @param bucket the bucket
	 * @param prefix a key prefix inside the bucket
	 * @param accessKey the access key id (empty: the AWS SDK's default credential chain)
	 * @param secretKey the secret key
	 * @param pathStyle address buckets by path rather than host name (most non-AWS stores)
	 * @param partSize the size of a multipart upload's parts (at least 5MB)
	 */
	public record S3(@DefaultValue("") String endpoint, @DefaultValue("us-east-1") String region,
			@DefaultValue("sciport") String bucket, @DefaultValue("") String prefix, @DefaultValue("") String accessKey,
			@DefaultValue("") String secretKey, @DefaultValue("true") boolean pathStyle,
			@DefaultValue("8MB") DataSize partSize) {

		@Override
		public String toString() {
			// Never the secret.
			return "S3[endpoint=" + this.endpoint + ", region=" + this.region + ", bucket=" + this.bucket + "]";
		}

	}

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
