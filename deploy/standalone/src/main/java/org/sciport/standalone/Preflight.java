package org.sciport.standalone;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Checks made before anything is started or written, each failing with one line that names
 * the problem.
 */
final class Preflight {

	private Preflight() {
	}

	static void checkPortFree(int port) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(port));
		}
		catch (IOException ex) {
			throw new StartupException("Port " + port + " is already in use; set SCIPORT_HTTP_PORT to a free port");
		}
	}

	static void checkPostgres(String jdbcUrl, String username, String password) {
		DriverManager.setLoginTimeout(5);
		try (Connection connection = DriverManager.getConnection(jdbcUrl, username, password)) {
			connection.isValid(5);
		}
		catch (SQLException ex) {
			throw new StartupException("Cannot reach PostgreSQL at " + StandaloneSettings.redact(jdbcUrl) + ": "
					+ firstLine(ex.getMessage()));
		}
	}

	static void checkKafka(String bootstrapServers) {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
				AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
				8000))) {
			admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
		}
		catch (ExecutionException | TimeoutException | RuntimeException ex) {
			throw new StartupException("Cannot reach Kafka at " + bootstrapServers + ": " + firstLine(
					(ex.getCause() != null) ? ex.getCause().getMessage() : String.valueOf(ex.getMessage())));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StartupException("Interrupted while checking Kafka at " + bootstrapServers);
		}
	}

	/**
	 * Creates the data directory if needed, proves it writable and takes its lock, which is held
	 * until the process exits: two suites never share one data directory.
	 */
	static FileLock claimDataDirectory(Path directory) {
		try {
			Files.createDirectories(directory);
		}
		catch (IOException ex) {
			throw new StartupException("Cannot create the data directory " + directory + " (SCIPORT_DATA_DIR): "
					+ describe(ex));
		}
		if (!Files.isDirectory(directory) || !Files.isReadable(directory) || !Files.isWritable(directory)) {
			throw new StartupException("The data directory " + directory
					+ " (SCIPORT_DATA_DIR) is not a readable and writable directory");
		}
		try {
			FileChannel channel = FileChannel.open(directory.resolve(".lock"), StandardOpenOption.CREATE,
					StandardOpenOption.WRITE);
			FileLock lock = channel.tryLock();
			if (lock == null) {
				channel.close();
				throw new StartupException("The data directory " + directory
						+ " is in use by another running Sciport; stop it or set SCIPORT_DATA_DIR");
			}
			return lock;
		}
		catch (OverlappingFileLockException ex) {
			throw new StartupException("The data directory " + directory + " is already in use by this process");
		}
		catch (IOException ex) {
			throw new StartupException("Cannot write to the data directory " + directory + " (SCIPORT_DATA_DIR): "
					+ describe(ex));
		}
	}

	static String describe(IOException ex) {
		String type = ex.getClass().getSimpleName().replace("Exception", "");
		return type + ((ex.getMessage() != null) ? " " + ex.getMessage() : "");
	}

	private static String firstLine(String message) {
		if (message == null) {
			return "unknown error";
		}
		int newline = message.indexOf('\n');
		return (newline < 0) ? message : message.substring(0, newline);
	}

}
