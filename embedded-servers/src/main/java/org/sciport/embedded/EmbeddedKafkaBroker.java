package org.sciport.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.jspecify.annotations.Nullable;

/**
 * A real Apache Kafka broker running in this JVM, in KRaft combined mode (one node that is
 * both controller and broker), listening on loopback. With a data directory, the log is
 * formatted once and reused by every later start, so topics and records survive a restart;
 * without one, it lives in a temporary directory removed on close.
 *
 * <p>{@link #stop()} and {@link #restart()} let tests take the broker away and bring it back
 * on the same port with the same log.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

	private static final String CONTROLLER_LISTENER = "CONTROLLER";

	private final Path logDirectory;

	private final boolean temporary;

	private final int brokerPort;

	private final int controllerPort;

	private @Nullable KafkaRaftServer server;

	private EmbeddedKafkaBroker(Path logDirectory, boolean temporary) {
		this.logDirectory = logDirectory;
		this.temporary = temporary;
		this.brokerPort = freePort();
		this.controllerPort = freePort();
	}

	/**
	 * Starts a broker keeping its log in {@code dataDirectory}, or in a fresh temporary
	 * directory if that is {@code null}.
	 */
	public static EmbeddedKafkaBroker start(@Nullable Path dataDirectory) {
		try {
			boolean temporary = dataDirectory == null;
			Path directory = temporary ? Files.createTempDirectory("sciport-kafka") : dataDirectory;
			Files.createDirectories(directory);
			EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(directory.toAbsolutePath(), temporary);
			broker.formatIfNeeded();
			broker.startServer();
			return broker;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Embedded Kafka did not start: " + ex.getMessage(), ex);
		}
	}

	/**
	 * The bootstrap servers clients connect to.
	 */
	public String bootstrapServers() {
		return "127.0.0.1:" + this.brokerPort;
	}

	/**
	 * Stops the broker, keeping its log; clients see it as gone until {@link #restart()}.
	 */
	public synchronized void stop() {
		KafkaRaftServer running = this.server;
		if (running != null) {
			running.shutdown();
			running.awaitShutdown();
			this.server = null;
		}
	}

	/**
	 * Starts the stopped broker again, on the same ports with the same log.
	 */
	public synchronized void restart() {
		if (this.server == null) {
			startServer();
		}
	}

	@Override
	public synchronized void close() {
		stop();
		if (this.temporary) {
			Directories.deleteTree(this.logDirectory);
		}
	}

	private void formatIfNeeded() {
		if (Files.exists(this.logDirectory.resolve("meta.properties"))) {
			return;
		}
		ByteArrayOutputStream output = new ByteArrayOutputStream();
		try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
			new Formatter().setPrintStream(printStream)
				.setNodeId(1)
				.setClusterId(Uuid.randomUuid().toString())
				.setDirectories(List.of(this.logDirectory.toString()))
				.setMetadataLogDirectory(this.logDirectory.toString())
				.setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
				.setControllerListenerName(CONTROLLER_LISTENER)
				.setIgnoreFormatted(true)
				.run();
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not format the Kafka log directory " + this.logDirectory + ": "
					+ ex.getMessage() + " " + output.toString(StandardCharsets.UTF_8), ex);
		}
	}

	private synchronized void startServer() {
		KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(config(), false), Time.SYSTEM);
		raftServer.startup();
		this.server = raftServer;
	}

	private Properties config() {
		Properties config = new Properties();
		config.put("process.roles", "broker,controller");
		config.put("node.id", "1");
		config.put("controller.quorum.voters", "1@127.0.0.1:" + this.controllerPort);
		config.put("listeners",
				"PLAINTEXT://127.0.0.1:" + this.brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + this.controllerPort);
		config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + this.brokerPort);
		config.put("controller.listener.names", CONTROLLER_LISTENER);
		config.put("inter.broker.listener.name", "PLAINTEXT");
		config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
		config.put("log.dirs", this.logDirectory.toString());
		config.put("metadata.log.dir", this.logDirectory.toString());
		config.put("num.partitions", "3");
		config.put("default.replication.factor", "1");
		config.put("min.insync.replicas", "1");
		config.put("offsets.topic.replication.factor", "1");
		config.put("offsets.topic.num.partitions", "5");
		config.put("transaction.state.log.replication.factor", "1");
		config.put("transaction.state.log.min.isr", "1");
		config.put("transaction.state.log.num.partitions", "5");
		config.put("share.coordinator.state.topic.replication.factor", "1");
		config.put("share.coordinator.state.topic.min.isr", "1");
		config.put("group.initial.rebalance.delay.ms", "0");
		config.put("auto.create.topics.enable", "true");
		config.put("log.retention.hours", "168");
		// A small machine: fewer threads than the defaults, which size for a dedicated server.
		config.put("num.network.threads", "2");
		config.put("num.io.threads", "2");
		config.put("background.threads", "2");
		config.put("num.recovery.threads.per.data.dir", "1");
		return config;
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free port for Kafka", ex);
		}
	}

}
