/**
 * Schedules: cron expressions as users write them, evaluated in a time zone.
 */
@NullMarked
package org.sciport.harvest.schedules;

import org.jspecify.annotations.NullMarked;
