package org.sciport.commons.outbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.CloudEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Publishes outbox rows to Kafka in table order and marks them sent.
 *
 * <p>One relay leads at a time across all replicas of a service: each round takes a
 * transaction-scoped advisory lock, so rows are published in {@code seq} order by a single
 * producer. The producer is idempotent with {@code acks=all}, which keeps per-partition order
 * across its own retries. When a send fails, only the rows before the first failure are marked
 * sent; the failed row and everything after it are sent again in the next round (at least once,
 * and the consumer de-duplicates on the event id). Rounds that fail back off exponentially, so a
 * stopped broker costs little, and publishing resumes by itself when it returns.
 */
public final class OutboxRelay implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(OutboxRelay.class);

	/** Arbitrary but fixed: the advisory lock id that elects the leading relay of a database. */
	private static final long LEADER_LOCK_ID = 0x5C1_0B0C5L;

	private final DatabaseClient databaseClient;

	private final TransactionalOperator transactionalOperator;

	private final KafkaTemplate<String, String> kafkaTemplate;

	private final OutboxProperties properties;

	private final Sinks.Many<Long> wakeups = Sinks.many().multicast().directBestEffort();

	private final AtomicInteger failures = new AtomicInteger();

	private final Disposable.Swap running = Disposables.swap();

	private volatile boolean started;

	public OutboxRelay(DatabaseClient databaseClient, TransactionalOperator transactionalOperator,
			KafkaTemplate<String, String> kafkaTemplate, OutboxProperties properties) {
		this.databaseClient = databaseClient;
		this.transactionalOperator = transactionalOperator;
		this.kafkaTemplate = kafkaTemplate;
		this.properties = properties;
	}

	/**
	 * Asks for a round now, e.g. after a transaction that wrote events committed.
	 */
	public void wake() {
		this.wakeups.tryEmitNext(0L);
	}

	@Override
	public void start() {
		Flux<Long> ticks = Flux.merge(Flux.interval(this.properties.pollInterval()), this.wakeups.asFlux())
			.onBackpressureDrop();
		Disposable relay = ticks.concatMap((tick) -> drain(), 1).subscribe();
		Disposable purge = Flux.interval(this.properties.retention().dividedBy(24).plusMinutes(1))
			.concatMap((tick) -> purgeSent(), 1)
			.subscribe();
		this.running.update(Disposables.composite(relay, purge));
		this.started = true;
		wake();
	}

	@Override
	public void stop() {
		this.started = false;
		this.running.dispose();
	}

	@Override
	public boolean isRunning() {
		return this.started;
	}

	/**
	 * Stops after the web server (which stops at a later phase) so requests in flight can still
	 * have their events relayed.
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 2048;
	}

	/**
	 * Runs rounds until the outbox holds no pending event; after a failure waits for the backoff.
	 */
	Mono<Void> drain() {
		return relayRound().expand((sent) -> (sent == this.properties.batchSize()) ? relayRound() : Mono.empty())
			.then()
			.doOnSuccess((done) -> this.failures.set(0))
			.onErrorResume(this::backOff);
	}

	private Mono<Void> backOff(Throwable error) {
		int failed = this.failures.incrementAndGet();
		if (failed == 1 || failed % 20 == 0) {
			logger.warn("Outbox relay round failed (" + failed + " in a row), retrying with backoff: "
					+ error.getMessage());
		}
		return Mono.delay(this.properties.backoff(failed)).then();
	}

	/**
	 * One round: lead, read a batch, publish it, mark the published prefix. Emits how many rows
	 * were published.
	 */
	Mono<Integer> relayRound() {
		return this.transactionalOperator
			.transactional(tryLead().flatMap((leading) -> leading ? publishPending() : Mono.just(Round.IDLE)))
			.flatMap(Round::toOutcome);
	}

	private Mono<Boolean> tryLead() {
		return this.databaseClient.sql("SELECT pg_try_advisory_xact_lock(:id) AS leading")
			.bind("id", LEADER_LOCK_ID)
			.map((row) -> Boolean.TRUE.equals(row.get("leading", Boolean.class)))
			.one();
	}

	private Mono<Round> publishPending() {
		return this.databaseClient
			.sql("SELECT seq, topic, event_key, payload FROM outbox_event WHERE sent_at IS NULL ORDER BY seq LIMIT :limit")
			.bind("limit", this.properties.batchSize())
			.map((row) -> new PendingEvent(row.get("seq", Long.class), row.get("topic", String.class),
					row.get("event_key", String.class), row.get("payload", String.class)))
			.all()
			.collectList()
			.flatMap(this::publish);
	}

	private Mono<Round> publish(List<PendingEvent> batch) {
		if (batch.isEmpty()) {
			return Mono.just(Round.IDLE);
		}
		// KafkaTemplate.send blocks while the producer has no metadata (e.g. the broker is
		// down), for up to max.block.ms: keep that off the event loop.
		return Mono.fromCallable(() -> sendAll(batch))
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap((sends) -> Mono.fromFuture(settled(sends)).thenReturn(sends))
			.flatMap((sends) -> recordOutcome(batch, sends));
	}

	private List<CompletableFuture<SendResult<String, String>>> sendAll(List<PendingEvent> batch) {
		List<CompletableFuture<SendResult<String, String>>> sends = new ArrayList<>(batch.size());
		for (PendingEvent event : batch) {
			try {
				sends.add(this.kafkaTemplate.send(event.toRecord()));
			}
			catch (RuntimeException ex) {
				sends.add(CompletableFuture.failedFuture(ex));
				break;
			}
		}
		return sends;
	}

	private static CompletableFuture<Void> settled(List<CompletableFuture<SendResult<String, String>>> sends) {
		return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).handle((ok, error) -> null);
	}

	private Mono<Round> recordOutcome(List<PendingEvent> batch,
			List<CompletableFuture<SendResult<String, String>>> sends) {
		List<Long> published = new ArrayList<>();
		@Nullable Throwable failure = null;
		for (int i = 0; i < sends.size(); i++) {
			CompletableFuture<SendResult<String, String>> send = sends.get(i);
			if (send.isCompletedExceptionally()) {
				failure = send.handle((result, error) -> error).join();
				break;
			}
			published.add(batch.get(i).seq());
		}
		Mono<Void> marked = markSent(published);
		if (failure == null && published.size() == batch.size()) {
			return marked.thenReturn(new Round(published.size(), null));
		}
		PendingEvent failed = batch.get(published.size());
		String reason = (failure != null) ? String.valueOf(failure.getMessage()) : "not sent";
		// The published prefix and the failure note commit; the round then fails outside the
		// transaction so the relay backs off.
		return marked.then(recordFailure(failed.seq(), reason))
			.thenReturn(new Round(published.size(), "Kafka send failed for outbox row " + failed.seq() + ": " + reason));
	}

	private Mono<Void> markSent(List<Long> seqs) {
		if (seqs.isEmpty()) {
			return Mono.empty();
		}
		return this.databaseClient.sql("UPDATE outbox_event SET sent_at = now() WHERE seq = ANY(:seqs)")
			.bind("seqs", seqs.toArray(Long[]::new))
			.then();
	}

	private Mono<Void> recordFailure(long seq, String reason) {
		String truncated = (reason.length() > 500) ? reason.substring(0, 500) : reason;
		return this.databaseClient
			.sql("UPDATE outbox_event SET attempts = attempts + 1, last_error = :error WHERE seq = :seq")
			.bind("error", truncated)
			.bind("seq", seq)
			.then();
	}

	private Mono<Void> purgeSent() {
		return this.databaseClient.sql("DELETE FROM outbox_event WHERE sent_at < now() - make_interval(secs => :secs)")
			.bind("secs", (double) this.properties.retention().toSeconds())
			.then()
			.onErrorResume((ex) -> {
				logger.warn("Could not purge published outbox events: " + ex.getMessage());
				return Mono.empty();
			});
	}

	private record Round(int published, @Nullable String failure) {

		static final Round IDLE = new Round(0, null);

		Mono<Integer> toOutcome() {
			return (this.failure != null) ? Mono.error(new OutboxPublishException(this.failure))
					: Mono.just(this.published);
		}

	}

	static final class OutboxPublishException extends RuntimeException {

		OutboxPublishException(String message) {
			super(message, null, false, false);
		}

	}

	private record PendingEvent(long seq, String topic, String key, String payload) {

		ProducerRecord<String, String> toRecord() {
			ProducerRecord<String, String> record = new ProducerRecord<>(this.topic, this.key, this.payload);
			record.headers().add("content-type", CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
			return record;
		}

	}

}
