package org.sciport.dataset.data;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.event.CatalogueEvents;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.event.UploadEvents;
import org.sciport.commons.inbox.EventInbox;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.security.Caller;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Data records, kept from upload-service's events: {@code sciport.upload.completed} naming a
 * {@code project_id} (with {@code data_id}, {@code owner_id}, {@code filename},
 * {@code size_bytes}) creates one as {@code processing}; {@code sciport.data.processed}
 * ({@code data_id}, {@code rows}) or {@code sciport.data.failed} ({@code data_id}) finishes
 * it. Each event is applied once; each change is announced as {@code sciport.data.uploaded} or
 * {@code sciport.data.processed}. A record is seen by its project's owner (and administrators).
 */
@Service
public class DataRecords {

	static final String CONSUMER = "data-records";

	private final DatabaseClient database;

	private final EventInbox inbox;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	DataRecords(DatabaseClient database, EventInbox inbox, OutboxWriter outbox, CloudEventCodec codec) {
		this.database = database;
		this.inbox = inbox;
		this.outbox = outbox;
		this.codec = codec;
	}

	public Mono<DataRecord> get(Caller caller, String id) {
		return this.database
			.sql("SELECT r.* FROM data_record r JOIN project p ON p.id = r.project_id "
					+ "WHERE r.id = :id AND p.deleted_at IS NULL AND (p.owner_id = :me OR :admin)")
			.bind("id", id)
			.bind("me", UUID.fromString(caller.userId()))
			.bind("admin", caller.isAdmin())
			.map((row) -> new DataRecord(row.get("id", String.class), row.get("project_id", String.class),
					row.get("filename", String.class), row.get("size_bytes", Long.class), row.get("rows", Long.class),
					row.get("status", String.class), row.get("created_at", Instant.class)))
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("No such data")));
	}

	// On Kafka's listener thread: waiting for the transaction keeps the offset behind the change.
	@KafkaListener(topics = Topics.UPLOAD, groupId = "dataset-service-data" + Topics.GROUP_SUFFIX)
	void onUploadEvent(ConsumerRecord<String, String> record) {
		this.inbox.applyOnce(record, CONSUMER, Duration.ofSeconds(30), this::change);
	}

	/** The project-data events on the upload topic; each about a data record ({@code data_id}). */
	private @Nullable Mono<?> change(CloudEvent event) {
		return switch (event.type()) {
			case UploadEvents.UploadCompleted.TYPE -> {
				UploadEvents.UploadCompleted completed = this.codec.dataAs(event, UploadEvents.UploadCompleted.class);
				yield (present(completed.job().dataId()) && present(completed.job().projectId())) ? uploaded(completed)
						: null;
			}
			case UploadEvents.DataProcessed.TYPE -> {
				UploadEvents.DataProcessed processed = this.codec.dataAs(event, UploadEvents.DataProcessed.class);
				yield present(processed.job().dataId()) ? finished(processed.job().dataId(), "processed", processed.rows())
						: null;
			}
			case UploadEvents.DataFailed.TYPE -> {
				UploadEvents.DataFailed failed = this.codec.dataAs(event, UploadEvents.DataFailed.class);
				yield present(failed.job().dataId()) ? finished(failed.job().dataId(), "failed", null) : null;
			}
			default -> null;
		};
	}

	private static boolean present(@Nullable String value) {
		return value != null && !value.isBlank();
	}

	private Mono<Void> uploaded(UploadEvents.UploadCompleted completed) {
		UploadEvents.Job job = completed.job();
		String dataId = job.dataId();
		String projectId = job.projectId();
		Instant now = Instant.now();
		return this.database
			.sql("INSERT INTO data_record (id, project_id, owner_id, filename, size_bytes, status, created_at, updated_at) "
					+ "SELECT :id, p.id, :owner, :filename, :size, 'processing', :now, :now FROM project p WHERE p.id = :project AND p.deleted_at IS NULL "
					+ "ON CONFLICT (id) DO NOTHING")
			.bind("id", dataId)
			.bind("owner", (job.ownerId() != null) ? UUID.fromString(job.ownerId()) : new UUID(0, 0))
			.bind("filename", present(job.filename()) ? job.filename() : dataId)
			.bind("size", completed.sizeBytes())
			.bind("now", now)
			.bind("project", projectId)
			.fetch()
			.rowsUpdated()
			.flatMap((inserted) -> (inserted == 0) ? Mono.empty()
					: announce(dataId, new CatalogueEvents.DataUploaded(dataId, projectId)));
	}

	private Mono<Void> finished(String dataId, String status, @Nullable Long rows) {
		DatabaseClient.GenericExecuteSpec update = this.database
			.sql("UPDATE data_record SET status = :status, rows = :rows, updated_at = now() "
					+ "WHERE id = :id AND status = 'processing' AND EXISTS (SELECT 1 FROM project p "
					+ "WHERE p.id = data_record.project_id AND p.deleted_at IS NULL)")
			.bind("status", status)
			.bind("id", dataId);
		update = (rows != null) ? update.bind("rows", rows) : update.bindNull("rows", Long.class);
		return update.fetch()
			.rowsUpdated()
			.flatMap((updated) -> (updated == 0) ? Mono.empty()
					: announce(dataId, new CatalogueEvents.DataFinished(dataId, status, (rows != null) ? rows.toString() : "")));
	}

	private Mono<Void> announce(String id, CatalogueEvents.Event event) {
		return this.outbox.append(Topics.DATASET,
				CloudEvent.create(CatalogueEvents.SOURCE, event.type(), id, this.codec.toData(event)));
	}


}
