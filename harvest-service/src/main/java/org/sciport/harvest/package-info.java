/**
 * harvest-service: instruments, storage locations, service accounts, schedules, hooks, file records and transfers.
 */
@NullMarked
package org.sciport.harvest;

import org.jspecify.annotations.NullMarked;
