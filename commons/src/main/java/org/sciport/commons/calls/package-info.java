/**
 * Calls from one service to another: Boot's traced and measured WebClient behind a time limit
 * and a circuit breaker.
 */
@NullMarked
package org.sciport.commons.calls;

import org.jspecify.annotations.NullMarked;
