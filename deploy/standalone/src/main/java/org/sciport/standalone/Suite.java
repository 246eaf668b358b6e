package org.sciport.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.sciport.auth.AuthServiceApplication;
import org.sciport.dataset.DatasetServiceApplication;
import org.sciport.embedded.EmbeddedKafkaBroker;
import org.sciport.embedded.EmbeddedPostgresServer;
import org.sciport.embedded.PostgresDatabases;
import org.sciport.gateway.GatewayApplication;
import org.sciport.harvest.HarvestServiceApplication;
import org.sciport.upload.UploadServiceApplication;
import org.sciport.workflow.WorkflowServiceApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The running suite: the infrastructure, the five services and the gateway. Started in
 * dependency order, closed in reverse.
 */
final class Suite implements AutoCloseable {

	/** A service of the suite: its key in the gateway's routing, its database and its application. */
	record Service(String key, String database, Supplier<SpringApplicationBuilder> application) {
	}

	static final List<Service> SERVICES = List.of(
			new Service("auth", "sciport_auth", AuthServiceApplication::builder),
			new Service("upload", "sciport_upload", UploadServiceApplication::builder),
			new Service("dataset", "sciport_dataset", DatasetServiceApplication::builder),
			new Service("harvest", "sciport_harvest", HarvestServiceApplication::builder),
			new Service("workflow", "sciport_workflow", WorkflowServiceApplication::builder));

	/** Marks an embedded PostgreSQL cluster whose first initialisation completed. */
	private static final String INITIALISED = ".sciport-initialised";

	private final StandaloneSettings settings;

	private @Nullable EmbeddedPostgresServer postgres;

	private @Nullable EmbeddedKafkaBroker kafka;

	private final List<ConfigurableApplicationContext> services = Collections.synchronizedList(new ArrayList<>());

	private @Nullable ConfigurableApplicationContext gateway;

	private String postgresAdminUrl = "";

	private String kafkaBootstrap = "";

	private String jwksUri = "";

	/**
	 * Signs the client address the gateway passes on; new each start, since only the gateway and
	 * the services of this one process share it.
	 */
	private final String clientAddressKey = newKey();

	/**
	 * The services' own credential (an API token of the bootstrap administrator, registered by
	 * auth-service), new each start like the key above.
	 */
	private final String serviceToken = org.sciport.commons.security.ApiTokenExchanger.PREFIX
			+ newKey().replace('+', '-').replace('/', '_').replace("=", "");

	private final Map<String, String> serviceUrls = new LinkedHashMap<>();

	Suite(StandaloneSettings settings) {
		this.settings = settings;
	}

	String kafkaBootstrap() {
		return this.kafkaBootstrap;
	}

	/**
	 * Where the gateway's management endpoints (metrics, detailed health) answer.
	 */
	String managementUrl() {
		ConfigurableApplicationContext running = this.gateway;
		if (running == null) {
			return "";
		}
		String address = running.getEnvironment().getProperty("management.server.address", "127.0.0.1");
		String port = running.getEnvironment().getProperty("local.management.port", "");
		return "http://" + (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
	}

	String postgresAdminUrl() {
		return this.postgresAdminUrl;
	}

	Map<String, String> serviceUrls() {
		return this.serviceUrls;
	}

	void startInfrastructure() {
		Path data = this.settings.dataDirectory();
		// PostgreSQL (a process of its own: initdb, then the server) and Kafka (in this JVM) start
		// side by side: neither needs the other.
		CompletableFuture<Void> kafkaStarted = CompletableFuture.completedFuture(null);
		if (this.settings.kafkaBootstrap() != null) {
			this.kafkaBootstrap = this.settings.kafkaBootstrap();
		}
		else {
			kafkaStarted = CompletableFuture.runAsync(() -> {
				this.kafka = EmbeddedKafkaBroker.start(data.resolve("kafka"));
				this.kafkaBootstrap = this.kafka.bootstrapServers();
			}, (task) -> {
				Thread thread = new Thread(task, "sciport-start-kafka");
				thread.setDaemon(true);
				thread.start();
			});
		}
		try {
			if (this.settings.postgresUrl() != null) {
				this.postgresAdminUrl = this.settings.postgresUrl();
			}
			else {
				this.postgres = startEmbeddedPostgres(data.resolve("postgres"));
				this.postgresAdminUrl = this.postgres.jdbcUrl("postgres");
			}
		}
		finally {
			awaitKafka(kafkaStarted);
		}
		for (Service service : SERVICES) {
			try {
				PostgresDatabases.createIfMissing(this.postgresAdminUrl, postgresUsername(), postgresPassword(),
						service.database());
			}
			catch (SQLException ex) {
				throw new StartupException("Cannot create the database " + service.database() + ": " + ex.getMessage());
			}
		}
	}

	/** Waits for the embedded broker; its failure is the start's failure. */
	private static void awaitKafka(CompletableFuture<Void> started) {
		try {
			started.join();
		}
		catch (CompletionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw (cause instanceof RuntimeException runtime) ? runtime : new StartupException(rootMessage(cause));
		}
	}

	/**
	 * Starts the services and the gateway in front of them side by side, each service on a free
	 * loopback port chosen beforehand, so that each knows where the others are before any listens.
	 */
	void startApplications(AdminPassword adminPassword, String keyEncryptionKey) {
		// auth-service's and dataset-service's ports are chosen first: every other service fetches
		// the public keys from auth-service, and upload-service asks dataset-service where uploads may go.
		// harvest-service's and upload-service's too: workflow-service fetches a run's input files from them.
		int authPort = freeLoopbackPort();
		int datasetPort = freeLoopbackPort();
		int harvestPort = freeLoopbackPort();
		int uploadPort = freeLoopbackPort();
		int workflowPort = freeLoopbackPort();
		Ports ports = new Ports(authPort, datasetPort, harvestPort, uploadPort, workflowPort);
		this.jwksUri = "http://127.0.0.1:" + authPort + "/.well-known/jwks.json";
		for (Service service : SERVICES) {
			this.serviceUrls.put(service.key(), "http://127.0.0.1:" + ports.of(service.key()));
		}
		ExecutorService starter = Executors.newFixedThreadPool(SERVICES.size() + 1, (task) -> {
			Thread thread = new Thread(task, "sciport-start");
			thread.setDaemon(true);
			return thread;
		});
		try {
			List<CompletableFuture<Void>> starts = new ArrayList<>();
			for (Service service : SERVICES) {
				starts.add(CompletableFuture.runAsync(
						() -> startService(service, adminPassword, keyEncryptionKey, ports), starter));
			}
			starts.add(CompletableFuture.runAsync(this::startGateway, starter));
			CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
		}
		catch (CompletionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw (cause instanceof StartupException startup) ? startup
					: new StartupException("A service did not start: " + rootMessage(cause));
		}
		finally {
			starter.shutdown();
		}
	}

	private void startGateway() {
		List<String> arguments = new ArrayList<>(common());
		arguments.add("--server.port=" + this.settings.httpPort());
		String managementPort = System.getenv("SCIPORT_MANAGEMENT_PORT");
		String managementAddress = System.getenv("SCIPORT_MANAGEMENT_ADDRESS");
		arguments.add("--management.server.port=" + ((managementPort != null && !managementPort.isBlank())
				? managementPort.trim() : Integer.toString(freeLoopbackPort())));
		arguments.add("--management.server.address=" + ((managementAddress != null && !managementAddress.isBlank())
				? managementAddress.trim() : "127.0.0.1"));
		arguments.add("--spring.kafka.bootstrap-servers=" + this.kafkaBootstrap);
		if (this.settings.redisUrl() != null) {
			arguments.add("--sciport.gateway.rate-limit.store=redis");
			arguments.add("--sciport.gateway.rate-limit.redis-url=" + this.settings.redisUrl());
		}
		this.serviceUrls.forEach((key, url) -> arguments.add("--sciport.gateway.services." + key + "=" + url));
		try {
			this.gateway = GatewayApplication.builder().registerShutdownHook(false).run(arguments.toArray(String[]::new));
		}
		catch (RuntimeException ex) {
			throw new StartupException("The gateway did not start: " + rootMessage(ex));
		}
	}

	/** The ports chosen before the services start, for the services that call each other. */
	private record Ports(int auth, int dataset, int harvest, int upload, int workflow) {

		int of(String service) {
			return switch (service) {
				case "auth" -> this.auth;
				case "dataset" -> this.dataset;
				case "harvest" -> this.harvest;
				case "upload" -> this.upload;
				default -> this.workflow;
			};
		}

	}

	private void startService(Service service, AdminPassword adminPassword, String keyEncryptionKey, Ports ports) {
		List<String> arguments = new ArrayList<>(common());
		int authPort = ports.auth();
		int datasetPort = ports.dataset();
		arguments.add("--server.port=" + ports.of(service.key()));
		arguments.add("--server.address=127.0.0.1");
		arguments.add("--sciport.database.url=" + PostgresDatabases.withDatabase(this.postgresAdminUrl, service.database()));
		arguments.add("--sciport.database.username=" + postgresUsername());
		arguments.add("--sciport.database.password=" + postgresPassword());
		arguments.add("--spring.kafka.bootstrap-servers=" + this.kafkaBootstrap);
		if (service.key().equals("auth")) {
			arguments.add("--sciport.auth.admin.email=" + this.settings.adminEmail());
			arguments.add("--sciport.auth.admin.password=" + adminPassword.value());
			arguments.add("--sciport.auth.tokens.key-encryption-key=" + keyEncryptionKey);
			arguments.add("--sciport.auth.admin.service-token=" + this.serviceToken);
			// Providers send browsers back through the gateway.
			arguments.add("--sciport.auth.oidc.callback-base-url=http://localhost:" + this.settings.httpPort());
			String frontend = System.getenv("SCIPORT_AUTH_OIDC_FRONTEND_URL");
			arguments.add("--sciport.auth.oidc.frontend-url=" + ((frontend != null && !frontend.isBlank()) ? frontend.trim()
					: "http://localhost:" + this.settings.httpPort() + "/"));
		}
		if (service.key().equals("dataset")) {
			// Members and shares named by email are looked up in auth-service.
			arguments.add("--sciport.dataset.auth-service=http://127.0.0.1:" + authPort);
			// The key webhook signing secrets are sealed with, generated on the first start.
			arguments.add("--sciport.webhooks.secrets.key-file="
					+ this.settings.dataDirectory().resolve("dataset").resolve("webhook-secrets.key"));
		}
		if (service.key().equals("upload")) {
			Path blobs = this.settings.dataDirectory().resolve("blobs");
			arguments.add("--sciport.upload.storage-directory=" + blobs);
			arguments.add("--sciport.upload.spool-directory=" + blobs.resolve(".spool"));
			arguments.add("--sciport.upload.dataset-service=http://127.0.0.1:" + datasetPort);
			// An administrator's upload in another account's name looks the account up there.
			arguments.add("--sciport.upload.auth-service=http://127.0.0.1:" + authPort);
		}
		if (service.key().equals("harvest")) {
			Path harvest = this.settings.dataDirectory().resolve("harvest");
			arguments.add("--sciport.harvest.secrets.key-file=" + harvest.resolve("secrets.key"));
			// Instruments' directories and storage directories must lie under these (the suite's own
			// harvest directory unless SCIPORT_HARVEST_ALLOWED_ROOTS names others, comma-separated).
			String roots = System.getenv("SCIPORT_HARVEST_ALLOWED_ROOTS");
			arguments.add("--sciport.harvest.allowed-roots="
					+ ((roots != null && !roots.isBlank()) ? roots.trim() : harvest.toString()));
		}
		if (service.key().equals("workflow")) {
			// Each run's work directory, kept with the suite's data.
			arguments.add("--sciport.workflow.runs.work-directory="
					+ this.settings.dataDirectory().resolve("workflow").resolve("runs"));
			arguments.add("--sciport.workflow.storage-directory=" + this.settings.dataDirectory().resolve("workflow")
				.resolve("blobs"));
			arguments.add("--sciport.workflow.nextflow.projects-directory=" + this.settings.dataDirectory().resolve("workflow")
				.resolve("projects"));
			// The files a run is given come from the other services, read with the service credential.
			arguments.add("--sciport.workflow.inputs.harvest-service=http://127.0.0.1:" + ports.harvest());
			arguments.add("--sciport.workflow.inputs.dataset-service=http://127.0.0.1:" + datasetPort);
			arguments.add("--sciport.workflow.inputs.upload-service=http://127.0.0.1:" + ports.upload());
			arguments.add("--sciport.workflow.inputs.api-token=" + this.serviceToken);
		}
		ConfigurableApplicationContext context;
		try {
			context = service.application().get().registerShutdownHook(false).run(arguments.toArray(String[]::new));
		}
		catch (RuntimeException ex) {
			throw new StartupException(service.key() + "-service did not start: " + rootMessage(ex));
		}
		this.services.add(context);
	}

	private List<String> common() {
		return List.of("--spring.main.banner-mode=off", "--logging.structured.ecs.service.name=sciport",
				"--sciport.security.jwks-uri=" + this.jwksUri,
				"--sciport.security.client-address-key=" + this.clientAddressKey);
	}

	private static String newKey() {
		byte[] key = new byte[32];
		new java.security.SecureRandom().nextBytes(key);
		return java.util.Base64.getEncoder().encodeToString(key);
	}

	private static int freeLoopbackPort() {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new StartupException("No free loopback port: " + Preflight.describe(ex));
		}
	}

	private String postgresUsername() {
		return (this.postgres != null) ? EmbeddedPostgresServer.USERNAME : this.settings.postgresUsername();
	}

	private String postgresPassword() {
		return (this.postgres != null) ? "" : this.settings.postgresPassword();
	}

	/**
	 * Starts the embedded cluster. A directory left by a first start that never completed
	 * (no marker) holds no data yet and is initialised afresh instead of failing every start
	 * after it.
	 */
	private static EmbeddedPostgresServer startEmbeddedPostgres(Path directory) {
		Path marker = directory.resolve(INITIALISED);
		if (Files.isDirectory(directory) && !Files.exists(marker)) {
			deleteTree(directory);
		}
		EmbeddedPostgresServer server;
		try {
			server = EmbeddedPostgresServer.start(directory);
		}
		catch (RuntimeException ex) {
			throw new StartupException("Embedded PostgreSQL did not start in " + directory + ": " + rootMessage(ex));
		}
		try {
			if (!Files.exists(marker)) {
				Files.createFile(marker);
			}
		}
		catch (IOException ex) {
			server.close();
			throw new StartupException("Cannot write to " + directory + ": " + Preflight.describe(ex));
		}
		return server;
	}

	@Override
	public void close() {
		ConfigurableApplicationContext runningGateway = this.gateway;
		if (runningGateway != null) {
			closeQuietly(runningGateway::close);
			this.gateway = null;
		}
		List<ConfigurableApplicationContext> running;
		synchronized (this.services) {
			running = new ArrayList<>(this.services);
			this.services.clear();
		}
		running.parallelStream().forEach((context) -> closeQuietly(context::close));
		EmbeddedKafkaBroker broker = this.kafka;
		if (broker != null) {
			closeQuietly(broker::close);
			this.kafka = null;
		}
		EmbeddedPostgresServer server = this.postgres;
		if (server != null) {
			closeQuietly(server::close);
			this.postgres = null;
		}
	}

	private static void closeQuietly(Runnable close) {
		try {
			close.run();
		}
		catch (RuntimeException ex) {
			System.err.println("sciport: error while stopping: " + rootMessage(ex));
		}
	}

	static String rootMessage(Throwable error) {
		Throwable root = error;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
		int newline = message.indexOf('\n');
		return (newline < 0) ? message : message.substring(0, newline);
	}

	private static void deleteTree(Path directory) {
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			throw new StartupException("Cannot remove the incomplete database directory " + directory + ": "
					+ Preflight.describe(ex));
		}
	}

}
