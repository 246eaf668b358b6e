/**
 * upload-service: uploads (single, chunked, tus), upload and conversion jobs, blobs.
 */
@NullMarked
package org.sciport.upload;

import org.jspecify.annotations.NullMarked;
