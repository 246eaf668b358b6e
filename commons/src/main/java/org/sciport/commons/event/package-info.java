/**
 * The event envelope (CloudEvents 1.0, JSON structured mode) and the topic names every service publishes to.
 */
@NullMarked
package org.sciport.commons.event;

import org.jspecify.annotations.NullMarked;
