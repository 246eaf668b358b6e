/**
 * The catalogue: datasets, who may see and change them, and their shares with teams.
 */
@NullMarked
package org.sciport.dataset.catalogue;

import org.jspecify.annotations.NullMarked;
