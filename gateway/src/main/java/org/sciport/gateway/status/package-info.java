/**
 * The public API status (seed 001's GET /v1/status).
 */
@NullMarked
package org.sciport.gateway.status;

import org.jspecify.annotations.NullMarked;
