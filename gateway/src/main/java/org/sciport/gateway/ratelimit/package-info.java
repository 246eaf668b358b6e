/**
 * Rate limits per caller: an hourly quota by plan and a per-minute burst limit.
 */
@NullMarked
package org.sciport.gateway.ratelimit;

import org.jspecify.annotations.NullMarked;
