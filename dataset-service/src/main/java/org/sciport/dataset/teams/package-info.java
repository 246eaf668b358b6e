/**
 * Teams: named groups of users that datasets are shared with.
 */
@NullMarked
package org.sciport.dataset.teams;

import org.jspecify.annotations.NullMarked;
