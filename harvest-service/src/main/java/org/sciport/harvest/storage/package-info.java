/**
 * Storage locations as blob stores: where a harvest writes, and the probe that tests one.
 */
@NullMarked
package org.sciport.harvest.storage;

import org.jspecify.annotations.NullMarked;
