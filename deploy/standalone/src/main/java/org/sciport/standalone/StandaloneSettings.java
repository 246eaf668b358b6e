package org.sciport.standalone;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What the standalone suite reads from its environment. Every variable is optional.
 *
 * @param dataDirectory {@code SCIPORT_DATA_DIR}: where the embedded servers keep their data
 * @param httpPort {@code SCIPORT_HTTP_PORT}: the gateway's port
 * @param adminEmail {@code SCIPORT_ADMIN_EMAIL}: the bootstrap administrator's email
 * @param adminPassword {@code SCIPORT_ADMIN_PASSWORD}: its password; generated once if unset
 * @param postgresUrl {@code SCIPORT_POSTGRES_URL}: an external PostgreSQL instead of the
 * embedded one (a {@code jdbc:postgresql://} URL of an existing database, with
 * {@code SCIPORT_POSTGRES_USERNAME} / {@code SCIPORT_POSTGRES_PASSWORD})
 * @param postgresUsername the external PostgreSQL's user
 * @param postgresPassword the external PostgreSQL's password
 * @param kafkaBootstrap {@code SCIPORT_KAFKA_BOOTSTRAP}: an external Kafka instead of the
 * in-process broker
 * @param redisUrl {@code SCIPORT_REDIS_URL}: keep the gateway's rate limits in this Redis
 */
record StandaloneSettings(Path dataDirectory, int httpPort, String adminEmail, @Nullable String adminPassword,
		@Nullable String postgresUrl, String postgresUsername, String postgresPassword,
		@Nullable String kafkaBootstrap, @Nullable String redisUrl) {

	static final int DEFAULT_HTTP_PORT = 8080;

	static final String DEFAULT_ADMIN_EMAIL = "admin@sciport.local";

	static StandaloneSettings from(Map<String, String> environment) {
		Path dataDirectory = Path.of(value(environment, "SCIPORT_DATA_DIR", "./sciport-data")).toAbsolutePath().normalize();
		int httpPort = port(value(environment, "SCIPORT_HTTP_PORT", String.valueOf(DEFAULT_HTTP_PORT)));
		String adminEmail = value(environment, "SCIPORT_ADMIN_EMAIL", DEFAULT_ADMIN_EMAIL).trim();
		if (!adminEmail.matches("[^@\\s]+@[^@\\s]+")) {
			throw new StartupException("SCIPORT_ADMIN_EMAIL is not an email address: " + adminEmail);
		}
		String postgresUrl = blankToNull(environment.get("SCIPORT_POSTGRES_URL"));
		if (postgresUrl != null && !postgresUrl.startsWith("jdbc:postgresql://")) {
			throw new StartupException(
					"SCIPORT_POSTGRES_URL must be a jdbc:postgresql://host:port/database URL, got " + redact(postgresUrl));
		}
		return new StandaloneSettings(dataDirectory, httpPort, adminEmail.toLowerCase(Locale.ROOT),
				blankToNull(environment.get("SCIPORT_ADMIN_PASSWORD")), postgresUrl,
				value(environment, "SCIPORT_POSTGRES_USERNAME", "postgres"),
				value(environment, "SCIPORT_POSTGRES_PASSWORD", ""),
				blankToNull(environment.get("SCIPORT_KAFKA_BOOTSTRAP")), blankToNull(environment.get("SCIPORT_REDIS_URL")));
	}

	/**
	 * A URL without any credentials it carries, for messages.
	 */
	static String redact(String url) {
		return url.replaceAll("//[^/@]*@", "//***@").replaceAll("(?i)(password=)[^&]*", "$1***");
	}

	private static int port(String value) {
		try {
			int port = Integer.parseInt(value.trim());
			if (port >= 1 && port <= 65535) {
				return port;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new StartupException("SCIPORT_HTTP_PORT must be a port number from 1 to 65535, got '" + value + "'");
	}

	private static String value(Map<String, String> environment, String name, String fallback) {
		String value = blankToNull(environment.get(name));
		return (value != null) ? value : fallback;
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return (value == null || value.isBlank()) ? null : value;
	}

}
