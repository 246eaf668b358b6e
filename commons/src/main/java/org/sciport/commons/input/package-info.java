/**
 * What every service refuses in a request before a handler sees it: text PostgreSQL cannot
 * store, and values of the wrong type.
 */
@NullMarked
package org.sciport.commons.input;

import org.jspecify.annotations.NullMarked;
