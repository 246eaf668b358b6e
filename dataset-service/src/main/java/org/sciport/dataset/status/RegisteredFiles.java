package org.sciport.dataset.status;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.FileEvents;
import org.sciport.commons.event.Topics;
import org.sciport.commons.inbox.EventInbox;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Files other services put into a dataset: harvest-service's {@code sciport.harvest.transfer.completed}
 * (files harvested into an instrument's dataset) and workflow-service's
 * {@code sciport.workflow.run.completed} (a run's outputs). Each event names a {@code dataset_id}
 * and lists its files ({@code files} or {@code outputs}: {@code file_id} or a name, {@code filename},
 * {@code size_bytes}, optionally {@code sha256}, {@code content_type}, {@code format}). They are
 * registered as the dataset's files and its totals recounted, each event once, so a replayed
 * topic changes nothing; a file already registered (same id) is kept as it is.
 * <p>
 * A run's outputs also name who the run acts for ({@code requested_by}): they are registered only
 * if that user may change the dataset (its owner, or a {@code write} share with them or one of
 * their teams), so a workflow cannot put files into a dataset its author could not. An
 * instrument's dataset is an administrator's setting of harvest-service and is taken as it is.
 */
@Component
class RegisteredFiles {

	static final String CONSUMER = "registered-files";

	/** Recounts a dataset's totals from its registered files ({@code :id} is the dataset). */
	static final String TOTALS = "size_bytes = (SELECT coalesce(sum(f.size_bytes), 0) FROM dataset_file f "
			+ "WHERE f.dataset_id = dataset.id), file_count = (SELECT count(*) FROM dataset_file f WHERE f.dataset_id = dataset.id)";

	/** Whether the user bound as {@code :by} may change the dataset {@code d}. */
	private static final String WRITABLE = "(d.owner_id = :by OR EXISTS (SELECT 1 FROM dataset_user_share u "
			+ "WHERE u.dataset_id = d.id AND u.user_id = :by AND u.level = 'write') OR EXISTS (SELECT 1 FROM dataset_share s "
			+ "JOIN team_member m ON m.team_id = s.team_id AND m.user_id = :by WHERE s.dataset_id = d.id AND s.level = 'write'))";

	private final DatabaseClient database;

	private final EventInbox inbox;


	private final CloudEventCodec codec;

	RegisteredFiles(DatabaseClient database, EventInbox inbox, CloudEventCodec codec) {
		this.database = database;
		this.inbox = inbox;
		this.codec = codec;
	}

	// Kafka's listener threads: waiting keeps each offset behind its change.
	@KafkaListener(topics = Topics.HARVEST, groupId = "dataset-service-harvested-files" + Topics.GROUP_SUFFIX)
	void onHarvestEvent(ConsumerRecord<String, String> record) {
		this.inbox.applyOnce(record, CONSUMER, Duration.ofSeconds(30), (event) -> {
			if (!FileEvents.TransferCompleted.TYPE.equals(event.type())) {
				return null;
			}
			FileEvents.TransferCompleted transfer = this.codec.dataAs(event, FileEvents.TransferCompleted.class);
			return register(transfer.datasetId(), transfer.files(), event.subject(), "harvest", null);
		});
	}

	@KafkaListener(topics = Topics.WORKFLOW, groupId = "dataset-service-workflow-files" + Topics.GROUP_SUFFIX)
	void onWorkflowEvent(ConsumerRecord<String, String> record) {
		this.inbox.applyOnce(record, CONSUMER, Duration.ofSeconds(30), (event) -> {
			if (!FileEvents.RunCompleted.TYPE.equals(event.type())) {
				return null;
			}
			FileEvents.RunCompleted run = this.codec.dataAs(event, FileEvents.RunCompleted.class);
			UUID by = (run.requestedBy() != null) ? uuid(run.requestedBy()) : null;
			return (by != null) ? register(run.datasetId(), run.outputs(), event.subject(), "workflow", by) : null;
		});
	}

	/**
	 * Registers the files (those without a name are no files) in the dataset, if it is there
	 * (and, with {@code by}, if that user may change it).
	 */
	private @Nullable Mono<Long> register(@Nullable String datasetId, @Nullable List<FileEvents.DatasetFile> files,
			String source, String origin, @Nullable UUID by) {
		UUID dataset = (datasetId != null) ? uuid(datasetId) : null;
		if (dataset == null || files == null) {
			return null;
		}
		return Flux.fromIterable(files)
			.filter((file) -> file.filename() != null && !file.filename().isBlank())
			.concatMap((file) -> {
				String filename = file.filename();
				UUID id = (file.fileId() != null) ? uuid(file.fileId()) : null;
				if (id == null) {
					// No id of its own: one derived from where it came from, so a replay finds it again.
					id = UUID.nameUUIDFromBytes((origin + "/" + source + "/" + filename).getBytes(StandardCharsets.UTF_8));
				}
				return this.database
					.sql("INSERT INTO dataset_file (id, dataset_id, filename, size_bytes, content_type, format, sha256, "
							+ "xxhash64, status, created_at) SELECT :id, d.id, :filename, :size, :type, :format, :sha256, '', "
							+ "'stored', now() FROM dataset d WHERE d.id = :dataset AND d.deleted_at IS NULL AND "
							+ ((by != null) ? WRITABLE : "true") + " ON CONFLICT (id) DO NOTHING")
					.bind("id", id)
					.bind("dataset", dataset)
					.bind("filename", filename)
					.bind("size", Math.max(0, (file.sizeBytes() != null) ? file.sizeBytes() : 0))
					.bind("type", (file.contentType() != null) ? file.contentType() : "")
					.bind("format", (file.format() != null) ? file.format() : "binary")
					.bind("sha256", (file.sha256() != null) ? file.sha256() : "")
					.bindValues((by != null) ? java.util.Map.of("by", by) : java.util.Map.of())
					.fetch()
					.rowsUpdated();
			})
			.reduce(0L, Long::sum)
			.flatMap((added) -> this.database
				.sql("UPDATE dataset SET updated_at = now(), " + TOTALS + " WHERE id = :id AND deleted_at IS NULL")
				.bind("id", dataset)
				.fetch()
				.rowsUpdated()
				.thenReturn(added));
	}

	private static @Nullable UUID uuid(String value) {
		try {
			return value.isBlank() ? null : UUID.fromString(value);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

}
