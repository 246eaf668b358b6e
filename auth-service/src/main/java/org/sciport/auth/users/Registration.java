package org.sciport.auth.users;

import org.jspecify.annotations.Nullable;

/**
 * A registration request.
 *
 * @param email the email address, also the login name
 * @param password the password, checked against the password policy
 * @param name the display name; defaults to the email's local part
 */
public record Registration(@Nullable String email, @Nullable String password, @Nullable String name) {
}
