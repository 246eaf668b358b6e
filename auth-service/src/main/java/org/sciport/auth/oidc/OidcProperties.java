package org.sciport.auth.oidc;

import java.net.URI;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * OpenID Connect sign-in ({@code sciport.auth.oidc.*}).
 *
 * @param frontendUrl where a completed sign-in is sent, with the access token as {@code token}
 * @param callbackBaseUrl the externally visible base of the callback URL registered at each
 * provider ({@code <base>/api/users/openid/<provider>/callback})
 * @param providers the configured providers by name
 */
@ConfigurationProperties("sciport.auth.oidc")
public record OidcProperties(@DefaultValue("http://localhost:8080/") URI frontendUrl,
		@DefaultValue("http://localhost:8080") String callbackBaseUrl, @DefaultValue Map<String, Provider> providers) {

	public OidcProperties {
		providers = Map.copyOf(providers);
	}

	/**
	 * One provider.
	 *
	 * @param issuerUri its issuer; discovery is read from {@code <issuer>/.well-known/openid-configuration}
	 * @param clientId the client id registered there
	 * @param clientSecret the client secret registered there
	 * @param description what the login page shows
	 * @param scopes the scopes asked for
	 */
	public record Provider(URI issuerUri, String clientId, String clientSecret, @DefaultValue("") String description,
			@DefaultValue("openid email profile") String scopes) {
	}

}
