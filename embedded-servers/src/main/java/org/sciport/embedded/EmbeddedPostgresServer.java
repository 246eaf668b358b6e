package org.sciport.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server (binaries from Maven) bound to the loopback interface. With a data
 * directory, the cluster is initialised once and reused by every later start; without one, it
 * lives in a temporary directory that is removed on close.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

	/** The superuser the embedded cluster is initialised with. */
	public static final String USERNAME = "postgres";

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

	/** How long an orphaned server has for a fast shutdown before it is killed. */
	static final Duration ORPHAN_STOP = Duration.ofSeconds(30);

	private final Path dataDirectory;

	private final boolean temporary;

	private final int port;

	private @Nullable EmbeddedPostgres postgres;

	private EmbeddedPostgresServer(Path dataDirectory, boolean temporary, EmbeddedPostgres postgres) {
		this.dataDirectory = dataDirectory;
		this.temporary = temporary;
		this.postgres = postgres;
		this.port = postgres.getPort();
	}

	/**
	 * Starts a server keeping its cluster in {@code dataDirectory} (created and initialised if
	 * needed), or in a fresh temporary directory, removed on close, if that is {@code null}.
	 */
	public static EmbeddedPostgresServer start(@Nullable Path dataDirectory) {
		boolean temporary = dataDirectory == null;
		Path directory = temporary ? Directories.temporary("sciport-postgres") : dataDirectory;
		if (!temporary) {
			stopOrphan(directory);
		}
		return new EmbeddedPostgresServer(directory, temporary, startOn(directory, 0));
	}

	private static EmbeddedPostgres startOn(Path dataDirectory, int port) {
		EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
			.setPGStartupWait(Duration.ofSeconds(60))
			.setRegisterShutdownHook(false)
			.setServerConfig("listen_addresses", "127.0.0.1")
			.setServerConfig("max_connections", "300")
			.setServerConfig("fsync", "on")
			.setDataDirectory(dataDirectory)
			.setCleanDataDirectory(false);
		if (port != 0) {
			builder.setPort(port);
		}
		try {
			return builder.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Embedded PostgreSQL did not start: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Stops the server (a fast shutdown: open transactions roll back, every connection is
	 * closed), keeping its cluster; clients see it as gone until {@link #restart()}.
	 */
	public synchronized void stop() {
		EmbeddedPostgres running = this.postgres;
		if (running != null) {
			this.postgres = null;
			try {
				running.close();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	/**
	 * Starts the stopped server again, on the same port with the same cluster.
	 */
	public synchronized void restart() {
		if (this.postgres == null) {
			this.postgres = startOn(this.dataDirectory, this.port);
		}
	}

	/**
	 * Stops a server still running on {@code dataDirectory} from an earlier start whose JVM was
	 * killed (SIGKILL, OOM killer, power cut of the JVM alone): the server is a process of its
	 * own and outlives it, holding the directory, so no new server could start there. Only a
	 * {@code postgres} process started on this very directory is stopped, and the caller
	 * holds the directory (one suite per data directory), so it can be nobody else's. A fast
	 * shutdown first (SIGINT: open transactions roll back, nothing committed is lost); if it
	 * has not ended within {@link #ORPHAN_STOP}, it is killed and the next start recovers from
	 * its write-ahead log.
	 */
	static void stopOrphan(Path dataDirectory) {
		Path pidFile = dataDirectory.resolve("postmaster.pid");
		long pid;
		try {
			if (!Files.isRegularFile(pidFile)) {
				return;
			}
			List<String> lines = Files.readAllLines(pidFile);
			pid = lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
		}
		catch (IOException | NumberFormatException ex) {
			return;
		}
		ProcessHandle server = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElse(null);
		if (server == null || !isPostgresOn(server, dataDirectory)) {
			return;
		}
		logger.warn("A PostgreSQL server (pid {}) from an earlier start is still running on {}; stopping it", pid,
				dataDirectory);
		signal(pid, "INT");
		try {
			server.onExit().get(ORPHAN_STOP.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			server.destroyForcibly();
			server.onExit().join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException ex) {
			// It has ended either way.
		}
	}

	private static boolean isPostgresOn(ProcessHandle process, Path dataDirectory) {
		ProcessHandle.Info info = process.info();
		String command = info.command().orElse("");
		String[] arguments = info.arguments().orElse(new String[0]);
		String directory = dataDirectory.toAbsolutePath().normalize().toString();
		return command.endsWith("/postgres") && Arrays.stream(arguments)
			.anyMatch((argument) -> Path.of(argument).toAbsolutePath().normalize().toString().equals(directory));
	}

	private static void signal(long pid, String signal) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
			kill.getInputStream().readAllBytes();
			kill.waitFor(10, TimeUnit.SECONDS);
		}
		catch (IOException ex) {
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	public int port() {
		return this.port;
	}

	/**
	 * The JDBC URL of a database on this server.
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
	}

	@Override
	public synchronized void close() {
		stop();
		if (this.temporary) {
			Directories.deleteTree(this.dataDirectory);
		}
	}

}
