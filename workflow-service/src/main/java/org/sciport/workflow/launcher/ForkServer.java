package org.sciport.workflow.launcher;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The fork server: a small JVM of its own that starts the processes of shell tasks for
 * workflow-service ({@link TaskLauncher}) and sends back their output, line by line, and their
 * exit codes, over its standard input and output.
 * <p>
 * Why a process of its own: the JDK's spawn helper closes every descriptor the parent holds
 * before it runs the command, so starting a process costs time in proportion to the parent's
 * open files. The service (and more so the standalone suite, with its hundreds of jars, sockets
 * and event loops) holds hundreds; this JVM holds a handful, and the environment it was started
 * with is empty, so nothing of the service's (its secrets included) can reach a task.
 * <p>
 * It uses the JDK only and no class but this one: it runs from a copy of this class file.
 * Requests and answers are frames of {@link DataOutputStream} primitives; strings are a length
 * and UTF-8 bytes. When its standard input ends (the service stopped), it stops every process
 * it started and exits.
 */
public final class ForkServer {

	/** The first frame it sends: this byte and {@link #VERSION}. */
	static final byte READY = 'R';

	static final int VERSION = 1;

	/** Request: id, directory, command (count, strings), environment (count, names and values). */
	static final byte START = 'S';

	/** Request: id; the process and everything it started are killed. */
	static final byte KILL = 'K';

	/** Answer: id, why the process could not be started. */
	static final byte FAILED = 'F';

	/** Answer: id, a line of standard output. */
	static final byte OUT = 'O';

	/** Answer: id, a line of standard error. */
	static final byte ERR = 'E';

	/** Answer: id, the exit code; the last frame for the id. */
	static final byte EXITED = 'X';

	/** A longer line is sent in parts of this many characters. */
	static final int LONGEST_LINE = 16 * 1024;

	/** How long a process's output is waited for after it ended (something it left running may hold it). */
	private static final long DRAIN_SECONDS = 10;

	private final DataOutputStream answers;

	private final Map<Long, Process> running = new ConcurrentHashMap<>();

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "fork-server");
		thread.setDaemon(true);
		return thread;
	});

	private ForkServer(DataOutputStream answers) {
		this.answers = answers;
	}

	public static void main(String[] args) throws IOException {
		ForkServer server = new ForkServer(
				new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16)));
		server.serve(new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16)));
		System.exit(0);
	}

	private void serve(DataInputStream requests) {
		try {
			synchronized (this.answers) {
				this.answers.writeByte(READY);
				this.answers.writeInt(VERSION);
				this.answers.flush();
			}
			while (true) {
				byte kind = requests.readByte();
				long id = requests.readLong();
				if (kind == START) {
					String directory = readString(requests);
					List<String> command = new ArrayList<>();
					for (int i = requests.readInt(); i > 0; i--) {
						command.add(readString(requests));
					}
					Map<String, String> environment = new LinkedHashMap<>();
					for (int i = requests.readInt(); i > 0; i--) {
						environment.put(readString(requests), readString(requests));
					}
					start(id, directory, command, environment);
				}
				else if (kind == KILL) {
					Process process = this.running.get(id);
					if (process != null) {
						kill(process);
					}
				}
				else {
					throw new IOException("unknown request " + kind);
				}
			}
		}
		catch (EOFException ex) {
			// The service closed its end: it stopped.
		}
		catch (IOException ex) {
			System.err.println("sciport fork server: " + ex.getMessage());
		}
		finally {
			this.running.values().forEach(ForkServer::kill);
		}
	}

	private void start(long id, String directory, List<String> command, Map<String, String> environment) {
		ProcessBuilder builder = new ProcessBuilder(command).directory(new File(directory));
		builder.environment().clear();
		builder.environment().putAll(environment);
		Process process;
		try {
			process = builder.start();
			process.getOutputStream().close();
		}
		catch (IOException | RuntimeException ex) {
			send(FAILED, id, String.valueOf(ex.getMessage()));
			return;
		}
		this.running.put(id, process);
		CompletableFuture<Void> out = CompletableFuture.runAsync(() -> pump(id, OUT, process.getInputStream()), this.threads);
		CompletableFuture<Void> err = CompletableFuture.runAsync(() -> pump(id, ERR, process.getErrorStream()), this.threads);
		process.onExit().thenRunAsync(() -> {
			try {
				CompletableFuture.allOf(out, err).get(DRAIN_SECONDS, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				// What it left running still writes: its end is reported without the rest.
			}
			this.running.remove(id);
			synchronized (this.answers) {
				try {
					this.answers.writeByte(EXITED);
					this.answers.writeLong(id);
					this.answers.writeInt(process.exitValue());
					this.answers.flush();
				}
				catch (IOException ex) {
					// The service is gone.
				}
			}
		}, this.threads);
	}

	/** Sends each line of {@code stream}, a line longer than {@link #LONGEST_LINE} in parts. */
	private void pump(long id, byte kind, InputStream stream) {
		try (Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
			char[] buffer = new char[8192];
			StringBuilder line = new StringBuilder();
			int read;
			while ((read = reader.read(buffer)) >= 0) {
				for (int i = 0; i < read; i++) {
					char c = buffer[i];
					if (c == '\n') {
						int end = line.length();
						send(kind, id, line.substring(0, (end > 0 && line.charAt(end - 1) == '\r') ? end - 1 : end));
						line.setLength(0);
					}
					else {
						line.append(c);
						if (line.length() >= LONGEST_LINE) {
							send(kind, id, line.toString());
							line.setLength(0);
						}
					}
				}
			}
			if (line.length() > 0) {
				send(kind, id, line.toString());
			}
		}
		catch (IOException ex) {
			// The process ended, and its stream with it.
		}
	}

	private void send(byte kind, long id, String text) {
		synchronized (this.answers) {
			try {
				this.answers.writeByte(kind);
				this.answers.writeLong(id);
				writeString(this.answers, text);
				this.answers.flush();
			}
			catch (IOException ex) {
				// The service is gone.
			}
		}
	}

	private static void kill(Process process) {
		process.descendants().forEach(ProcessHandle::destroyForcibly);
		process.destroyForcibly();
	}

	static String readString(DataInputStream in) throws IOException {
		byte[] bytes = new byte[in.readInt()];
		in.readFully(bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

	static void writeString(DataOutputStream out, String text) throws IOException {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		out.writeInt(bytes.length);
		out.write(bytes);
	}

}
