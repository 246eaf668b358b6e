package org.sciport.commons.security;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.Topics;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps {@link RevokedTokens} current from auth-service's events that end tokens early
 * ({@link AuthEvents}). Each instance reads the topic from its beginning under a group of its own, so a
 * (re)started instance knows every revocation still in force before it reports started; after
 * that each new revocation arrives as soon as the broker has it: a fetch is a long poll, which
 * the broker answers the moment a record is there and otherwise after {@link #FETCH_WAIT}, so
 * an idle listener costs one fetch a second, not ten.
 */
public final class RevocationListener implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RevocationListener.class);

	private static final long PURGE_EVERY_NANOS = Duration.ofSeconds(30).toNanos();

	/** How long the broker holds a fetch that finds nothing new. */
	private static final Duration FETCH_WAIT = Duration.ofSeconds(1);

	/** How often the loop looks up while it loads the revocations already there. */
	private static final Duration LOADING_POLL = Duration.ofMillis(100);

	private final RevokedTokens revoked;

	private final Map<String, Object> connection;

	/** Events' data in snake case; fields added later are no reason to miss a revocation. */
	private final JsonMapper json = JsonMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	private final CountDownLatch caughtUp = new CountDownLatch(1);

	private volatile @Nullable KafkaConsumer<String, String> consumer;

	private volatile @Nullable Thread thread;

	private volatile boolean running;

	/**
	 * @param connection how to reach the brokers ({@link org.sciport.commons.event.KafkaConnection})
	 */
	public RevocationListener(RevokedTokens revoked, Map<String, Object> connection) {
		this.revoked = revoked;
		this.connection = Map.copyOf(connection);
	}

	@Override
	public void start() {
		Properties config = new Properties();
		config.putAll(this.connection);
		config.put(ConsumerConfig.GROUP_ID_CONFIG, "sciport-revocations-" + UUID.randomUUID());
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
		config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Long.toString(FETCH_WAIT.toMillis()));
		config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
		KafkaConsumer<String, String> kafka = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
		this.consumer = kafka;
		this.running = true;
		Thread poller = new Thread(() -> poll(kafka), "sciport-revocations");
		poller.setDaemon(true);
		this.thread = poller;
		poller.start();
		try {
			if (!this.caughtUp.await(30, TimeUnit.SECONDS)) {
				logger.warn("Revocations not fully loaded after 30 s; going on, the rest will follow");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void poll(KafkaConsumer<String, String> kafka) {
		Map<TopicPartition, Long> loadTo = new HashMap<>();
		long lastPurge = System.nanoTime();
		try {
			kafka.subscribe(List.of(Topics.AUTH), new ConsumerRebalanceListener() {

				@Override
				public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
				}

				@Override
				public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
					kafka.seekToBeginning(partitions);
					if (RevocationListener.this.caughtUp.getCount() > 0) {
						loadTo.putAll(kafka.endOffsets(partitions));
					}
				}

			});
			while (this.running) {
				Duration wait = (this.caughtUp.getCount() > 0) ? LOADING_POLL : FETCH_WAIT;
				for (ConsumerRecord<String, String> record : kafka.poll(wait)) {
					apply(record.value());
				}
				if (this.caughtUp.getCount() > 0 && !kafka.assignment().isEmpty() && caughtUp(kafka, loadTo)) {
					logger.info("Loaded " + this.revoked.size() + " token revocations still in force");
					this.caughtUp.countDown();
				}
				if (System.nanoTime() - lastPurge > PURGE_EVERY_NANOS) {
					this.revoked.purgeExpired();
					lastPurge = System.nanoTime();
				}
			}
		}
		catch (WakeupException ex) {
			// stopping
		}
		catch (RuntimeException ex) {
			logger.error("Token revocation listener stopped: " + ex.getMessage(), ex);
		}
		finally {
			this.caughtUp.countDown();
			kafka.close(Duration.ofSeconds(2));
		}
	}

	private static boolean caughtUp(KafkaConsumer<String, String> kafka, Map<TopicPartition, Long> loadTo) {
		for (TopicPartition partition : kafka.assignment()) {
			Long end = loadTo.get(partition);
			if (end != null && kafka.position(partition) < end) {
				return false;
			}
		}
		return true;
	}

	void apply(String value) {
		if (!value.contains(AuthEvents.PREFIX)) {
			return;
		}
		try {
			JsonNode event = this.json.readTree(value);
			JsonNode data = event.path("data");
			switch (event.path("type").asString()) {
				case AuthEvents.TokenRevoked.TYPE -> {
					AuthEvents.TokenRevoked revoked = this.json.treeToValue(data, AuthEvents.TokenRevoked.class);
					this.revoked.revoke(revoked.jti(), revoked.expiresAt());
					if (revoked.sessionId() != null && !revoked.sessionId().isEmpty() && revoked.sessionUntil() != null) {
						this.revoked.revokeSession(revoked.sessionId(), revoked.sessionUntil());
					}
				}
				case AuthEvents.ApiTokenRevoked.TYPE -> {
					AuthEvents.ApiTokenRevoked revoked = this.json.treeToValue(data, AuthEvents.ApiTokenRevoked.class);
					this.revoked.revokeApiToken(revoked.apiTokenId(), revoked.until());
				}
				case AuthEvents.TokensInvalidated.TYPE -> {
					AuthEvents.TokensInvalidated invalidated = this.json.treeToValue(data,
							AuthEvents.TokensInvalidated.class);
					this.revoked.requireVersion(invalidated.userId(), invalidated.tokenVersion(), invalidated.until());
				}
				case AuthEvents.UserDeactivated.TYPE -> {
					AuthEvents.UserDeactivated deactivated = this.json.treeToValue(data,
							AuthEvents.UserDeactivated.class);
					this.revoked.deactivate(deactivated.userId(), deactivated.deactivatedAt());
				}
				default -> {
				}
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Ignoring a malformed auth event: " + ex.getMessage());
		}
	}

	@Override
	public void stop() {
		this.running = false;
		KafkaConsumer<String, String> kafka = this.consumer;
		if (kafka != null) {
			kafka.wakeup();
		}
		Thread poller = this.thread;
		if (poller != null) {
			try {
				poller.join(5000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
