/**
 * Schedules as users write them: five-field cron expressions in a time zone.
 */
@NullMarked
package org.sciport.commons.schedule;

import org.jspecify.annotations.NullMarked;
