/**
 * Secrets at rest: service-account secrets sealed with AES-256-GCM under rotatable keys.
 */
@NullMarked
package org.sciport.harvest.secrets;

import org.jspecify.annotations.NullMarked;
