package org.sciport.commons.storage;

import org.sciport.commons.error.NotFoundException;

/**
 * No blob is stored under the key.
 */
public class BlobNotFoundException extends NotFoundException {

	public BlobNotFoundException(String key) {
		super("No stored content for " + key);
	}

}
