package org.sciport.dataset.webhooks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.Topics;
import org.sciport.commons.inbox.EventInbox;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Matches every Sciport event to the active subscriptions and queues one
 * delivery per subscription and event ({@code UNIQUE (subscription_id, event_id)}: a replayed
 * event queues nothing more), with the payload it will be sent with every time.
 * <p>
 * A subscriber receives an event only about an object they may read: an administrator's
 * subscription every event; anyone else's an event whose {@code owner_id}, {@code user_id},
 * {@code requested_by} or {@code created_by} is them, or about a dataset they may read (owner, a
 * share with them or their team, or public), a project they own, or a team they are in. Other
 * events (a harvest run, whose access another service decides; a workflow resource of someone
 * else's workspace) reach administrators only.
 * <p>
 * The payload: {@code event} (the type without {@code sciport.}, and for workflow-service's
 * resources seed 003's {@code resource.created|updated|deleted}), {@code type}, {@code id},
 * {@code timestamp}, {@code subject}, and the event's {@code data}, or for a resource seed 003's
 * {@code resource} ({@code type}, {@code name}, {@code workspace}, {@code status}, ...).
 */
@Component
class WebhookEvents {

	static final String CONSUMER = "webhooks";

	private static final String RESOURCE = "sciport.workflow.resource.";

	private final DatabaseClient database;

	private final EventInbox inbox;

	private final JsonMapper json;

	WebhookEvents(DatabaseClient database, EventInbox inbox, JsonMapper json) {
		this.database = database;
		this.inbox = inbox;
		this.json = json;
	}

	// Kafka's listener thread: waiting keeps the offset behind the deliveries queued.
	@KafkaListener(topics = { Topics.AUTH, Topics.UPLOAD, Topics.DATASET, Topics.HARVEST, Topics.WORKFLOW,
			Topics.GATEWAY }, groupId = "dataset-service-webhooks" + Topics.GROUP_SUFFIX)
	void onEvent(ConsumerRecord<String, String> record) {
		this.inbox.applyOnce(record, CONSUMER, Duration.ofSeconds(30), this::queue);
	}

	/** A subscription as matching reads it. */
	private record Subscription(UUID id, UUID owner, boolean admin, List<String> events, List<String> resources) {
	}

	Mono<Long> queue(CloudEvent event) {
		JsonNode data = (event.data() != null) ? event.data() : this.json.createObjectNode();
		String payload = this.json.writeValueAsString(payload(event, data));
		return this.database
			.sql("SELECT id, owner_id, owner_admin, events, resources FROM webhook_subscription "
					+ "WHERE active AND deleted_at IS NULL")
			.map((row) -> new Subscription(row.get("id", UUID.class), row.get("owner_id", UUID.class),
					Boolean.TRUE.equals(row.get("owner_admin", Boolean.class)), List.of(row.get("events", String[].class)),
					List.of(row.get("resources", String[].class))))
			.all()
			.filter((subscription) -> EventNames.anyMatches(subscription.events(), event.type()))
			.filter((subscription) -> subscription.resources().isEmpty() || !event.type().startsWith(RESOURCE)
					|| subscription.resources().contains(data.path("type").asString("")))
			.filterWhen((subscription) -> readable(subscription, data))
			.concatMap((subscription) -> this.database
				.sql("INSERT INTO webhook_delivery (id, subscription_id, event_id, event_type, subject, payload, status, "
						+ "next_attempt_at, created_at) VALUES (:id, :subscription, :event, :type, :subject, :payload, "
						+ "'pending', now(), now()) ON CONFLICT (subscription_id, event_id) DO NOTHING")
				.bind("id", UUID.randomUUID())
				.bind("subscription", subscription.id())
				.bind("event", event.id())
				.bind("type", event.type())
				.bind("subject", event.subject())
				.bind("payload", payload)
				.fetch()
				.rowsUpdated())
			.reduce(0L, Long::sum);
	}

	/** Whether the subscriber may read what the event is about. */
	private Mono<Boolean> readable(Subscription subscription, JsonNode data) {
		if (subscription.admin()) {
			return Mono.just(true);
		}
		String me = subscription.owner().toString();
		for (String field : List.of("owner_id", "user_id", "requested_by", "created_by")) {
			if (me.equalsIgnoreCase(data.path(field).asString(""))) {
				return Mono.just(true);
			}
		}
		UUID dataset = uuid(data.path("dataset_id").asString(null));
		String project = data.path("project_id").asString(null);
		UUID team = uuid(data.path("team_id").asString(null));
		if (dataset == null && project == null && team == null) {
			return Mono.just(false);
		}
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("me", subscription.owner());
		values.put("dataset", (dataset != null) ? dataset : org.springframework.r2dbc.core.Parameter.empty(UUID.class));
		values.put("project", (project != null) ? project : org.springframework.r2dbc.core.Parameter.empty(String.class));
		values.put("team", (team != null) ? team : org.springframework.r2dbc.core.Parameter.empty(UUID.class));
		return this.database
			.sql("SELECT EXISTS (SELECT 1 FROM dataset d WHERE d.id = CAST(:dataset AS uuid) AND (d.owner_id = :me "
					+ "OR d.is_public OR EXISTS (SELECT 1 FROM dataset_share s JOIN team_member m ON m.team_id = s.team_id "
					+ "AND m.user_id = :me WHERE s.dataset_id = d.id) OR EXISTS (SELECT 1 FROM dataset_user_share u "
					+ "WHERE u.dataset_id = d.id AND u.user_id = :me))) OR EXISTS (SELECT 1 FROM project p "
					+ "WHERE p.id = CAST(:project AS text) AND p.owner_id = :me) OR EXISTS (SELECT 1 FROM team_member t "
					+ "WHERE t.team_id = CAST(:team AS uuid) AND t.user_id = :me) AS readable")
			.bindValues(values)
			.map((row) -> Boolean.TRUE.equals(row.get("readable", Boolean.class)))
			.one()
			.defaultIfEmpty(false);
	}

	private Map<String, Object> payload(CloudEvent event, JsonNode data) {
		Map<String, Object> payload = new LinkedHashMap<>();
		boolean resource = event.type().startsWith(RESOURCE);
		payload.put("event", resource ? "resource." + event.type().substring(RESOURCE.length())
				: event.type().replaceFirst("^sciport\\.", ""));
		payload.put("type", event.type());
		payload.put("id", event.id());
		payload.put("timestamp", event.time().toString());
		payload.put("subject", event.subject());
		if (resource) {
			Map<String, Object> view = new LinkedHashMap<>();
			for (String field : List.of("type", "name", "workspace", "status", "version", "revision", "resource_id")) {
				if (data.has(field)) {
					view.put(field.equals("resource_id") ? "id" : field, data.get(field));
				}
			}
			payload.put("resource", view);
		}
		else {
			payload.put("data", data);
		}
		return payload;
	}

	private static @Nullable UUID uuid(@Nullable String value) {
		try {
			return (value != null) ? UUID.fromString(value) : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

}
