/**
 * Access and refresh tokens: signing keys, issuing, rotation and revocation.
 */
@NullMarked
package org.sciport.auth.tokens;

import org.jspecify.annotations.NullMarked;
