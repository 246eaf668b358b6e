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
import org.sciport.commons.event.UploadEvents;
import org.sciport.commons.inbox.EventInbox;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Moves a dataset through its life cycle as upload-service reports progress:
 * {@code uploading} → {@code conversion_queued} (upload completed; or {@code upload_failed}
 * when the upload that was to fill it failed, until another one completes) → {@code converting}
 * (conversion started) → {@code done} (conversion completed) or {@code conversion_failed}
 * (conversion failed; a retried conversion queues or starts again). An event is applied once
 * (the idempotent consumer), and only along these transitions, so a replayed or stale event
 * changes nothing.
 * <p>
 * An event that names its upload moves that file's own conversion ({@code dataset_file.conversion},
 * along the same transitions), and the dataset's status is then its files' together: converting
 * while any is, else queued while any is, else failed if any failed, else done. Two uploads'
 * events come on different keys, in no order between them; this way the later one's cannot hide
 * the other's (a dataset is not {@code done} while one of its files failed to convert). The
 * dataset's row is locked first, so that two uploads' events handled at once (two partitions,
 * two instances) each see the other's file. A cancelled conversion leaves its file out of the
 * count (it will not be converted, nor retried).
 */
@Component
class DatasetStatusListener {

	static final String CONSUMER = "dataset-status";

	/** Event type → the status it leads to. */
	private static final Map<String, String> TARGETS = Map.of(UploadEvents.UploadCompleted.TYPE, "conversion_queued",
			UploadEvents.UploadFailed.TYPE, "upload_failed", UploadEvents.ConversionQueued.TYPE, "conversion_queued",
			UploadEvents.ConversionStarted.TYPE, "converting", UploadEvents.ConversionCompleted.TYPE, "done",
			UploadEvents.ConversionFailed.TYPE, "conversion_failed");

	/** Event type → its record. */
	private static final Map<String, Class<? extends UploadEvents.Event>> EVENTS = Map.of(
			UploadEvents.UploadCompleted.TYPE, UploadEvents.UploadCompleted.class, UploadEvents.UploadFailed.TYPE,
			UploadEvents.UploadFailed.class, UploadEvents.ConversionQueued.TYPE, UploadEvents.ConversionQueued.class,
			UploadEvents.ConversionStarted.TYPE, UploadEvents.ConversionStarted.class, UploadEvents.ConversionCompleted.TYPE,
			UploadEvents.ConversionCompleted.class, UploadEvents.ConversionFailed.TYPE, UploadEvents.ConversionFailed.class);

	/** Target status → the statuses it may be reached from. */
	private static final Map<String, Set<String>> FROM = Map.of("upload_failed", Set.of("uploading"),
			"conversion_queued", Set.of("uploading", "upload_failed", "conversion_failed", "done"), "converting", Set.of("conversion_queued", "conversion_failed"),
			"done", Set.of("converting", "conversion_queued"), "conversion_failed", Set.of("converting", "conversion_queued"));

	/** Target statuses that follow the files' conversions when the event names its upload. */
	private static final Set<String> FROM_CONVERSIONS = Set.of("conversion_queued", "converting", "done", "conversion_failed");

	/** A file's conversion → the conversions it may be reached from. */
	private static final Map<String, Set<String>> FILE_FROM = Map.of("queued", Set.of("failed"), "converting",
			Set.of("queued", "failed"), "converted", Set.of("queued", "converting"), "failed", Set.of("queued", "converting"));

	/** The dataset's status from its files' conversions ({@code :id} is the dataset). */
	private static final String FROM_FILES = "(SELECT CASE WHEN bool_or(f.conversion = 'converting') THEN 'converting' "
			+ "WHEN bool_or(f.conversion = 'queued') THEN 'conversion_queued' "
			+ "WHEN bool_or(f.conversion = 'failed') THEN 'conversion_failed' ELSE 'done' END AS status "
			+ "FROM dataset_file f WHERE f.dataset_id = :id AND f.conversion IS NOT NULL HAVING count(*) > 0) files";

	/** Targets whose event registers a file: the dataset's totals are recounted. */
	private static final Set<String> TOTALS_FROM_FILES = Set.of("conversion_queued");

	private final EventInbox inbox;

	private final DatabaseClient database;

	private final CloudEventCodec codec;

	DatasetStatusListener(EventInbox inbox, DatabaseClient database, CloudEventCodec codec) {
		this.codec = codec;
		this.inbox = inbox;
		this.database = database;
	}

	// The listener thread is Kafka's, not an event loop: waiting for the transaction is fine
	// and keeps the offset from being committed before the change is.
	@KafkaListener(topics = Topics.UPLOAD, groupId = "dataset-service-status" + Topics.GROUP_SUFFIX)
	void onUploadEvent(ConsumerRecord<String, String> record) {
		this.inbox.applyOnce(record, CONSUMER, Duration.ofSeconds(30), this::change);
	}

	private @Nullable Mono<?> change(CloudEvent event) {
		String target = TARGETS.get(event.type());
		if (target == null) {
			return null;
		}
		UploadEvents.Event typed = this.codec.dataAs(event, EVENTS.get(event.type()));
		UUID dataset = uuid(typed.job().datasetId());
		if (dataset == null) {
			return null;
		}
		UUID file = uuid(typed.job().uploadId());
		return lock(dataset).then(files(typed, dataset, file)).then(apply(dataset, target, file, typed));
	}

	/**
	 * Registers a completed upload's file, and records on the file and the dataset what its
	 * conversion extracted ({@code metadata.extracted.<file name>}).
	 */
	private Mono<Long> files(UploadEvents.Event event, UUID dataset, @Nullable UUID file) {
		if (file == null) {
			return Mono.empty();
		}
		if (event instanceof UploadEvents.UploadCompleted completed) {
			return this.database
				.sql("INSERT INTO dataset_file (id, dataset_id, filename, size_bytes, content_type, format, sha256, xxhash64, "
						+ "status, conversion, created_at) SELECT :id, d.id, :filename, :size, :contentType, :format, :sha256, "
						+ ":xxhash, 'stored', 'queued', now() FROM dataset d WHERE d.id = :dataset ON CONFLICT (id) DO NOTHING")
				.bind("id", file)
				.bind("dataset", dataset)
				.bind("filename", orElse(completed.job().filename(), "unnamed"))
				.bind("size", completed.sizeBytes())
				.bind("contentType", orElse(completed.contentType(), ""))
				.bind("format", orElse(completed.format(), "binary"))
				.bind("sha256", orElse(completed.sha256(), ""))
				.bind("xxhash", orElse(completed.xxhash64(), ""))
				.fetch()
				.rowsUpdated();
		}
		if (event instanceof UploadEvents.ConversionCompleted converted) {
			String metadata = (converted.metadata() != null && converted.metadata().isObject())
					? converted.metadata().toString() : "{}";
			return this.database
				.sql("UPDATE dataset_file SET status = 'converted', metadata = :metadata::jsonb WHERE id = :id")
				.bind("metadata", metadata)
				.bind("id", file)
				.fetch()
				.rowsUpdated()
				.then(conversion(file, "converted"))
				.then(this.database
					.sql("UPDATE dataset SET metadata = jsonb_set(dataset.metadata, '{extracted}', "
							+ "coalesce(dataset.metadata->'extracted', '{}'::jsonb) || jsonb_build_object(f.filename, :metadata::jsonb)) "
							+ "FROM dataset_file f WHERE f.id = :id AND dataset.id = f.dataset_id AND dataset.deleted_at IS NULL")
					.bind("metadata", metadata)
					.bind("id", file)
					.fetch()
					.rowsUpdated());
		}
		if (event instanceof UploadEvents.ConversionFailed failed) {
			return this.database
				.sql("UPDATE dataset_file SET status = 'conversion_failed'"
						+ ("cancelled".equals(failed.error()) ? ", conversion = NULL" : "") + " WHERE id = :id")
				.bind("id", file)
				.fetch()
				.rowsUpdated()
				.then(conversion(file, "failed"));
		}
		if (event instanceof UploadEvents.ConversionQueued) {
			return conversion(file, "queued");
		}
		if (event instanceof UploadEvents.ConversionStarted) {
			return conversion(file, "converting");
		}
		return Mono.empty();
	}

	private static String orElse(@Nullable String value, String absent) {
		return (value != null) ? value : absent;
	}

	/** Holds the dataset's row until the transaction ends: its files' events are applied one at a time. */
	private Mono<Void> lock(UUID dataset) {
		return this.database.sql("SELECT id FROM dataset WHERE id = :id FOR UPDATE")
			.bind("id", dataset)
			.fetch()
			.all()
			.then();
	}

	/** Moves one file's conversion, along the transitions only (a stale event changes nothing). */
	private Mono<Long> conversion(UUID file, String target) {
		return this.database
			.sql("UPDATE dataset_file SET conversion = :target WHERE id = :id AND conversion = ANY(:from)")
			.bind("target", target)
			.bind("id", file)
			.bind("from", FILE_FROM.get(target).toArray(String[]::new))
			.fetch()
			.rowsUpdated();
	}

	private Mono<Long> apply(UUID dataset, String target, @Nullable UUID file, UploadEvents.Event event) {
		if (file == null || !FROM_CONVERSIONS.contains(target)) {
			return transition(dataset, target, file, event);
		}
		// Unchanged, the dataset is not touched (a stale event changes nothing), unless a file came in.
		boolean totals = TOTALS_FROM_FILES.contains(target);
		Mono<Long> fromFiles = this.database
			.sql("UPDATE dataset SET status = files.status, updated_at = now()" + (totals ? ", " + RegisteredFiles.TOTALS : "")
					+ " FROM " + FROM_FILES + " WHERE dataset.id = :id AND dataset.deleted_at IS NULL"
					+ (totals ? "" : " AND dataset.status <> files.status"))
			.bind("id", dataset)
			.fetch()
			.rowsUpdated();
		// The files decide when this event's own file keeps its conversion (or, cancelled, has just
		// left the count) and some file of the dataset still does; a file from before conversions
		// were kept leaves the dataset to its own transitions.
		return this.database
			.sql("SELECT (SELECT f.conversion IS NOT NULL OR f.status = 'conversion_failed' FROM dataset_file f "
					+ "WHERE f.id = :file) AS own, EXISTS (SELECT 1 FROM dataset_file f WHERE f.dataset_id = :id "
					+ "AND f.conversion IS NOT NULL) AS counted")
			.bind("id", dataset)
			.bind("file", file)
			.map((row) -> !Boolean.FALSE.equals(row.get("own", Boolean.class))
					&& Boolean.TRUE.equals(row.get("counted", Boolean.class)))
			.one()
			.flatMap((tracked) -> tracked ? fromFiles : transition(dataset, target, file, event));
	}

	private Mono<Long> transition(UUID dataset, String target, @Nullable UUID file, UploadEvents.Event event) {
		if (file != null && TOTALS_FROM_FILES.contains(target)) {
			// The dataset's files are registered here (uploads, harvests, workflow outputs): its
			// totals are theirs.
			return this.database
				.sql("UPDATE dataset SET status = CASE WHEN status = ANY(:from) THEN :target ELSE status END, "
						+ "updated_at = now(), " + RegisteredFiles.TOTALS + " WHERE id = :id AND deleted_at IS NULL")
				.bind("target", target)
				.bind("id", dataset)
				.bind("from", FROM.get(target).toArray(String[]::new))
				.fetch()
				.rowsUpdated();
		}
		Long size = (event instanceof UploadEvents.UploadCompleted completed) ? completed.datasetSizeBytes() : null;
		Long files = (event instanceof UploadEvents.UploadCompleted completed) ? completed.datasetFileCount() : null;
		DatabaseClient.GenericExecuteSpec update = this.database
			.sql("UPDATE dataset SET status = :target, updated_at = now()"
					+ ((size != null) ? ", size_bytes = :size" : "")
					+ ((files != null) ? ", file_count = :files" : "")
					+ " WHERE id = :id AND deleted_at IS NULL AND status = ANY(:from)")
			.bind("target", target)
			.bind("id", dataset)
			.bind("from", FROM.get(target).toArray(String[]::new));
		if (size != null) {
			update = update.bind("size", size);
		}
		if (files != null) {
			update = update.bind("files", files.intValue());
		}
		return update.fetch().rowsUpdated();
	}

	private static @Nullable UUID uuid(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return UUID.fromString(value);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

}
