/**
 * How every service reads JSON bodies: strict types, no NUL characters.
 */
@NullMarked
package org.sciport.commons.json;

import org.jspecify.annotations.NullMarked;
