package org.sciport.auth.users;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * auth-service settings.
 *
 * @param admin the bootstrap administrator
 * @param password the password policy and hashing cost
 */
@Validated
@ConfigurationProperties("sciport.auth")
public record AuthProperties(@Valid @DefaultValue Admin admin, @Valid @DefaultValue Password password) {

	/**
	 * The administrator account created on first start.
	 *
	 * @param email its email (login name)
	 * @param password its password; when empty, no administrator is created
	 * @param serviceToken an API token ({@code sct_...}) registered for the administrator at each
	 * start with the scopes {@code admin harvest:read datasets:read}: the credential with which services read
	 * files on a user's behalf (workflow-service's {@code sciport.workflow.inputs.api-token});
	 * none when empty
	 */
	public record Admin(@DefaultValue("admin@sciport.local") String email, @DefaultValue("") String password,
			@DefaultValue("") String serviceToken) {

		@Override
		public String toString() {
			return "Admin[email=" + this.email + ", password=****, serviceToken=****]";
		}

	}

	/**
	 * The password policy.
	 *
	 * @param minLength the shortest accepted password
	 * @param bcryptCost the bcrypt work factor (each step doubles the hashing time)
	 */
	public record Password(@DefaultValue("12") @Min(8) @Max(128) int minLength,
			@DefaultValue("11") @Min(10) @Max(16) int bcryptCost) {
	}

}
