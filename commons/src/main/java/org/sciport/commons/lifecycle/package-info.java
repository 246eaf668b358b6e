/**
 * Work a replica does in the background while it is up.
 */
@NullMarked
package org.sciport.commons.lifecycle;

import org.jspecify.annotations.NullMarked;
