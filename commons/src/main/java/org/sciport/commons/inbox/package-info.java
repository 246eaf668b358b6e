/**
 * The idempotent consumer: a processed-events table checked and written in the same transaction as the side effect.
 */
@NullMarked
package org.sciport.commons.inbox;

import org.jspecify.annotations.NullMarked;
