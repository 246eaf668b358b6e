package org.sciport.auth.users;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A user account as the native API shows it (never with its password hash).
 *
 * @param id the user id
 * @param email the email address as given
 * @param name the display name
 * @param role {@code admin} or {@code user}
 * @param plan {@code free}, {@code professional} or {@code enterprise}
 * @param active whether the account may sign in
 * @param createdAt when the account was created
 * @param tokenVersion raised by each change that ends the account's tokens; tokens carry it
 */
public record User(UUID id, String email, String name, String role, String plan, boolean active,
		Instant createdAt, @JsonIgnore long tokenVersion) {
}
