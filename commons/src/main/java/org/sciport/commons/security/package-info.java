/**
 * The resource-server side of Sciport's access tokens: every service verifies the caller's
 * JWT itself, whatever the gateway did before.
 */
@NullMarked
package org.sciport.commons.security;

import org.jspecify.annotations.NullMarked;
