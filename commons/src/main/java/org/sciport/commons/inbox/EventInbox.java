package org.sciport.commons.inbox;

import java.time.Duration;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.UndecodableEventException;
import reactor.core.publisher.Mono;

/**
 * What every Kafka listener of Sciport does with a record, in one place: decode it (a record
 * that is no event can never be applied and goes to the dead-letter topic,
 * {@link ListenerErrorPolicy}), ask the listener what the event changes, and apply that change
 * once per event id, in one transaction with the record of having applied it
 * ({@link ProcessedEvents}). It waits for the transaction on the listener's thread (Kafka's,
 * never an event loop), so the record's offset is committed only after its change is; a
 * failure is the error handler's to retry.
 */
public final class EventInbox {

	private final CloudEventCodec codec;

	private final ProcessedEvents processed;

	public EventInbox(CloudEventCodec codec, ProcessedEvents processed) {
		this.codec = codec;
		this.processed = processed;
	}

	/**
	 * Applies the change {@code change} makes of the record's event, once for
	 * {@code consumer}; {@code change} answers {@code null} for an event that changes nothing
	 * here (another type, another service's object).
	 * @return whether a change was applied now (not before, and not ignored)
	 */
	public boolean applyOnce(ConsumerRecord<String, String> record, String consumer, Duration timeout,
			Function<CloudEvent, @Nullable Mono<?>> change) {
		CloudEvent event = decode(record);
		Mono<?> work = change.apply(event);
		if (work == null) {
			return false;
		}
		return Boolean.TRUE.equals(this.processed.processOnce(consumer, event.id(), () -> work).block(timeout));
	}

	/**
	 * The record's event, or an {@link UndecodableEventException} if it is none.
	 */
	public CloudEvent decode(ConsumerRecord<String, String> record) {
		return this.codec.readConsumed(record.topic(), record.value()).orElseThrow();
	}

}
