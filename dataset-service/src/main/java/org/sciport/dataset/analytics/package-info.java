/**
 * Usage analytics ({@code /v1/analytics/usage}): API calls the gateway served, data
 * processed and projects created, per time bucket.
 */
@NullMarked
package org.sciport.dataset.analytics;

import org.jspecify.annotations.NullMarked;
