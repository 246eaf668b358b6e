/**
 * Folders: each user's own tree for arranging datasets.
 */
@NullMarked
package org.sciport.dataset.folders;

import org.jspecify.annotations.NullMarked;
