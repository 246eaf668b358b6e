/**
 * The gateway: the one entry point of the suite.
 */
@NullMarked
package org.sciport.gateway;

import org.jspecify.annotations.NullMarked;
