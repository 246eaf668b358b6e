/**
 * Which path prefix goes to which service, and what every proxied request carries.
 */
@NullMarked
package org.sciport.gateway.routing;

import org.jspecify.annotations.NullMarked;
