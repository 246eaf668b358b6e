/**
 * Dataset status driven by upload-service's events.
 */
@NullMarked
package org.sciport.dataset.status;

import org.jspecify.annotations.NullMarked;
