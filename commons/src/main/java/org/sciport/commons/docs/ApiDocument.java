package org.sciport.commons.docs;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/**
 * The frame of a service's OpenAPI document, which springdoc fills with the service's
 * operations (published at {@value #PATH}, without a token). Callers present a bearer token:
 * an access token, or an API token, which the services accept in the same header.
 */
public final class ApiDocument {

	/** Where each application publishes its document. */
	public static final String PATH = "/v3/api-docs";

	/** The security scheme every operation names. */
	public static final String BEARER = "bearer";

	private ApiDocument() {
	}

	/**
	 * The frame for the application called {@code name}.
	 */
	public static OpenAPI frame(String name, String version) {
		SecurityScheme bearer = new SecurityScheme().type(SecurityScheme.Type.HTTP)
			.scheme("bearer")
			.bearerFormat("JWT")
			.description("An access token from /v1/auth/login, or an API token from /v1/tokens.");
		return new OpenAPI()
			.info(new Info().title("Sciport " + name)
				.version(version))
			.components(new Components().addSecuritySchemes(BEARER, bearer))
			.addSecurityItem(new SecurityRequirement().addList(BEARER));
	}

	/**
	 * Schemas named the way bodies are written: snake_case, as the web's JSON mapper does
	 * ({@code spring.jackson.property-naming-strategy}); springdoc's own mapper would describe
	 * the Java names. {@code @JsonProperty} still wins, as it does on the wire.
	 */
	public static ModelResolver snakeCaseSchemas() {
		return new ModelResolver(Json31.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE))
			.openapi31(true);
	}

}
