package org.sciport.commons.inbox;

import java.util.function.Supplier;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * The idempotent consumer. {@link #processOnce} records the event id and runs the side effect
 * in one transaction: if the side effect fails, the id is not recorded and the event is
 * processed again on redelivery; if the id is already recorded, the side effect is skipped.
 */
public final class ProcessedEvents {

	private final DatabaseClient databaseClient;

	private final TransactionalOperator transactionalOperator;

	public ProcessedEvents(DatabaseClient databaseClient, TransactionalOperator transactionalOperator) {
		this.databaseClient = databaseClient;
		this.transactionalOperator = transactionalOperator;
	}

	/**
	 * Runs {@code sideEffect} unless {@code consumer} has already processed {@code eventId}.
	 * Emits {@code true} if it ran, {@code false} if the event was a duplicate.
	 */
	public Mono<Boolean> processOnce(String consumer, String eventId, Supplier<Mono<?>> sideEffect) {
		Mono<Boolean> once = this.databaseClient
			.sql("INSERT INTO processed_event (consumer, event_id) VALUES (:consumer, :id) ON CONFLICT DO NOTHING")
			.bind("consumer", consumer)
			.bind("id", eventId)
			.fetch()
			.rowsUpdated()
			.flatMap((inserted) -> (inserted == 0) ? Mono.just(false) : sideEffect.get().then(Mono.just(true)));
		return this.transactionalOperator.transactional(once);
	}

}
