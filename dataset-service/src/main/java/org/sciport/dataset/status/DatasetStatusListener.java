package org.sciport.dataset.status;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.inbox.ProcessedEvents;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Moves a dataset through its life cycle as upload-service reports progress:
 * {@code uploading} → {@code conversion_queued} (upload completed) → {@code converting}
 * (conversion started) → {@code done} (conversion completed) or {@code conversion_failed}
 * (conversion failed; a retried conversion queues or starts again). An event is applied once
 * (the idempotent consumer), and only along these transitions, so a replayed or stale event
 * changes nothing.
 */
@Component
class DatasetStatusListener {

	static final String CONSUMER = "dataset-status";

	/** Event type → the status it leads to. */
	private static final Map<String, String> TARGETS = Map.of("sciport.upload.completed", "conversion_queued",
			"sciport.conversion.queued", "conversion_queued", "sciport.conversion.started", "converting",
			"sciport.conversion.completed", "done", "sciport.conversion.failed", "conversion_failed");

	/** Target status → the statuses it may be reached from. */
	private static final Map<String, Set<String>> FROM = Map.of("conversion_queued",
			Set.of("uploading", "conversion_failed"), "converting", Set.of("conversion_queued", "conversion_failed"),
			"done", Set.of("converting", "conversion_queued"), "conversion_failed", Set.of("converting", "conversion_queued"));

	private final ProcessedEvents processed;

	private final DatabaseClient database;

	private final CloudEventCodec codec;

	DatasetStatusListener(ProcessedEvents processed, DatabaseClient database, CloudEventCodec codec) {
		this.processed = processed;
		this.database = database;
		this.codec = codec;
	}

	// The listener thread is Kafka's, not an event loop: waiting for the transaction is fine
	// and keeps the offset from being committed before the change is.
	@KafkaListener(topics = Topics.UPLOAD, groupId = "dataset-service-status")
	void onUploadEvent(ConsumerRecord<String, String> record) {
		CloudEvent event = this.codec.readConsumed(record.topic(), record.value()).orElse(null);
		if (event == null) {
			return;
		}
		String target = TARGETS.get(event.type());
		UUID dataset = datasetId(event.data());
		if (target == null || dataset == null) {
			return;
		}
		this.processed.processOnce(CONSUMER, event.id(), () -> apply(dataset, target, event.data()))
			.block(Duration.ofSeconds(30));
	}

	private Mono<Long> apply(UUID dataset, String target, @Nullable JsonNode data) {
		DatabaseClient.GenericExecuteSpec update = this.database
			.sql("UPDATE dataset SET status = :target, updated_at = now()"
					+ ((sizeOf(data) != null) ? ", size_bytes = :size" : "")
					+ ((filesOf(data) != null) ? ", file_count = :files" : "")
					+ " WHERE id = :id AND deleted_at IS NULL AND status = ANY(:from)")
			.bind("target", target)
			.bind("id", dataset)
			.bind("from", FROM.get(target).toArray(String[]::new));
		Long size = sizeOf(data);
		if (size != null) {
			update = update.bind("size", size);
		}
		Integer files = filesOf(data);
		if (files != null) {
			update = update.bind("files", files);
		}
		return update.fetch().rowsUpdated();
	}

	private static @Nullable UUID datasetId(@Nullable JsonNode data) {
		if (data == null || !data.path("dataset_id").isString()) {
			return null;
		}
		try {
			return UUID.fromString(data.path("dataset_id").asString());
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static @Nullable Long sizeOf(@Nullable JsonNode data) {
		return (data != null && data.path("size_bytes").isIntegralNumber()) ? data.path("size_bytes").asLong() : null;
	}

	private static @Nullable Integer filesOf(@Nullable JsonNode data) {
		return (data != null && data.path("file_count").isIntegralNumber()) ? data.path("file_count").asInt() : null;
	}

}
