package org.sciport.harvest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Samba ({@code smbd}) serving one read-only share on a loopback port, with every
 * directory it writes in a private temporary tree: a real SMB server for the harvester to read,
 * as an instrument PC's shared folder would be. {@code .ci/run} installs the {@code samba}
 * package.
 */
final class SambaServer implements AutoCloseable {

	static final String SHARE = "instrument";

	private final Process process;

	private final int port;

	private final String user;

	private SambaServer(Process process, int port, String user) {
		this.process = process;
		this.port = port;
		this.user = user;
	}

	/**
	 * Starts {@code smbd} serving {@code folder} as the share {@value #SHARE} to the current
	 * system user, whose Samba password is {@code password}.
	 */
	static SambaServer start(Path root, Path folder, String password) throws IOException, InterruptedException {
		Path smbd = executable("smbd");
		Path smbpasswd = executable("smbpasswd");
		String user = System.getProperty("user.name");
		int port = freePort();
		Path conf = root.resolve("smb.conf");
		for (String dir : List.of("private", "lock", "state", "cache", "pid", "ncalrpc", "log")) {
			Files.createDirectories(root.resolve(dir));
		}
		Files.writeString(conf, String.join("\n", "[global]", "server role = standalone server", "smb ports = " + port,
				"interfaces = lo", "bind interfaces only = yes", "private dir = " + root.resolve("private"),
				"lock directory = " + root.resolve("lock"), "state directory = " + root.resolve("state"),
				"cache directory = " + root.resolve("cache"), "pid directory = " + root.resolve("pid"),
				"ncalrpc dir = " + root.resolve("ncalrpc"), "log file = " + root.resolve("log/smbd.log"),
				"passdb backend = tdbsam:" + root.resolve("private/passdb.tdb"), "map to guest = never",
				"load printers = no", "printing = bsd", "printcap name = /dev/null", "disable spoolss = yes", "",
				"[" + SHARE + "]", "path = " + folder, "read only = yes", "valid users = " + user, ""));
		Process add = new ProcessBuilder(smbpasswd.toString(), "-c", conf.toString(), "-s", "-a", user)
			.redirectErrorStream(true)
			.start();
		add.getOutputStream().write((password + "\n" + password + "\n").getBytes(StandardCharsets.UTF_8));
		add.getOutputStream().close();
		String said = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!add.waitFor(30, TimeUnit.SECONDS) || add.exitValue() != 0) {
			throw new IllegalStateException("smbpasswd could not add " + user + ": " + said);
		}
		// smbd leads a process group of its own (no --no-process-group): stopping, it signals that
		// group, which must not be the build's.
		Process process = new ProcessBuilder(smbd.toString(), "-F", "--configfile=" + conf)
			.redirectErrorStream(true)
			.redirectOutput(root.resolve("log/smbd.out").toFile())
			.start();
		SambaServer server = new SambaServer(process, port, user);
		Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
		while (!listening(port)) {
			if (!process.isAlive() || Instant.now().isAfter(deadline)) {
				server.close();
				throw new IllegalStateException(
						"smbd did not start: " + Files.readString(root.resolve("log/smbd.out"), StandardCharsets.UTF_8));
			}
			Thread.sleep(100);
		}
		return server;
	}

	int port() {
		return this.port;
	}

	String user() {
		return this.user;
	}

	@Override
	public void close() {
		// smbd forks a child per connection: stop them with it.
		this.process.descendants().forEach(ProcessHandle::destroy);
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.descendants().forEach(ProcessHandle::destroyForcibly);
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static Path executable(String name) {
		for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
			Path candidate = Path.of(dir, name);
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		throw new IllegalStateException(name + " is not installed: install Debian's samba package (.ci/run does)");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static boolean listening(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
