/**
 * Webhooks: subscriptions ({@code /v1/webhooks}), the matching of every Sciport event to them
 * (only events about objects the subscriber may read), and their signed delivery with retries.
 */
@NullMarked
package org.sciport.dataset.webhooks;

import org.jspecify.annotations.NullMarked;
