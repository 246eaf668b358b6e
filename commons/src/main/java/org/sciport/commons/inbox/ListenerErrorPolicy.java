package org.sciport.commons.inbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.sciport.commons.event.UndecodableEventException;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * What every Kafka listener of Sciport does when applying a record fails:
 * <ul>
 * <li>a transient failure (the database down, a timeout) is retried on the same record, with
 * the wait doubling from {@link #FIRST_WAIT_MS} ms to at most {@link #LONGEST_WAIT_MS} ms, for
 * as long as it takes: nothing after it on that partition is applied first, and nothing is
 * skipped;</li>
 * <li>a record that can never be applied ({@link UndecodableEventException}) goes at once to
 * the topic's dead-letter topic ({@code <topic>.dlt}, same key, the failure in its headers), is
 * counted in {@code sciport.events.dead_letters} (tagged with the topic) and logged once,
 * without its payload.</li>
 * </ul>
 * Together with {@link ProcessedEvents}, each event is applied exactly once.
 */
public final class ListenerErrorPolicy {

	/** The first wait before a failed record is tried again. */
	public static final long FIRST_WAIT_MS = 1_000;

	/** The longest wait between two tries. */
	public static final long LONGEST_WAIT_MS = 30_000;

	/** The suffix of a topic's dead-letter topic. */
	public static final String DEAD_LETTER_SUFFIX = ".dlt";

	private static final Log logger = LogFactory.getLog(ListenerErrorPolicy.class);

	private ListenerErrorPolicy() {
	}

	/**
	 * The error handler for every listener container of an application.
	 */
	public static DefaultErrorHandler errorHandler(KafkaOperations<?, ?> template, MeterRegistry meters) {
		DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(template,
				(record, ex) -> new TopicPartition(record.topic() + DEAD_LETTER_SUFFIX, -1));
		ExponentialBackOff backOff = new ExponentialBackOff(FIRST_WAIT_MS, 2.0);
		backOff.setMaxInterval(LONGEST_WAIT_MS);
		DefaultErrorHandler handler = new DefaultErrorHandler((ConsumerRecord<?, ?> record, Exception ex) -> {
			deadLetters.accept(record, ex);
			Counter.builder("sciport.events.dead_letters")
				.description("Records that could never be applied, sent to the dead-letter topic")
				.tag("topic", record.topic())
				.register(meters)
				.increment();
			logger.error("A record on " + record.topic() + " (partition " + record.partition() + ", offset "
					+ record.offset() + ") can never be applied and went to " + record.topic() + DEAD_LETTER_SUFFIX
					+ ": " + rootMessage(ex));
		}, backOff);
		handler.addNotRetryableExceptions(UndecodableEventException.class);
		// Each failed try is logged (an error): a partition held up by a failure that does not go
		// away must be seen.
		return handler;
	}

	private static String rootMessage(Throwable error) {
		Throwable root = error;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + ": " + root.getMessage();
	}

}
