package org.sciport.standalone;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * {@code java -jar sciport-standalone.jar}: checks its environment, starts the embedded
 * PostgreSQL and Kafka (unless external ones are named), the five services and the gateway,
 * waits until the gateway reports every service healthy and prints one ready line. SIGTERM or
 * Ctrl-C stops everything in reverse order.
 */
public final class Launcher {

	/** Written to the data directory while the suite runs: where its parts listen. */
	static final String RUNTIME_FILE = "sciport-runtime.properties";

	/** Where the key that seals auth-service's signing keys is kept when none is given. */
	static final String KEY_ENCRYPTION_KEY_FILE = "auth-key-encryption-key";

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

	private Launcher() {
	}

	public static void main(String[] args) {
		long started = System.nanoTime();
		StandaloneSettings settings;
		try {
			settings = StandaloneSettings.from(System.getenv());
			configureLogging();
			// Nothing is written before these pass: a refused start leaves no half-made data.
			Preflight.checkPortFree(settings.httpPort());
			if (settings.postgresUrl() != null) {
				Preflight.checkPostgres(settings.postgresUrl(), settings.postgresUsername(), settings.postgresPassword());
			}
			if (settings.kafkaBootstrap() != null) {
				Preflight.checkKafka(settings.kafkaBootstrap());
			}
		}
		catch (StartupException ex) {
			fail(ex.getMessage());
			return;
		}
		@Nullable FileLock lock = null;
		Suite suite = new Suite(settings);
		AtomicBoolean stopped = new AtomicBoolean();
		Thread stopper = new Thread(() -> stop(suite, settings, stopped), "sciport-stop");
		try {
			lock = Preflight.claimDataDirectory(settings.dataDirectory());
			Runtime.getRuntime().addShutdownHook(stopper);
			AdminPassword admin = (settings.adminPassword() != null)
					? new AdminPassword(settings.adminPassword(), false, settings.dataDirectory())
					: AdminPassword.resolve(settings.dataDirectory());
			String keyEncryptionKey = System.getenv().getOrDefault("SCIPORT_AUTH_KEY_ENCRYPTION_KEY", "").isBlank()
					? StoredSecret.resolve(settings.dataDirectory(), KEY_ENCRYPTION_KEY_FILE, 32, java.util.Base64.getEncoder())
						.value()
					: System.getenv("SCIPORT_AUTH_KEY_ENCRYPTION_KEY").trim();
			suite.startInfrastructure();
			suite.startApplications(admin, keyEncryptionKey);
			String gatewayUrl = "http://localhost:" + settings.httpPort();
			awaitHealthy(gatewayUrl);
			writeRuntimeFile(settings, suite, gatewayUrl);
			if (admin.generated()) {
				System.out.println("Sciport administrator " + settings.adminEmail() + " has the generated password "
						+ admin.value() + " (shown this once; kept in " + admin.file() + ")");
			}
			double seconds = (System.nanoTime() - started) / 1e9;
			System.out.println(String.format(Locale.ROOT, "Sciport is ready at %s (started in %.1f s; data in %s)",
					gatewayUrl, seconds, settings.dataDirectory()));
			System.out.flush();
		}
		catch (StartupException ex) {
			removeShutdownHook(stopper);
			stop(suite, settings, stopped);
			release(lock);
			fail(ex.getMessage());
		}
		catch (RuntimeException ex) {
			removeShutdownHook(stopper);
			stop(suite, settings, stopped);
			release(lock);
			fail("Start-up failed: " + Suite.rootMessage(ex));
		}
	}

	private static void stop(Suite suite, StandaloneSettings settings, AtomicBoolean stopped) {
		if (stopped.compareAndSet(false, true)) {
			suite.close();
			try {
				Files.deleteIfExists(settings.dataDirectory().resolve(RUNTIME_FILE));
			}
			catch (IOException ex) {
				// a stale file is harmless: it is rewritten by the next start
			}
			System.out.println("Sciport stopped");
			System.out.flush();
		}
	}

	private static void awaitHealthy(String gatewayUrl) {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create(gatewayUrl + "/health"))
			.timeout(Duration.ofSeconds(10))
			.build();
		long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
		String last = "no answer";
		while (System.nanoTime() < deadline) {
			try {
				HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 200) {
					return;
				}
				last = response.statusCode() + " " + response.body();
			}
			catch (IOException ex) {
				last = Preflight.describe(ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new StartupException("Interrupted while waiting for the suite to become healthy");
			}
			sleep(Duration.ofMillis(250));
		}
		throw new StartupException("The suite did not become healthy within " + READY_TIMEOUT.toSeconds()
				+ " s; last health answer: " + last);
	}

	private static void writeRuntimeFile(StandaloneSettings settings, Suite suite, String gatewayUrl) {
		StringBuilder content = new StringBuilder("# Where the running Sciport listens; removed when it stops.\n");
		content.append("gateway.url=").append(gatewayUrl).append('\n');
		content.append("gateway.management.url=").append(suite.managementUrl()).append('\n');
		content.append("kafka.bootstrap-servers=").append(suite.kafkaBootstrap()).append('\n');
		content.append("postgres.url=").append(StandaloneSettings.redact(suite.postgresAdminUrl())).append('\n');
		for (Map.Entry<String, String> service : suite.serviceUrls().entrySet()) {
			content.append("service.").append(service.getKey()).append(".url=").append(service.getValue()).append('\n');
		}
		Path file = settings.dataDirectory().resolve(RUNTIME_FILE);
		try {
			Files.writeString(file, content, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new StartupException("Cannot write " + file + ": " + Preflight.describe(ex));
		}
	}

	/**
	 * Configures logging once for the whole JVM (structured JSON on the console) and tells the
	 * applications to leave it alone: six applications re-initialising one Logback side by
	 * side would race. The console carries warnings and Sciport's own messages; the libraries'
	 * start-up chatter is left out unless {@code SCIPORT_LOG_LEVEL} asks for it.
	 */
	private static void configureLogging() {
		String level = System.getenv().getOrDefault("SCIPORT_LOG_LEVEL", "").trim().toUpperCase(Locale.ROOT);
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addLast(new MapPropertySource("sciportLogging", Map.of("logging.structured.format.console", "ecs",
					"logging.structured.ecs.service.name", "sciport")));
		LoggingSystem logging = LoggingSystem.get(Launcher.class.getClassLoader());
		logging.beforeInitialize();
		logging.initialize(new LoggingInitializationContext(environment), null, null);
		LogLevel root = LogLevel.WARN;
		if (!level.isEmpty()) {
			try {
				root = LogLevel.valueOf(level);
			}
			catch (IllegalArgumentException ex) {
				throw new StartupException("SCIPORT_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, got "
						+ level);
			}
		}
		logging.setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, root);
		logging.setLogLevel("org.sciport", level.isEmpty() ? LogLevel.INFO : root);
		System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
	}

	private static void release(@Nullable FileLock lock) {
		if (lock != null) {
			try {
				lock.channel().close();
			}
			catch (IOException ex) {
				// released when the process exits
			}
		}
	}

	private static void removeShutdownHook(Thread hook) {
		try {
			Runtime.getRuntime().removeShutdownHook(hook);
		}
		catch (IllegalStateException | IllegalArgumentException ex) {
			// already shutting down, or never registered
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void fail(String message) {
		System.err.println("sciport: " + message);
		System.err.flush();
		System.exit(1);
	}

}
