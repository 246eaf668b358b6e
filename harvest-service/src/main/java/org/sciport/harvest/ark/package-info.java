/**
 * ARK identifiers: minting NOID-style names with a check character, and checking them.
 */
@NullMarked
package org.sciport.harvest.ark;

import org.jspecify.annotations.NullMarked;
