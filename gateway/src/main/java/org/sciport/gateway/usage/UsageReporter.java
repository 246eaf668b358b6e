package org.sciport.gateway.usage;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.GatewayEvents;
import org.sciport.commons.event.Topics;
import org.sciport.commons.security.AccessTokenFilter;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Counts the requests the gateway served for each signed-in user, per hour, and publishes the
 * counts every few seconds as {@code sciport.gateway.usage} events (one per user and hour
 * with calls in the period: {@code user_id}, {@code hour}, {@code api_calls}). Counts that
 * could not be sent are kept and sent with the next batch.
 */
public final class UsageReporter implements WebFilter, Ordered, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(UsageReporter.class);

	private final CloudEventCodec codec;

	private record Bucket(String userId, Instant hour) {
	}

	private final Map<Bucket, AtomicLong> counts = new ConcurrentHashMap<>();

	private final Map<String, Object> connection;

	private final Duration every;

	private volatile @Nullable KafkaProducer<String, String> producer;

	private volatile @Nullable Disposable schedule;

	/**
	 * @param connection how to reach the brokers ({@link org.sciport.commons.event.KafkaConnection})
	 */
	public UsageReporter(Map<String, Object> connection, Duration every, CloudEventCodec codec) {
		this.codec = codec;
		this.connection = Map.copyOf(connection);
		this.every = every;
	}

	@Override
	public int getOrder() {
		// After the token check, so the caller is known.
		return Ordered.HIGHEST_PRECEDENCE + 30;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		AccessTokenFilter.caller(exchange).ifPresent((caller) -> this.counts
			.computeIfAbsent(new Bucket(caller.userId(), Instant.now().truncatedTo(ChronoUnit.HOURS)),
					(bucket) -> new AtomicLong())
			.incrementAndGet());
		return chain.filter(exchange);
	}

	@Override
	public void start() {
		Properties config = new Properties();
		config.putAll(this.connection);
		config.put(ProducerConfig.ACKS_CONFIG, "all");
		config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
		config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
		config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
		config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
		this.producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
		this.schedule = Flux.interval(this.every)
			.onBackpressureDrop()
			.concatMap((tick) -> Mono.fromRunnable(this::flush)
				.subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())
				.onErrorResume((ex) -> Mono.empty()), 1)
			.subscribe();
	}

	/**
	 * Sends the counts gathered since the last flush.
	 */
	void flush() {
		KafkaProducer<String, String> kafka = this.producer;
		if (kafka == null) {
			return;
		}
		for (Bucket bucket : this.counts.keySet()) {
			AtomicLong counter = this.counts.get(bucket);
			long calls = (counter != null) ? counter.getAndSet(0) : 0;
			if (calls == 0) {
				if (bucket.hour().isBefore(Instant.now().minus(Duration.ofHours(2)))) {
					this.counts.remove(bucket, counter);
				}
				continue;
			}
			String event = this.codec.write(CloudEvent.create(GatewayEvents.SOURCE, GatewayEvents.Usage.TYPE, bucket.userId(),
					this.codec.toData(new GatewayEvents.Usage(bucket.userId(), bucket.hour(), calls))));
			ProducerRecord<String, String> record = new ProducerRecord<>(Topics.GATEWAY, bucket.userId(), event);
			record.headers().add("content-type", CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
			try {
				kafka.send(record, (metadata, error) -> {
					if (error != null) {
						giveBack(bucket, calls);
					}
				});
			}
			catch (RuntimeException ex) {
				giveBack(bucket, calls);
				logger.warn("Usage counts not sent, kept for the next batch: " + ex.getMessage());
				return;
			}
		}
	}

	private void giveBack(Bucket bucket, long calls) {
		this.counts.computeIfAbsent(bucket, (key) -> new AtomicLong()).addAndGet(calls);
	}

	@Override
	public void stop() {
		Disposable running = this.schedule;
		if (running != null) {
			running.dispose();
		}
		flush();
		KafkaProducer<String, String> kafka = this.producer;
		if (kafka != null) {
			kafka.close(Duration.ofSeconds(5));
		}
		this.producer = null;
	}

	@Override
	public boolean isRunning() {
		return this.producer != null;
	}

}
