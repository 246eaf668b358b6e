/**
 * auth-service: accounts, credentials, roles and tokens.
 */
@NullMarked
package org.sciport.auth;

import org.jspecify.annotations.NullMarked;
