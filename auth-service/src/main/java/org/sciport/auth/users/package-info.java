/**
 * User accounts: registration and lookup.
 */
@NullMarked
package org.sciport.auth.users;

import org.jspecify.annotations.NullMarked;
