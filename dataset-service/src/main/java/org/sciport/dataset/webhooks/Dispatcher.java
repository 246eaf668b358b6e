package org.sciport.dataset.webhooks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.CatalogueEvents;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.lifecycle.Poller;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.webhook.WebhookSignature;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Sends due deliveries, on every replica: each is claimed by one ({@code FOR UPDATE SKIP LOCKED},
 * then a lease while it is sent, so a replica that dies mid-attempt only delays it), and only the
 * oldest undelivered one of a subscription and subject is due, so one object's events arrive in
 * order.
 * <p>
 * An attempt is a signed POST (Standard Webhooks: {@code webhook-id} the delivery's id, the same
 * on every attempt; {@code webhook-timestamp}; {@code webhook-signature} with the current secret,
 * and the one before a rotation while it is still in its grace period), with the destination
 * checked again first ({@link Destinations}) and at the connection ({@link PublicAddresses}), a
 * time limit, redirects not followed, and at most
 * 4 KiB of the answer kept. A 2xx delivers it; anything else is tried again after the next wait
 * of {@code sciport.webhooks.retries} (with up to a tenth of jitter), and after the last the
 * delivery has failed. A subscription whose deliveries have failed without a success for
 * {@code disable-after} is disabled, with its reason and {@code sciport.dataset.webhook.disabled}.
 */
@Component
class Dispatcher extends Poller {

	private static final Log logger = LogFactory.getLog(Dispatcher.class);

	private static final int EXCERPT = 4096;

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final WebhookProperties properties;

	private final Destinations destinations;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	private final WebClient client;

	private final org.springframework.beans.factory.ObjectProvider<org.sciport.commons.secrets.SecretBox> box;

	Dispatcher(org.springframework.beans.factory.ObjectProvider<org.sciport.commons.secrets.SecretBox> box, DatabaseClient database, TransactionalOperator transactions, WebhookProperties properties,
			Destinations destinations, OutboxWriter outbox, CloudEventCodec codec, WebClient.Builder client) {
		this.database = database;
		this.transactions = transactions;
		this.properties = properties;
		this.destinations = destinations;
		this.outbox = outbox;
		this.codec = codec;
		// Unless internal addresses are allowed, the connection itself refuses them (PublicAddresses).
		this.client = properties.allowPrivate() ? client.build()
				: client.clone()
					.clientConnector(new org.springframework.http.client.reactive.ReactorClientHttpConnector(
							reactor.netty.http.client.HttpClient.create().resolver(new PublicAddresses())))
					.build();
		this.box = box;
	}

	@Override
	protected Flux<?> ticks() {
		return Flux.interval(this.properties.poll());
	}

	@Override
	protected Mono<Void> round() {
		return claim().flatMap(this::attempt, Math.max(1, this.properties.batch())).then();
	}

	@Override
	protected Log logger() {
		return logger;
	}

	@Override
	protected String failure() {
		return "Webhook deliveries could not be sent";
	}

	/** A claimed delivery with what its attempt needs. */
	private record Claimed(UUID id, UUID subscription, int attempt, String payload, String url, String secret,
			@Nullable String previousSecret, @Nullable Instant previousUntil) {
	}

	private Flux<Claimed> claim() {
		Duration lease = this.properties.timeout().multipliedBy(3);
		return this.database
			.sql("UPDATE webhook_delivery d SET status = 'sending', lease_until = now() + CAST(:lease AS interval), "
					+ "attempts = d.attempts + 1 FROM webhook_subscription s WHERE d.id IN (SELECT c.id FROM webhook_delivery c "
					+ "WHERE ((c.status = 'pending' AND c.next_attempt_at <= now()) OR (c.status = 'sending' "
					+ "AND c.lease_until < now())) AND NOT EXISTS (SELECT 1 FROM webhook_delivery e "
					+ "WHERE e.subscription_id = c.subscription_id AND e.subject = c.subject AND e.seq < c.seq "
					+ "AND e.status IN ('pending', 'sending')) ORDER BY c.seq LIMIT :batch FOR UPDATE SKIP LOCKED) "
					+ "AND s.id = d.subscription_id AND s.active AND s.deleted_at IS NULL "
					+ "RETURNING d.id, d.subscription_id, d.attempts, d.payload, s.url, s.secret, s.previous_secret, "
					+ "s.previous_until")
			.bind("lease", lease.toSeconds() + " seconds")
			.bind("batch", Math.max(1, this.properties.batch()))
			.map((row) -> new Claimed(row.get("id", UUID.class), row.get("subscription_id", UUID.class),
					row.get("attempts", Integer.class), row.get("payload", String.class), row.get("url", String.class),
					row.get("secret", String.class), row.get("previous_secret", String.class),
					row.get("previous_until", Instant.class)))
			.all();
	}

	/** How one attempt went. */
	private record Outcome(boolean delivered, @Nullable Integer status, long latencyMs, @Nullable String error,
			@Nullable String excerpt) {
	}

	private Mono<Void> attempt(Claimed delivery) {
		byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
		long timestamp = Instant.now().getEpochSecond();
		String signature = WebhookSignature.of(this.box.getObject().open(delivery.secret()))
			.sign(delivery.id().toString(), timestamp, body);
		if (delivery.previousSecret() != null && delivery.previousUntil() != null
				&& delivery.previousUntil().isAfter(Instant.now())) {
			signature += " " + WebhookSignature.of(this.box.getObject().open(delivery.previousSecret()))
				.sign(delivery.id().toString(), timestamp, body);
		}
		String signed = signature;
		long started = System.nanoTime();
		Mono<Outcome> sent = Mono.fromCallable(() -> this.destinations.refusal(java.net.URI.create(delivery.url()).getHost()))
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap((refusal) -> Mono.just(new Outcome(false, null, 0, refusal, null)))
			.switchIfEmpty(Mono.defer(() -> this.client.post()
				.uri(delivery.url())
				.contentType(MediaType.APPLICATION_JSON)
				.headers((headers) -> {
					headers.set("webhook-id", delivery.id().toString());
					headers.set("webhook-timestamp", Long.toString(timestamp));
					headers.set("webhook-signature", signed);
					headers.set("User-Agent", "Sciport-Webhooks/1");
				})
				.bodyValue(body)
				.exchangeToMono((response) -> DataBufferUtils.join(DataBufferUtils.takeUntilByteCount(response.bodyToFlux(DataBuffer.class), EXCERPT))
					.map((buffer) -> {
						byte[] read = new byte[Math.min(EXCERPT, buffer.readableByteCount())];
						buffer.read(read);
						DataBufferUtils.release(buffer);
						return new String(read, StandardCharsets.UTF_8);
					})
					.defaultIfEmpty("")
					.onErrorReturn("")
					.map((excerpt) -> new Outcome(response.statusCode().is2xxSuccessful(), response.statusCode().value(),
							(System.nanoTime() - started) / 1_000_000, response.statusCode().is2xxSuccessful() ? null
									: "answered " + response.statusCode().value(), excerpt)))
				.timeout(this.properties.timeout())
				.onErrorResume((ex) -> Mono.just(new Outcome(false, null, (System.nanoTime() - started) / 1_000_000,
						(ex instanceof java.util.concurrent.TimeoutException) ? "no answer within "
								+ this.properties.timeout().toSeconds() + " s" : "could not be sent: " + rootMessage(ex), null)))));
		return sent.flatMap((outcome) -> record(delivery, outcome));
	}

	private Mono<Void> record(Claimed delivery, Outcome outcome) {
		List<Duration> retries = this.properties.retries();
		boolean last = delivery.attempt() > retries.size();
		String status = outcome.delivered() ? "delivered" : last ? "failed" : "pending";
		Duration wait = (outcome.delivered() || last) ? Duration.ZERO : jittered(retries.get(delivery.attempt() - 1));
		Mono<Void> attempt = this.database
			.sql("INSERT INTO webhook_attempt (delivery_id, attempt, at, status_code, latency_ms, outcome, error, "
					+ "response_excerpt) VALUES (:delivery, :attempt, now(), :code, :latency, :outcome, :error, :excerpt) "
					+ "ON CONFLICT DO NOTHING")
			.bind("delivery", delivery.id())
			.bind("attempt", delivery.attempt())
			.bindValues(Map.of("code", (outcome.status() != null) ? outcome.status() : Parameter.empty(Integer.class),
					"error", (outcome.error() != null) ? outcome.error() : Parameter.empty(String.class), "excerpt",
					(outcome.excerpt() != null) ? outcome.excerpt() : Parameter.empty(String.class)))
			.bind("latency", (int) Math.min(Integer.MAX_VALUE, outcome.latencyMs()))
			.bind("outcome", outcome.delivered() ? "delivered" : "failed")
			.then();
		Mono<Void> state = this.database
			.sql("UPDATE webhook_delivery SET status = :status, lease_until = NULL, next_attempt_at = now() + CAST(:wait AS "
					+ "interval), last_status_code = :code, last_error = :error, delivered_at = CASE WHEN :status = 'delivered' "
					+ "THEN now() ELSE delivered_at END WHERE id = :id")
			.bind("status", status)
			.bind("wait", wait.toMillis() + " milliseconds")
			.bindValues(Map.of("code", (outcome.status() != null) ? outcome.status() : Parameter.empty(Integer.class),
					"error", (outcome.error() != null) ? outcome.error() : Parameter.empty(String.class)))
			.bind("id", delivery.id())
			.then();
		Mono<Void> health = outcome.delivered()
				? this.database.sql("UPDATE webhook_subscription SET failing_since = NULL WHERE id = :id AND failing_since IS NOT NULL")
					.bind("id", delivery.subscription())
					.then()
				: failing(delivery.subscription());
		return this.transactions.transactional(attempt.then(state).then(health));
	}

	/** Notes the failure; disables a subscription failing for longer than {@code disable-after}. */
	private Mono<Void> failing(UUID subscription) {
		return this.database
			.sql("UPDATE webhook_subscription SET failing_since = coalesce(failing_since, now()) WHERE id = :id "
					+ "RETURNING failing_since, owner_id, url, active")
			.bind("id", subscription)
			.map((row) -> row.get("failing_since", Instant.class))
			.one()
			.filter((since) -> since.isBefore(Instant.now().minus(this.properties.disableAfter())))
			.flatMap((since) -> {
				String reason = "every delivery failed since " + since + " (sciport.webhooks.disable-after "
						+ this.properties.disableAfter() + ")";
				return this.database
					.sql("UPDATE webhook_subscription SET active = false, disabled_reason = :reason, updated_at = now() "
							+ "WHERE id = :id AND active RETURNING owner_id")
					.bind("reason", reason)
					.bind("id", subscription)
					.map((row) -> row.get("owner_id", UUID.class))
					.one()
					.flatMap((owner) -> this.outbox.append(Topics.DATASET, CloudEvent.create("/sciport/dataset-service",
							CatalogueEvents.WebhookDisabled.TYPE, subscription.toString(), this.codec.toData(
									new CatalogueEvents.WebhookDisabled(subscription.toString(), owner.toString(), reason)))));
			});
	}

	private static Duration jittered(Duration wait) {
		long jitter = (long) (wait.toMillis() * 0.1 * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
		return wait.plusMillis(jitter);
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + ((root.getMessage() != null) ? ": " + root.getMessage() : "");
	}

}
