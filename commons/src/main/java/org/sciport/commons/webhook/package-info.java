/**
 * Outgoing webhooks as the Standard Webhooks specification signs them.
 */
@NullMarked
package org.sciport.commons.webhook;

import org.jspecify.annotations.NullMarked;
