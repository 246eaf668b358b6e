package org.sciport.standalone;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The packaged standalone jar run as a child process, the way an operator runs it.
 */
final class SuiteProcess implements AutoCloseable {

	private static final Path JAR = Path.of(System.getProperty("sciport.standalone.jar",
			"target/sciport-standalone.jar"));

	private final Process process;

	private final Path stdout;

	private final Path stderr;

	private final Path dataDirectory;

	private SuiteProcess(Process process, Path stdout, Path stderr, Path dataDirectory) {
		this.process = process;
		this.stdout = stdout;
		this.stderr = stderr;
		this.dataDirectory = dataDirectory;
	}

	/**
	 * Starts the jar with exactly the given Sciport variables (none is inherited).
	 */
	static SuiteProcess start(Path dataDirectory, Map<String, String> environment, Path logs) {
		try {
			Files.createDirectories(logs);
			Path out = Files.createTempFile(logs, "suite-", ".out");
			Path err = Files.createTempFile(logs, "suite-", ".err");
			List<String> command = new ArrayList<>();
			command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
			command.add("-jar");
			command.add(JAR.toAbsolutePath().toString());
			ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
			builder.environment().keySet().removeIf((name) -> name.startsWith("SCIPORT_"));
			builder.environment().put("SCIPORT_DATA_DIR", dataDirectory.toString());
			builder.environment().putAll(environment);
			return new SuiteProcess(builder.start(), out, err, dataDirectory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Waits for the ready line; fails with the process's output if it exits or takes too long.
	 */
	String awaitReady(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			String ready = output().lines().filter((line) -> line.startsWith("Sciport is ready at ")).findFirst().orElse(null);
			if (ready != null) {
				return ready;
			}
			if (!this.process.isAlive()) {
				throw new AssertionError("The suite exited with " + this.process.exitValue() + " before it was ready:\n"
						+ errors() + "\n" + tail(output()));
			}
			sleep(200);
		}
		throw new AssertionError("The suite was not ready within " + timeout + ":\n" + tail(output()));
	}

	/**
	 * Waits for the process to exit by itself and returns its exit code.
	 */
	int awaitExit(Duration timeout) {
		try {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new AssertionError("The suite did not exit within " + timeout + ":\n" + tail(output()));
			}
			return this.process.exitValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/**
	 * Sends SIGTERM and waits for the process to exit.
	 */
	int terminate(Duration timeout) {
		this.process.destroy();
		return awaitExit(timeout);
	}

	/**
	 * Kills the suite with SIGKILL, as the kernel's OOM killer or an operator's {@code kill -9}
	 * would: nothing of it gets to clean up.
	 */
	void kill(Duration timeout) {
		this.process.destroyForcibly();
		awaitExit(timeout);
	}

	Properties runtime() {
		Properties properties = new Properties();
		try {
			properties.load(new StringReader(
					Files.readString(this.dataDirectory.resolve(Launcher.RUNTIME_FILE), StandardCharsets.UTF_8)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return properties;
	}

	String output() {
		return read(this.stdout);
	}

	String errors() {
		return read(this.stderr);
	}

	@Override
	public void close() {
		if (this.process.isAlive()) {
			this.process.destroy();
			try {
				if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
					this.process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.process.destroyForcibly();
			}
		}
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String tail(String text) {
		List<String> lines = text.lines().toList();
		return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
