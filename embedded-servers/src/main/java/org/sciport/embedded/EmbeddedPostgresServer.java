package org.sciport.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server (binaries from Maven) bound to the loopback interface. With a data
 * directory, the cluster is initialised once and reused by every later start; without one, it
 * lives in a temporary directory that is removed on close.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

	/** The superuser the embedded cluster is initialised with. */
	public static final String USERNAME = "postgres";

	private final EmbeddedPostgres postgres;

	private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
		this.postgres = postgres;
	}

	/**
	 * Starts a server keeping its cluster in {@code dataDirectory} (created and initialised if
	 * needed), or in a fresh temporary directory if that is {@code null}.
	 */
	public static EmbeddedPostgresServer start(@Nullable Path dataDirectory) {
		EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
			.setPGStartupWait(Duration.ofSeconds(60))
			.setRegisterShutdownHook(false)
			.setServerConfig("listen_addresses", "127.0.0.1")
			.setServerConfig("max_connections", "300")
			.setServerConfig("fsync", "on");
		if (dataDirectory != null) {
			builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
		}
		try {
			return new EmbeddedPostgresServer(builder.start());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Embedded PostgreSQL did not start: " + ex.getMessage(), ex);
		}
	}

	public int port() {
		return this.postgres.getPort();
	}

	/**
	 * The JDBC URL of a database on this server.
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
	}

	@Override
	public void close() {
		try {
			this.postgres.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
