package org.sciport.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A real Redis server for a test: the one named by {@code SCIPORT_TEST_REDIS_URL}, or a
 * {@code redis-server} from the PATH (Debian's package; {@code .ci/run} installs it) started
 * on a free loopback port without persistence, stopped on close.
 */
public final class RedisServer implements AutoCloseable {

	private final String url;

	private final @Nullable Process process;

	private RedisServer(String url, @Nullable Process process) {
		this.url = url;
		this.process = process;
	}

	public static RedisServer start() {
		String external = System.getenv("SCIPORT_TEST_REDIS_URL");
		if (external != null && !external.isBlank()) {
			return new RedisServer(external, null);
		}
		String binary = findOnPath("redis-server");
		if (binary == null) {
			throw new IllegalStateException("This test needs a real Redis: install Debian's redis-server "
					+ "(apt-get install redis-server, as .ci/run does) or set SCIPORT_TEST_REDIS_URL");
		}
		int port = freePort();
		try {
			Path log = Files.createTempFile("redis-", ".log");
			Process process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
					"--save", "", "--appendonly", "no", "--daemonize", "no")
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			awaitPing(port, process, Duration.ofSeconds(10));
			return new RedisServer("redis://127.0.0.1:" + port, process);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start redis-server", ex);
		}
	}

	public String url() {
		return this.url;
	}

	@Override
	public void close() {
		if (this.process != null) {
			this.process.destroy();
			try {
				this.process.waitFor();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private static void awaitPing(int port, Process process, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("redis-server exited with " + process.exitValue());
			}
			try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
				OutputStream out = socket.getOutputStream();
				out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
				InputStream in = socket.getInputStream();
				byte[] reply = new byte[7];
				if (in.read(reply) > 0 && new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG")) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
		throw new IllegalStateException("redis-server did not answer within " + timeout);
	}

	private static @Nullable String findOnPath(String name) {
		String path = System.getenv("PATH");
		for (String directory : (path != null) ? path.split(File.pathSeparator) : new String[0]) {
			File candidate = new File(directory, name);
			if (candidate.canExecute()) {
				return candidate.getAbsolutePath();
			}
		}
		for (String directory : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
			File candidate = new File(directory, name);
			if (candidate.canExecute()) {
				return candidate.getAbsolutePath();
			}
		}
		return null;
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
