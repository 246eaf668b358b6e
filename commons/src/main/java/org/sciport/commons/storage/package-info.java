/**
 * The blob-storage interface and its two implementations: the local file system and S3-compatible object storage.
 */
@NullMarked
package org.sciport.commons.storage;

import org.jspecify.annotations.NullMarked;
