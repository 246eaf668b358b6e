/**
 * Sign-in through OpenID Connect providers (authorization code with PKCE).
 */
@NullMarked
package org.sciport.auth.oidc;

import org.jspecify.annotations.NullMarked;
