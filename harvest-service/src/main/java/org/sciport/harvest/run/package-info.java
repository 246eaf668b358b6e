/**
 * Harvest runs: requested by a schedule's tick or by hand, claimed by one replica, and carried
 * out file by file (discover, compare, transfer and verify, identify, announce).
 */
@NullMarked
package org.sciport.harvest.run;

import org.jspecify.annotations.NullMarked;
