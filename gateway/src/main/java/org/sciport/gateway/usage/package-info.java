/**
 * Counting what the gateway serves, per user and hour, for usage analytics.
 */
@NullMarked
package org.sciport.gateway.usage;

import org.jspecify.annotations.NullMarked;
