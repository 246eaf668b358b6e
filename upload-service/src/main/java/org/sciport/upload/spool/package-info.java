/**
 * Where unfinished chunked and tus uploads are assembled, on the blob store's file system.
 */
@NullMarked
package org.sciport.upload.spool;

import org.jspecify.annotations.NullMarked;
