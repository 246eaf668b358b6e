package org.sciport.workflow.runs;

import java.time.Duration;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.Topics;
import org.sciport.commons.inbox.EventInbox;
import org.sciport.workflow.resources.WorkflowSpec;
import org.sciport.workflow.web.Json;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts the workflows that name an event ({@code workflow.trigger}) once per matching event:
 * every field of the trigger's {@code filter} must equal the event's. A run per workflow and
 * event id, however often the event is delivered or by how many replicas (a unique index, and
 * the inbox). The run acts for whoever applied the workflow's current revision, and takes the
 * event (and the file it names) as its input ({@link RunFiles}): a harvest transfer's files, or
 * an upload's file.
 */
@Component
class Triggers {

	static final String CONSUMER = "workflow-triggers";

	private final DatabaseClient database;

	private final EventInbox inbox;

	private final Runs runs;

	private final JsonMapper json;

	Triggers(DatabaseClient database, EventInbox inbox, Runs runs, JsonMapper json) {
		this.database = database;
		this.inbox = inbox;
		this.runs = runs;
		this.json = json;
	}

	// Kafka's listener thread: waiting keeps the offset behind the runs it queued.
	@KafkaListener(topics = { Topics.HARVEST, Topics.UPLOAD }, groupId = "workflow-service-triggers" + Topics.GROUP_SUFFIX)
	void onEvent(ConsumerRecord<String, String> record) {
		this.inbox.applyOnce(record, CONSUMER, Duration.ofSeconds(30), (event) -> {
			if (!WorkflowSpec.TRIGGERS.containsKey(event.type()) || event.data() == null) {
				return null;
			}
			return start(event);
		});
	}

	private reactor.core.publisher.Mono<Long> start(CloudEvent event) {
		JsonNode data = event.data();
		return this.database
			.sql("SELECT s.id, s.revision, s.spec FROM resource s WHERE s.trigger_event = :type AND s.type = 'workflow' "
					+ "AND s.deleted_at IS NULL")
			.bind("type", event.type())
			.map((row) -> new Candidate(row.get("id", UUID.class), row.get("revision", Integer.class),
					this.json.readTree(Json.text(row, "spec"))))
			.all()
			.filter((candidate) -> matches(candidate.spec().path("workflow").path("trigger").path("filter"), data))
			.concatMap((candidate) -> this.runs.queue(candidate.id(), candidate.revision(),
					candidate.spec().path("workflow").path("dag"), "event", null, false,
					new Runs.Event(event.id(), event.type(), data.toString())))
			.count();
	}

	/** Whether every field the filter names has the same value in the event's data. */
	static boolean matches(JsonNode filter, JsonNode data) {
		for (String field : filter.propertyNames()) {
			JsonNode value = data.path(field);
			if (!value.isValueNode() || !value.asString().equalsIgnoreCase(filter.path(field).asString())) {
				return false;
			}
		}
		return true;
	}

	private record Candidate(UUID id, int revision, JsonNode spec) {
	}

}
