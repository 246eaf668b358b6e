/**
 * The blob-storage interface and its local filesystem implementation.
 */
@NullMarked
package org.sciport.commons.storage;

import org.jspecify.annotations.NullMarked;
