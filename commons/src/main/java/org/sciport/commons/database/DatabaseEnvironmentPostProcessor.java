package org.sciport.commons.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertiesPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;

/**
 * Gives every Sciport service two things before its configuration is bound:
 * <ul>
 * <li>the suite-wide defaults in {@code sciport-defaults.properties} (lowest precedence, so a
 * service's own configuration and the environment override them);</li>
 * <li>one database setting, {@code sciport.database.url} (a {@code jdbc:postgresql://} URL) with
 * {@code sciport.database.username} and {@code sciport.database.password}, expanded into the
 * R2DBC settings the service talks through and the JDBC settings Flyway migrates through.</li>
 * </ul>
 */
public final class DatabaseEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String DEFAULTS = "sciport-defaults.properties";

	@Override
	public int getOrder() {
		// After the config data (application.yml, environment) has been loaded.
		return Ordered.LOWEST_PRECEDENCE - 10;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		environment.getPropertySources().addLast(loadDefaults());
		String url = environment.getProperty("sciport.database.url");
		if (url == null || url.isBlank()) {
			return;
		}
		Map<String, Object> derived = expand(url, environment.getProperty("sciport.database.username", ""),
				environment.getProperty("sciport.database.password", ""));
		// Lowest but for the defaults: explicit spring.r2dbc.* / spring.flyway.* settings win.
		environment.getPropertySources().addBefore("sciportDefaults", new MapPropertySource("sciportDatabase", derived));
	}

	/**
	 * The R2DBC and Flyway properties for one JDBC URL.
	 */
	public static Map<String, Object> expand(String jdbcUrl, String username, String password) {
		if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
			throw new IllegalArgumentException("sciport.database.url must be a jdbc:postgresql:// URL");
		}
		URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
		Map<String, Object> properties = new HashMap<>();
		properties.put("spring.r2dbc.url", "r2dbc:postgresql://" + uri.getRawAuthority() + uri.getRawPath()
				+ ((uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : ""));
		properties.put("spring.r2dbc.username", username);
		properties.put("spring.r2dbc.password", password);
		properties.put("spring.flyway.url", jdbcUrl);
		properties.put("spring.flyway.user", username);
		properties.put("spring.flyway.password", password);
		return properties;
	}

	private static PropertiesPropertySource loadDefaults() {
		try {
			return new PropertiesPropertySource("sciportDefaults",
					PropertiesLoaderUtils.loadProperties(new ClassPathResource(DEFAULTS)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Missing " + DEFAULTS, ex);
		}
	}

}
