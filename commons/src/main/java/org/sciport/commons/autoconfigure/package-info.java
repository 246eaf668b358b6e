/**
 * Auto-configuration that gives every Sciport service the shared mechanisms of this module.
 */
@NullMarked
package org.sciport.commons.autoconfigure;

import org.jspecify.annotations.NullMarked;
