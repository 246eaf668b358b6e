package org.sciport.testsupport;

import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.database.DatabaseEnvironmentPostProcessor;
import org.sciport.embedded.EmbeddedKafkaBroker;
import org.sciport.embedded.EmbeddedPostgresServer;
import org.sciport.embedded.PostgresDatabases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The test JVM's one PostgreSQL server and one Kafka broker, chosen in this order:
 * <ol>
 * <li>external servers named by {@code SCIPORT_TEST_POSTGRES_URL} (a JDBC URL of an existing
 * database, with {@code SCIPORT_TEST_POSTGRES_USERNAME} / {@code SCIPORT_TEST_POSTGRES_PASSWORD})
 * and {@code SCIPORT_TEST_KAFKA_BOOTSTRAP};</li>
 * <li>Testcontainers (PostgreSQL 17, Apache Kafka) when a Docker engine answers;</li>
 * <li>otherwise the embedded real servers: PostgreSQL 17 binaries from Maven and an in-process
 * Kafka broker in KRaft mode.</li>
 * </ol>
 * Each is started on first use and stopped when the JVM exits.
 */
public final class TestInfrastructure {

	private static final Logger logger = LoggerFactory.getLogger(TestInfrastructure.class);

	private static final AtomicInteger databases = new AtomicInteger();

	private static @Nullable Postgres postgres;

	private static @Nullable String kafkaBootstrap;

	private static @Nullable EmbeddedKafkaBroker embeddedKafka;

	private static @Nullable EmbeddedPostgresServer embeddedPostgres;

	private static @Nullable Boolean docker;

	private TestInfrastructure() {
	}

	/**
	 * A PostgreSQL server: a JDBC URL of an existing database on it and the credentials.
	 *
	 * @param adminJdbcUrl URL of a database to connect to for administration
	 * @param username the user name
	 * @param password the password
	 */
	public record Postgres(String adminJdbcUrl, String username, String password) {

		public String jdbcUrl(String database) {
			return PostgresDatabases.withDatabase(this.adminJdbcUrl, database);
		}

	}

	public static synchronized Postgres postgres() {
		if (postgres == null) {
			postgres = startPostgres();
		}
		return postgres;
	}

	public static synchronized String kafkaBootstrap() {
		if (kafkaBootstrap == null) {
			kafkaBootstrap = startKafka();
		}
		return kafkaBootstrap;
	}

	/**
	 * The in-process broker, when that is what the tests run against; {@code null} otherwise.
	 * Tests that stop and restart the broker need it.
	 */
	public static synchronized @Nullable EmbeddedKafkaBroker embeddedKafka() {
		kafkaBootstrap();
		return embeddedKafka;
	}

	/**
	 * The embedded PostgreSQL server, when that is what the tests run against; {@code null}
	 * otherwise. Tests that stop and restart the database need it.
	 */
	public static synchronized @Nullable EmbeddedPostgresServer embeddedPostgres() {
		postgres();
		return embeddedPostgres;
	}

	/**
	 * Creates a fresh database named after {@code prefix} and returns its JDBC URL.
	 */
	public static String createDatabase(String prefix) {
		Postgres server = postgres();
		String name = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_t"
				+ ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
		try {
			PostgresDatabases.createIfMissing(server.adminJdbcUrl(), server.username(), server.password(), name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create test database " + name, ex);
		}
		return server.jdbcUrl(name);
	}

	/**
	 * Points a Spring test context at a fresh database and at the shared Kafka broker.
	 */
	public static void register(DynamicPropertyRegistry registry, String databasePrefix) {
		String url = createDatabase(databasePrefix);
		Postgres server = postgres();
		registry.add("sciport.database.url", () -> url);
		registry.add("sciport.database.username", server::username);
		registry.add("sciport.database.password", server::password);
		// The service derives these from sciport.database.* while its environment is prepared,
		// before dynamic properties exist; so the test gives them itself.
		DatabaseEnvironmentPostProcessor.expand(url, server.username(), server.password())
			.forEach((name, value) -> registry.add(name, () -> value));
		registry.add("spring.kafka.bootstrap-servers", TestInfrastructure::kafkaBootstrap);
		// Cached contexts of one JVM share the broker: each consumes under groups of its own, so
		// an event is applied to the database of every context, never to another's instead.
		String database = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
		registry.add("sciport.events.consumer-group-suffix", () -> "-" + database);
	}

	private static Postgres startPostgres() {
		String external = System.getenv("SCIPORT_TEST_POSTGRES_URL");
		if (external != null && !external.isBlank()) {
			logger.info("Tests use the external PostgreSQL at {}", external.replaceAll("\\?.*", ""));
			return new Postgres(external, envOr("SCIPORT_TEST_POSTGRES_USERNAME", "postgres"),
					envOr("SCIPORT_TEST_POSTGRES_PASSWORD", ""));
		}
		if (dockerAvailable()) {
			PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
			container.start();
			Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-test-postgres"));
			logger.info("Tests use a PostgreSQL container");
			return new Postgres(container.getJdbcUrl(), container.getUsername(), container.getPassword());
		}
		EmbeddedPostgresServer server = EmbeddedPostgresServer.start(null);
		embeddedPostgres = server;
		Runtime.getRuntime().addShutdownHook(new Thread(server::close, "stop-test-postgres"));
		logger.info("Tests use an embedded PostgreSQL on port {}", server.port());
		return new Postgres(server.jdbcUrl("postgres"), EmbeddedPostgresServer.USERNAME, "");
	}

	private static String startKafka() {
		String external = System.getenv("SCIPORT_TEST_KAFKA_BOOTSTRAP");
		if (external != null && !external.isBlank()) {
			logger.info("Tests use the external Kafka at {}", external);
			return external;
		}
		if (dockerAvailable()) {
			KafkaContainer container = new KafkaContainer("apache/kafka:4.1.0");
			container.start();
			Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-test-kafka"));
			logger.info("Tests use a Kafka container");
			return container.getBootstrapServers();
		}
		EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(null);
		Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "stop-test-kafka"));
		embeddedKafka = broker;
		logger.info("Tests use an in-process Kafka broker at {}", broker.bootstrapServers());
		return broker.bootstrapServers();
	}

	private static boolean dockerAvailable() {
		if (docker == null) {
			boolean available;
			try {
				available = DockerClientFactory.instance().isDockerAvailable();
			}
			catch (RuntimeException | LinkageError ex) {
				available = false;
			}
			docker = available;
		}
		return docker;
	}

	private static String envOr(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null) ? value : fallback;
	}

}
