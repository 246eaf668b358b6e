/**
 * Cross-origin access for browser clients on other origins (a portal, Uppy).
 */
@NullMarked
package org.sciport.gateway.cors;

import org.jspecify.annotations.NullMarked;
