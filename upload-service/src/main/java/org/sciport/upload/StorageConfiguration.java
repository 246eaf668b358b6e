package org.sciport.upload;

import org.sciport.commons.storage.BlobStore;
import org.sciport.commons.storage.LocalBlobStore;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Where file contents live: the local file system under {@code sciport.upload.storage-directory}.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

	@Bean
	@ConditionalOnMissingBean
	BlobStore blobStore(UploadProperties properties) {
		return new LocalBlobStore(properties.storageDirectory());
	}

}
