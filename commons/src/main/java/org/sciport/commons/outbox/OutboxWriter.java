package org.sciport.commons.outbox;

import java.util.List;
import java.util.UUID;

import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronization;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import reactor.core.publisher.Mono;

/**
 * Appends events to the outbox table. Call it inside the same
 * {@link org.springframework.transaction.reactive.TransactionalOperator} transaction as the
 * state change: both commit or neither does; outside a transaction it refuses. After commit the
 * relay is woken at once, so an event usually reaches Kafka within milliseconds, not a poll
 * interval.
 */
public final class OutboxWriter {

	private final DatabaseClient databaseClient;

	private final CloudEventCodec codec;

	private final Runnable wakeRelay;

	public OutboxWriter(DatabaseClient databaseClient, CloudEventCodec codec, Runnable wakeRelay) {
		this.databaseClient = databaseClient;
		this.codec = codec;
		this.wakeRelay = wakeRelay;
	}

	/**
	 * Appends one event for the given topic; its subject becomes the Kafka key. Only inside a
	 * transaction: an event written outside the change it announces could be sent for a change
	 * that never committed, or be lost with one that did. Outside one it fails with an
	 * {@link IllegalStateException} and writes nothing.
	 */
	public Mono<Void> append(String topic, CloudEvent event) {
		return inTransaction(event.type()).flatMap((transaction) -> this.databaseClient
			.sql("INSERT INTO outbox_event (event_id, topic, event_key, event_type, payload) "
					+ "VALUES (:id, :topic, :key, :type, :payload)")
			.bind("id", UUID.fromString(event.id()))
			.bind("topic", topic)
			.bind("key", event.subject())
			.bind("type", event.type())
			.bind("payload", this.codec.write(event))
			.then()
			.doOnSuccess((done) -> registerWake(transaction)));
	}

	/**
	 * Appends several events for the given topic with one statement, in their order, under the
	 * same rule as {@link #append}: only inside a transaction. Nothing is written for none.
	 */
	public Mono<Void> appendAll(String topic, List<CloudEvent> events) {
		if (events.isEmpty()) {
			return Mono.empty();
		}
		UUID[] ids = new UUID[events.size()];
		String[] keys = new String[events.size()];
		String[] types = new String[events.size()];
		String[] payloads = new String[events.size()];
		for (int i = 0; i < events.size(); i++) {
			CloudEvent event = events.get(i);
			ids[i] = UUID.fromString(event.id());
			keys[i] = event.subject();
			types[i] = event.type();
			payloads[i] = this.codec.write(event);
		}
		return inTransaction(events.get(0).type()).flatMap((transaction) -> this.databaseClient
			.sql("INSERT INTO outbox_event (event_id, topic, event_key, event_type, payload) "
					+ "SELECT v.id, :topic, v.key, v.type, v.payload FROM unnest(CAST(:ids AS uuid[]), CAST(:keys AS text[]), "
					+ "CAST(:types AS text[]), CAST(:payloads AS text[])) WITH ORDINALITY AS v(id, key, type, payload, n) "
					+ "ORDER BY v.n")
			.bind("topic", topic)
			.bind("ids", ids)
			.bind("keys", keys)
			.bind("types", types)
			.bind("payloads", payloads)
			.then()
			.doOnSuccess((done) -> registerWake(transaction)));
	}

	/** The current transaction, or an error saying the outbox takes events only inside one. */
	private Mono<TransactionSynchronizationManager> inTransaction(String type) {
		return TransactionSynchronizationManager.forCurrentTransaction()
			.filter(TransactionSynchronizationManager::isActualTransactionActive)
			.onErrorResume(NoTransactionException.class, (ex) -> Mono.empty())
			.switchIfEmpty(Mono.error(() -> new IllegalStateException(
					"The outbox takes events only inside the transaction of the change they announce (" + type + ")")));
	}

	private void registerWake(TransactionSynchronizationManager manager) {
		if (manager.isSynchronizationActive()) {
			manager.registerSynchronization(new WakeOnCommit(this.wakeRelay));
		}
		else {
			this.wakeRelay.run();
		}
	}

	private record WakeOnCommit(Runnable wake) implements TransactionSynchronization {

		@Override
		public Mono<Void> afterCompletion(int status) {
			if (status == STATUS_COMMITTED) {
				this.wake.run();
			}
			return Mono.empty();
		}

	}

}
