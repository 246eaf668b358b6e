package org.sciport.upload;

import java.net.URI;

import org.sciport.commons.storage.BlobStore;
import org.sciport.commons.storage.LocalBlobStore;
import org.sciport.commons.storage.S3BlobStore;
import org.sciport.upload.receive.Checksums;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/**
 * Where file contents live, chosen by {@code sciport.upload.storage.type}: the local file
 * system under {@code sciport.upload.storage-directory} (the default), or an S3-compatible
 * object store ({@code sciport.upload.storage.s3.*}); and the checksums computed as they
 * arrive.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

	@Bean
	@ConditionalOnMissingBean
	BlobStore blobStore(UploadProperties properties) {
		UploadProperties.Storage storage = properties.storage();
		return switch (storage.type()) {
			case "local" -> new LocalBlobStore(properties.storageDirectory());
			case "s3" -> s3(storage.s3());
			default -> throw new IllegalStateException(
					"sciport.upload.storage.type must be 'local' or 's3', not '" + storage.type() + "'");
		};
	}

	/**
	 * Loads the native xxHash library while the service starts: left to the first upload, it
	 * would read its jar and load the library on an event loop.
	 */
	@Bean
	SmartInitializingSingleton nativeChecksums() {
		return Checksums::load;
	}

	private static BlobStore s3(UploadProperties.S3 settings) {
		S3AsyncClientBuilder builder = S3AsyncClient.builder()
			.region(Region.of(settings.region()))
			.forcePathStyle(settings.pathStyle());
		if (!settings.endpoint().isBlank()) {
			builder.endpointOverride(URI.create(settings.endpoint()));
		}
		builder.credentialsProvider(settings.accessKey().isBlank() ? DefaultCredentialsProvider.builder().build()
				: StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())));
		return new S3BlobStore(builder.build(), settings.bucket(), settings.prefix(), (int) settings.partSize().toBytes());
	}

}
