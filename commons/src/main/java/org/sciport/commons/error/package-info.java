/**
 * The one exception hierarchy of Sciport and its mapping to the native error body (and to seed-specific shapes through {@link org.sciport.commons.error.ErrorRenderer}).
 */
@NullMarked
package org.sciport.commons.error;

import org.jspecify.annotations.NullMarked;
