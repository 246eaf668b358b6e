package org.sciport.workflow.launcher;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Starts the processes of shell tasks through the {@link ForkServer}, which it starts when the
 * first task needs it (and again if it died): a JVM of the same installation, run from a copy of
 * the server's class file, with a small heap and an empty environment. One thread reads what the
 * server sends and hands each process's lines and end to the {@link Launched} it belongs to; the
 * task's own thread takes them from there ({@link Launched#follow}), so a slow log write holds
 * up that task alone.
 */
@Component
public class TaskLauncher implements DisposableBean {

	private static final Log logger = LogFactory.getLog(TaskLauncher.class);

	/** How long a stopped process is given to report its end before it is given up on. */
	private static final Duration STOPPING = Duration.ofSeconds(10);

	/**
	 * The JDK release that deprecated its VFORK launch mechanism (JDK-8357179; it is to be
	 * removed): from there on the server starts processes the JDK's default way.
	 */
	static final int VFORK_DEPRECATED = 25;

	private final AtomicLong ids = new AtomicLong();

	private @Nullable Server server;

	private boolean closed;

	/**
	 * Starts {@code command} in {@code directory} with exactly {@code environment}.
	 * @throws IOException when the fork server cannot be started
	 */
	public Launched launch(List<String> command, Path directory, Map<String, String> environment) throws IOException {
		Server server = server();
		Launched launched = new Launched(this.ids.incrementAndGet(), server);
		server.launched.put(launched.id, launched);
		try {
			synchronized (server.requests) {
				DataOutputStream out = server.requests;
				out.writeByte(ForkServer.START);
				out.writeLong(launched.id);
				ForkServer.writeString(out, directory.toString());
				out.writeInt(command.size());
				for (String part : command) {
					ForkServer.writeString(out, part);
				}
				out.writeInt(environment.size());
				for (Map.Entry<String, String> variable : environment.entrySet()) {
					ForkServer.writeString(out, variable.getKey());
					ForkServer.writeString(out, variable.getValue());
				}
				out.flush();
			}
		}
		catch (IOException ex) {
			server.launched.remove(launched.id);
			server.lost();
			throw ex;
		}
		return launched;
	}

	private synchronized Server server() throws IOException {
		if (this.closed) {
			throw new IOException("the service is stopping");
		}
		if (this.server == null || !this.server.process.isAlive()) {
			Path home = Files.createTempDirectory("sciport-fork-server-");
			try {
				this.server = new Server(start(home));
			}
			finally {
				// Its class is loaded once it greets (or it failed): the copy is no longer needed.
				delete(home);
			}
		}
		return this.server;
	}

	/** Starts a fork server from a copy of its class file in {@code home}. */
	private static Process start(Path home) throws IOException {
		Path file = home.resolve(ForkServer.class.getName().replace('.', '/') + ".class");
		Files.createDirectories(file.getParent());
		try (InputStream code = ForkServer.class.getResourceAsStream(ForkServer.class.getSimpleName() + ".class")) {
			if (code == null) {
				throw new IOException("the fork server's class file is missing");
			}
			Files.copy(code, file);
		}
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx32m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=16m",
				"-XX:-UsePerfData", "-XX:+DisplayVMOutputToStderr"));
		if (Runtime.version().feature() < VFORK_DEPRECATED) {
			// vfork and exec the command, instead of posix_spawn of the JDK's helper that then
			// execs it: one exec less per task (1,000 no-op tasks in 1.3-1.5 s instead of 2.5 s
			// here, docs/benchmarks.md). Safe in this JVM, which does nothing else.
			command.add("-Djdk.lang.Process.launchMechanism=VFORK");
		}
		command.addAll(List.of("-cp", home.toString(), ForkServer.class.getName()));
		ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
			.redirectError(ProcessBuilder.Redirect.INHERIT);
		// Nothing of the service's environment (its secrets, JAVA_TOOL_OPTIONS) reaches the server.
		String path = System.getenv("PATH");
		builder.environment().clear();
		builder.environment().put("PATH", (path != null) ? path : "/usr/bin:/bin");
		builder.environment().put("LANG", "C.UTF-8");
		return builder.start();
	}

	private static void delete(Path home) {
		try (var files = Files.walk(home)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// A temporary directory: the system cleans it eventually.
		}
	}

	/** The running fork server, if there is one. */
	synchronized java.util.Optional<ProcessHandle> serverProcess() {
		return java.util.Optional.ofNullable(this.server).map((server) -> server.process.toHandle());
	}

	@Override
	public void destroy() {
		Server server;
		synchronized (this) {
			this.closed = true;
			server = this.server;
			this.server = null;
		}
		if (server != null) {
			server.close();
		}
	}

	/** One running fork server: its requests, and the processes it was asked to start. */
	private final class Server {

		final Process process;

		final DataOutputStream requests;

		final Map<Long, Launched> launched = new ConcurrentHashMap<>();

		Server(Process process) throws IOException {
			this.process = process;
			this.requests = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
			DataInputStream answers = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
			try {
				if (answers.readByte() != ForkServer.READY || answers.readInt() != ForkServer.VERSION) {
					throw new IOException("the fork server answered something else than its greeting");
				}
			}
			catch (IOException ex) {
				process.destroyForcibly();
				throw new IOException("the fork server did not start: " + ex.getMessage(), ex);
			}
			Thread reader = new Thread(() -> read(answers), "fork-server-answers");
			reader.setDaemon(true);
			reader.start();
		}

		private void read(DataInputStream answers) {
			try {
				while (true) {
					byte kind = answers.readByte();
					long id = answers.readLong();
					Object event = switch (kind) {
						case ForkServer.OUT -> new Line("INFO", ForkServer.readString(answers));
						case ForkServer.ERR -> new Line("ERROR", ForkServer.readString(answers));
						case ForkServer.FAILED -> new NotStarted(ForkServer.readString(answers));
						case ForkServer.EXITED -> new Exited(answers.readInt());
						default -> throw new IOException("the fork server sent an unknown answer " + kind);
					};
					Launched launched = (event instanceof Line) ? this.launched.get(id) : this.launched.remove(id);
					if (launched != null) {
						launched.events.add(event);
					}
				}
			}
			catch (IOException ex) {
				if (this.process.isAlive() || this.process.exitValue() != 0) {
					logger.warn("The fork server stopped: " + ex.getMessage());
				}
			}
			finally {
				lost();
			}
		}

		/** The server is gone: every process it held is reported lost, and the next launch starts another. */
		void lost() {
			this.process.destroyForcibly();
			synchronized (TaskLauncher.this) {
				if (TaskLauncher.this.server == this) {
					TaskLauncher.this.server = null;
				}
			}
			for (Long id : new ArrayList<>(this.launched.keySet())) {
				Launched launched = this.launched.remove(id);
				if (launched != null) {
					launched.events.add(Lost.INSTANCE);
				}
			}
		}

		void kill(long id) {
			try {
				synchronized (this.requests) {
					this.requests.writeByte(ForkServer.KILL);
					this.requests.writeLong(id);
					this.requests.flush();
				}
			}
			catch (IOException ex) {
				lost();
			}
		}

		/** Closing its input stops the server and every process it started. */
		void close() {
			try {
				synchronized (this.requests) {
					this.requests.close();
				}
				if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
					this.process.destroyForcibly();
				}
			}
			catch (IOException ex) {
				this.process.destroyForcibly();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.process.destroyForcibly();
			}
		}

	}

	private record Line(String level, String text) {
	}

	private record NotStarted(String reason) {
	}

	private record Exited(int code) {
	}

	private enum Lost {

		INSTANCE

	}

	/**
	 * How a process ended, as {@link Launched#follow} saw it.
	 *
	 * @param exitCode its exit code, {@code null} when it did not end by itself (it was not
	 * started, ran out of time, or the fork server or this thread stopped)
	 * @param kind what happened
	 * @param reason why it was not started, for {@link Kind#NOT_STARTED}
	 */
	public record Ending(@Nullable Integer exitCode, Kind kind, @Nullable String reason) {

		/** How a process's life ended. */
		public enum Kind {

			/** It exited, with {@code exitCode}. */
			EXITED,
			/** It could not be started. */
			NOT_STARTED,
			/** It ran past its time and was stopped. */
			TIMED_OUT,
			/** The fork server stopped while it ran. */
			LOST,
			/** The thread following it was interrupted; it was stopped. */
			INTERRUPTED

		}

	}

	/** A process asked for: its lines and its end arrive as events, taken by {@link #follow}. */
	public static final class Launched {

		private final long id;

		private final Server server;

		final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

		private volatile boolean ended;

		Launched(long id, Server server) {
			this.id = id;
			this.server = server;
		}

		/** Kills the process and everything it started, unless it ended already. */
		public void stop() {
			if (!this.ended) {
				this.server.kill(this.id);
			}
		}

		/**
		 * Hands each line the process writes to {@code lines} (its level, {@code INFO} for
		 * standard output and {@code ERROR} for standard error, and the line) until it ends;
		 * stops it after {@code timeout}.
		 */
		public Ending follow(Duration timeout, BiConsumer<String, String> lines) {
			long deadline = System.nanoTime() + timeout.toNanos();
			boolean timedOut = false;
			boolean interrupted = false;
			try {
				while (true) {
					Object event;
					try {
						event = this.events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
					}
					catch (InterruptedException ex) {
						interrupted = true;
						stop();
						deadline = System.nanoTime() + STOPPING.toNanos();
						continue;
					}
					if (event instanceof Line line) {
						lines.accept(line.level(), line.text());
					}
					else if (event instanceof Exited exited) {
						return interrupted ? new Ending(null, Ending.Kind.INTERRUPTED, null)
								: timedOut ? new Ending(null, Ending.Kind.TIMED_OUT, null)
										: new Ending(exited.code(), Ending.Kind.EXITED, null);
					}
					else if (event instanceof NotStarted failed) {
						return new Ending(null, Ending.Kind.NOT_STARTED, failed.reason());
					}
					else if (event == Lost.INSTANCE) {
						return new Ending(null, interrupted ? Ending.Kind.INTERRUPTED : Ending.Kind.LOST, null);
					}
					else if (!timedOut && !interrupted) {
						timedOut = true;
						stop();
						deadline = System.nanoTime() + STOPPING.toNanos();
					}
					else {
						// Stopped, and still no word of its end: given up on.
						this.server.launched.remove(this.id);
						return new Ending(null, interrupted ? Ending.Kind.INTERRUPTED : Ending.Kind.TIMED_OUT, null);
					}
				}
			}
			finally {
				this.ended = true;
				if (interrupted) {
					Thread.currentThread().interrupt();
				}
			}
		}

	}

}
