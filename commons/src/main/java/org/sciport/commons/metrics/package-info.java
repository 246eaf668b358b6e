/**
 * Metrics of our own beside Spring Boot's: how much work waits (outbox, queues).
 */
@NullMarked
package org.sciport.commons.metrics;

import org.jspecify.annotations.NullMarked;
