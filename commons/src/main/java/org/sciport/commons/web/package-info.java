/**
 * Request-scoped web concerns every service shares: the request id and its propagation into logs.
 */
@NullMarked
package org.sciport.commons.web;

import org.jspecify.annotations.NullMarked;
