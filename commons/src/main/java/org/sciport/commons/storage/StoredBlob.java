package org.sciport.commons.storage;

/**
 * A blob as stored.
 *
 * @param key its key
 * @param size its size in bytes
 */
public record StoredBlob(String key, long size) {
}
