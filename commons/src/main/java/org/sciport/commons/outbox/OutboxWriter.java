package org.sciport.commons.outbox;

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
		return TransactionSynchronizationManager.forCurrentTransaction()
			.filter(TransactionSynchronizationManager::isActualTransactionActive)
			.onErrorResume(NoTransactionException.class, (ex) -> Mono.empty())
			.switchIfEmpty(Mono.error(() -> new IllegalStateException(
					"The outbox takes events only inside the transaction of the change they announce (" + event.type()
							+ ")")))
			.flatMap((transaction) -> this.databaseClient
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
