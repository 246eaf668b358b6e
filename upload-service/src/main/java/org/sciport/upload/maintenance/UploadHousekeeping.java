package org.sciport.upload.maintenance;

import java.time.Duration;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.CatalogueEvents;
import org.sciport.commons.event.Topics;
import org.sciport.commons.inbox.EventInbox;
import org.sciport.commons.storage.BlobStore;
import org.sciport.upload.UploadProperties;
import org.sciport.upload.spool.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps storage in step with the catalogue: unfinished uploads past their expiry are marked
 * {@code expired} and their spooled bytes removed (checked every {@code sciport.upload.expiry-sweep}), and a deleted
 * dataset's files are removed from storage when {@code sciport.dataset.deleted} arrives
 * (applied once per event).
 */
@Component
class UploadHousekeeping implements DisposableBean {

	static final String CONSUMER = "dataset-blobs";

	private static final Logger logger = LoggerFactory.getLogger(UploadHousekeeping.class);

	private final DatabaseClient database;

	private final Spool spool;

	private final BlobStore blobs;

	private final EventInbox inbox;


	private final Duration sweepEvery;

	private @Nullable Disposable sweeper;

	UploadHousekeeping(DatabaseClient database, Spool spool, BlobStore blobs, EventInbox inbox,
			UploadProperties properties) {
		this.sweepEvery = properties.expirySweep();
		this.database = database;
		this.spool = spool;
		this.blobs = blobs;
		this.inbox = inbox;
	}

	@EventListener(ApplicationReadyEvent.class)
	void start() {
		this.sweeper = Flux.interval(this.sweepEvery, this.sweepEvery)
			.onBackpressureDrop()
			.concatMap((tick) -> expire().onErrorResume((ex) -> {
				logger.warn("Expiry sweep failed: {}", ex.toString());
				return Mono.empty();
			}), 1)
			.subscribe();
	}

	/**
	 * Marks expired uploads and frees what they collected: the spooled bytes of unfinished
	 * ones, and the stored bytes of finished tus partial uploads that no final upload joined
	 * before they expired. Emits how many there were.
	 */
	Mono<Long> expire() {
		Flux<UUID> unfinished = this.database
			.sql("UPDATE upload SET status = 'expired', error = 'expired before it was complete', updated_at = now() "
					+ "WHERE status = 'uploading' AND expires_at < now() RETURNING id")
			.map((row) -> row.get("id", UUID.class))
			.all()
			.concatMap((id) -> this.spool.delete(id).thenReturn(id));
		// Marked first (a final upload can no longer join them), then each stored part removed
		// and only then its key forgotten: a removal that fails is tried again at the next sweep.
		Mono<Long> expireParts = this.database
			.sql("UPDATE upload SET status = 'expired', error = 'no final upload joined this part before it expired', "
					+ "updated_at = now() WHERE status = 'uploaded' AND tus_concat = 'partial' AND expires_at < now()")
			.fetch()
			.rowsUpdated();
		Flux<UUID> unjoined = expireParts.thenMany(this.database
			.sql("SELECT id, blob_key FROM upload WHERE status = 'expired' AND tus_concat = 'partial' "
					+ "AND blob_key IS NOT NULL")
			.map((row) -> new Stored(row.get("id", UUID.class), row.get("blob_key", String.class)))
			.all())
			.concatMap((part) -> this.blobs.delete(java.util.Objects.requireNonNull(part.key()))
				.then(this.database.sql("UPDATE upload SET blob_key = NULL WHERE id = :id").bind("id", part.id()).then())
				.thenReturn(part.id())
				.onErrorResume((ex) -> Mono.empty()));
		return unfinished.concatWith(unjoined).count();
	}

	// Kafka's listener thread: waiting keeps the offset behind the deletion.
	@KafkaListener(topics = Topics.DATASET, groupId = "upload-service-blobs" + Topics.GROUP_SUFFIX)
	void onDatasetEvent(ConsumerRecord<String, String> record) {
		this.inbox.applyOnce(record, CONSUMER, Duration.ofMinutes(5), (event) -> {
			if (!CatalogueEvents.DatasetDeleted.TYPE.equals(event.type())) {
				return null;
			}
			try {
				return removeFiles(UUID.fromString(event.subject()));
			}
			catch (IllegalArgumentException ex) {
				return null;
			}
		});
	}

	/** Removes the files, their derived files and spooled parts, then forgets the keys. */
	Mono<Long> removeFiles(UUID dataset) {
		return this.database.sql("SELECT id, blob_key FROM upload WHERE dataset_id = :dataset")
			.bind("dataset", dataset)
			.map((row) -> new Stored(row.get("id", UUID.class), row.get("blob_key", String.class)))
			.all()
			.concatMap((stored) -> ((stored.key() != null) ? this.blobs.delete(stored.key()) : Mono.<Void>empty())
				.then(this.blobs.deleteAll("derived/" + stored.id()))
				.then(this.spool.delete(stored.id())))
			.then(this.database
				.sql("UPDATE upload SET status = CASE WHEN status IN ('uploading', 'conversion_queued', 'converting') "
						+ "THEN 'cancelled' ELSE status END, blob_key = NULL, updated_at = now() WHERE dataset_id = :dataset")
				.bind("dataset", dataset)
				.fetch()
				.rowsUpdated());
	}

	private record Stored(UUID id, @Nullable String key) {
	}

	@Override
	public void destroy() {
		Disposable running = this.sweeper;
		if (running != null) {
			running.dispose();
		}
	}

}
