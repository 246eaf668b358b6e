package org.sciport.dataset.webhooks;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.page.Page;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.security.Caller;
import org.sciport.commons.webhook.WebhookSignature;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Webhook subscriptions: each user's own (another's is a 404, as a missing one). A signing secret
 * is stored sealed ({@code SecretBox}, AES-256-GCM) and shown when it is made (at creation, given or generated, and at a rotation) and never again; a
 * rotation keeps the secret before it signing beside the new one for
 * {@code sciport.webhooks.secret-grace}. A ping queues a {@code webhook.ping} delivery.
 */
@Service
public class Webhooks {

	/** The fields a subscription is created and changed with. */
	private static final List<String> FIELDS = List.of("url", "events", "resources", "description", "secret", "active");

	private final DatabaseClient database;

	private final Destinations destinations;

	private final WebhookProperties properties;

	private final JsonMapper json;

	private final SecureRandom random = new SecureRandom();

	private final org.springframework.beans.factory.ObjectProvider<org.sciport.commons.secrets.SecretBox> box;

	Webhooks(DatabaseClient database, Destinations destinations, WebhookProperties properties, JsonMapper json,
			org.springframework.beans.factory.ObjectProvider<org.sciport.commons.secrets.SecretBox> box) {
		this.box = box;
		this.database = database;
		this.destinations = destinations;
		this.properties = properties;
		this.json = json;
	}

	public Mono<Map<String, Object>> create(Caller caller, JsonNode body) {
		return Mono.defer(() -> {
			known(body);
			String url = text(body, "url");
			if (url == null) {
				throw new ValidationException("url", "url is required");
			}
			List<String> events = list(body, "events");
			EventNames.check(events);
			List<String> resources = list(body, "resources");
			String secret = text(body, "secret");
			if (secret != null) {
				try {
					WebhookSignature.of(secret);
				}
				catch (IllegalArgumentException ex) {
					throw new ValidationException("secret", ex.getMessage());
				}
			}
			String chosen = (secret != null) ? secret : WebhookSignature.generate(this.random);
			UUID id = UUID.randomUUID();
			return checked(url).flatMap((uri) -> this.database
				.sql("INSERT INTO webhook_subscription (id, owner_id, owner_admin, url, description, events, resources, secret, "
						+ "active, created_at, updated_at) VALUES (:id, :owner, :admin, :url, :description, :events, :resources, "
						+ ":secret, :active, now(), now())")
				.bind("id", id)
				.bind("owner", UUID.fromString(caller.userId()))
				.bind("admin", caller.isAdmin())
				.bind("url", uri.toString())
				.bindValues(Map.of("description", nullable(text(body, "description"))))
				.bind("events", events.toArray(String[]::new))
				.bind("resources", (resources != null) ? resources.toArray(String[]::new) : new String[0])
				.bind("secret", this.box.getObject().seal(chosen))
				.bind("active", !body.has("active") || body.path("active").asBoolean(true))
				.then())
				.then(find(caller, id))
				.map((view) -> withSecret(view, chosen));
		});
	}

	public Mono<Page<Map<String, Object>>> list(Caller caller, PageRequest page) {
		UUID me = UUID.fromString(caller.userId());
		Mono<Long> total = this.database
			.sql("SELECT count(*) AS n FROM webhook_subscription WHERE owner_id = :me AND deleted_at IS NULL")
			.bind("me", me)
			.map((row) -> row.get("n", Long.class))
			.one();
		Mono<List<Map<String, Object>>> items = this.database
			.sql("SELECT * FROM webhook_subscription WHERE owner_id = :me AND deleted_at IS NULL ORDER BY created_at, id "
					+ "LIMIT :limit OFFSET :offset")
			.bind("me", me)
			.bind("limit", page.perPage())
			.bind("offset", page.offset())
			.map(this::view)
			.all()
			.collectList();
		return Mono.zip(items, total).map((found) -> Page.of(found.getT1(), found.getT2(), page, "/v1/webhooks"));
	}

	public Mono<Map<String, Object>> get(Caller caller, UUID id) {
		return find(caller, id);
	}

	public Mono<Map<String, Object>> update(Caller caller, UUID id, JsonNode body) {
		return find(caller, id).flatMap((found) -> Mono.defer(() -> {
			known(body);
			if (body.has("secret")) {
				throw new ValidationException("secret", "a secret is changed by POST /v1/webhooks/{id}/rotate");
			}
			List<String> events = body.has("events") ? list(body, "events") : null;
			if (body.has("events")) {
				EventNames.check(events);
			}
			List<String> resources = body.has("resources") ? list(body, "resources") : null;
			String url = body.has("url") ? text(body, "url") : null;
			if (body.has("url") && url == null) {
				throw new ValidationException("url", "url must be an http or https URL");
			}
			Mono<URI> destination = (url != null) ? checked(url) : Mono.empty();
			Boolean active = body.has("active") ? body.path("active").asBoolean() : null;
			return destination.map(URI::toString).defaultIfEmpty("").flatMap((checkedUrl) -> this.database
				.sql("UPDATE webhook_subscription SET url = coalesce(CAST(:url AS text), url), "
						+ "events = coalesce(CAST(:events AS text[]), events), resources = coalesce(CAST(:resources AS text[]), "
						+ "resources), description = CASE WHEN :described THEN CAST(:description AS text) ELSE description END, "
						+ "active = coalesce(CAST(:active AS boolean), active), disabled_reason = CASE WHEN CAST(:active AS boolean) "
						+ "THEN NULL ELSE disabled_reason END, failing_since = CASE WHEN CAST(:active AS boolean) THEN NULL "
						+ "ELSE failing_since END, updated_at = now() WHERE id = :id")
				.bindValues(values(checkedUrl.isEmpty() ? null : checkedUrl, events, resources, body.has("description"),
						text(body, "description"), active))
				.bind("id", id)
				.then())
				.then(find(caller, id));
		}));
	}

	public Mono<Void> delete(Caller caller, UUID id) {
		return find(caller, id).then(this.database
			.sql("UPDATE webhook_subscription SET deleted_at = now(), active = false, updated_at = now() WHERE id = :id")
			.bind("id", id)
			.then());
	}

	/** A new secret; the one before it still signs for the grace period. */
	public Mono<Map<String, Object>> rotate(Caller caller, UUID id) {
		String secret = WebhookSignature.generate(this.random);
		return find(caller, id).then(this.database
			.sql("UPDATE webhook_subscription SET previous_secret = secret, previous_until = :until, secret = :secret, "
					+ "updated_at = now() WHERE id = :id")
			.bind("until", Instant.now().plus(this.properties.secretGrace()))
			.bind("secret", this.box.getObject().seal(secret))
			.bind("id", id)
			.then())
			.then(find(caller, id))
			.map((view) -> {
				Map<String, Object> answer = withSecret(view, secret);
				answer.put("previous_secret_valid_until", Instant.now().plus(this.properties.secretGrace()));
				return answer;
			});
	}

	/** Queues a {@code webhook.ping} to the subscription; answers the delivery. */
	public Mono<Map<String, Object>> ping(Caller caller, UUID id) {
		UUID delivery = UUID.randomUUID();
		Map<String, Object> payload = new LinkedHashMap<>();
		payload.put("event", "webhook.ping");
		payload.put("type", "sciport.webhook.ping");
		payload.put("id", delivery.toString());
		payload.put("timestamp", Instant.now().toString());
		payload.put("webhook_id", id.toString());
		return find(caller, id).then(this.database
			.sql("INSERT INTO webhook_delivery (id, subscription_id, event_id, event_type, subject, payload, status, "
					+ "next_attempt_at, created_at) VALUES (:id, :subscription, :event, 'sciport.webhook.ping', :subscription, "
					+ ":payload, 'pending', now(), now())")
			.bind("id", delivery)
			.bind("subscription", id)
			.bind("event", delivery.toString())
			.bind("payload", this.json.writeValueAsString(payload))
			.then())
			.then(delivery(id, delivery));
	}

	/** The subscription's deliveries, newest first, each with its attempts. */
	public Mono<Page<Map<String, Object>>> deliveries(Caller caller, UUID id, PageRequest page) {
		return find(caller, id).then(Mono.zip(this.database
			.sql("SELECT id FROM webhook_delivery WHERE subscription_id = :id ORDER BY seq DESC LIMIT :limit OFFSET :offset")
			.bind("id", id)
			.bind("limit", page.perPage())
			.bind("offset", page.offset())
			.map((row) -> row.get("id", UUID.class))
			.all()
			.concatMap((delivery) -> delivery(id, delivery))
			.collectList(),
				this.database.sql("SELECT count(*) AS n FROM webhook_delivery WHERE subscription_id = :id")
					.bind("id", id)
					.map((row) -> row.get("n", Long.class))
					.one()))
			.map((found) -> Page.of(found.getT1(), found.getT2(), page, "/v1/webhooks/" + id + "/deliveries"));
	}

	/** Sends a delivery again (with the same {@code webhook-id}), now. */
	public Mono<Map<String, Object>> redeliver(Caller caller, UUID id, UUID delivery) {
		return find(caller, id).then(this.database
			.sql("UPDATE webhook_delivery SET status = 'pending', next_attempt_at = now(), lease_until = NULL "
					+ "WHERE id = :delivery AND subscription_id = :id AND status IN ('delivered', 'failed', 'pending')")
			.bind("delivery", delivery)
			.bind("id", id)
			.fetch()
			.rowsUpdated())
			.flatMap((updated) -> delivery(id, delivery));
	}

	private Mono<Map<String, Object>> delivery(UUID subscription, UUID delivery) {
		Mono<List<Map<String, Object>>> attempts = this.database
			.sql("SELECT * FROM webhook_attempt WHERE delivery_id = :id ORDER BY attempt")
			.bind("id", delivery)
			.map((row) -> {
				Map<String, Object> attempt = new LinkedHashMap<>();
				attempt.put("attempt", row.get("attempt", Integer.class));
				attempt.put("at", row.get("at", Instant.class));
				attempt.put("outcome", row.get("outcome", String.class));
				attempt.put("status_code", row.get("status_code", Integer.class));
				attempt.put("latency_ms", row.get("latency_ms", Integer.class));
				attempt.put("error", row.get("error", String.class));
				attempt.put("response_excerpt", row.get("response_excerpt", String.class));
				return attempt;
			})
			.all()
			.collectList();
		return this.database.sql("SELECT * FROM webhook_delivery WHERE id = :id AND subscription_id = :subscription")
			.bind("id", delivery)
			.bind("subscription", subscription)
			.map((row) -> {
				Map<String, Object> view = new LinkedHashMap<>();
				view.put("id", row.get("id", UUID.class));
				view.put("event_id", row.get("event_id", String.class));
				view.put("event_type", row.get("event_type", String.class));
				view.put("subject", row.get("subject", String.class));
				view.put("status", row.get("status", String.class));
				view.put("attempt_count", row.get("attempts", Integer.class));
				view.put("last_status_code", row.get("last_status_code", Integer.class));
				view.put("last_error", row.get("last_error", String.class));
				view.put("next_attempt_at", row.get("next_attempt_at", Instant.class));
				view.put("created_at", row.get("created_at", Instant.class));
				view.put("delivered_at", row.get("delivered_at", Instant.class));
				return view;
			})
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("No delivery " + delivery)))
			.zipWith(attempts, (view, list) -> {
				view.put("attempts", list);
				return view;
			});
	}

	private Mono<Map<String, Object>> find(Caller caller, UUID id) {
		return this.database
			.sql("SELECT * FROM webhook_subscription WHERE id = :id AND owner_id = :me AND deleted_at IS NULL")
			.bind("id", id)
			.bind("me", UUID.fromString(caller.userId()))
			.map(this::view)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("No webhook " + id)));
	}

	private Mono<URI> checked(String url) {
		// Resolving the host blocks: not on an event loop.
		return Mono.fromCallable(() -> this.destinations.check(url)).subscribeOn(Schedulers.boundedElastic());
	}

	private Map<String, Object> view(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", UUID.class));
		view.put("url", row.get("url", String.class));
		view.put("description", row.get("description", String.class));
		view.put("events", List.of(row.get("events", String[].class)));
		view.put("resources", List.of(row.get("resources", String[].class)));
		view.put("active", row.get("active", Boolean.class));
		view.put("disabled_reason", row.get("disabled_reason", String.class));
		view.put("created_at", row.get("created_at", Instant.class));
		view.put("updated_at", row.get("updated_at", Instant.class));
		return view;
	}

	private static Map<String, Object> withSecret(Map<String, Object> view, String secret) {
		Map<String, Object> answer = new LinkedHashMap<>(view);
		answer.put("secret", secret);
		return answer;
	}

	private static void known(JsonNode body) {
		if (!body.isObject()) {
			throw new ValidationException("body", "the body is a JSON object");
		}
		for (String field : body.propertyNames()) {
			if (!FIELDS.contains(field)) {
				throw new ValidationException(field, "unknown field '" + field + "'; known: " + String.join(", ", FIELDS));
			}
		}
	}

	private static @Nullable String text(JsonNode body, String field) {
		JsonNode value = body.path(field);
		if (value.isMissingNode() || value.isNull()) {
			return null;
		}
		if (!value.isString() || value.asString().isBlank() || value.asString().length() > 2000) {
			throw new ValidationException(field, field + " must be a text of at most 2,000 characters");
		}
		return value.asString().trim();
	}

	private static @Nullable List<String> list(JsonNode body, String field) {
		JsonNode value = body.path(field);
		if (value.isMissingNode() || value.isNull()) {
			return null;
		}
		if (!value.isArray() || value.size() > 100) {
			throw new ValidationException(field, field + " is a list of at most 100 names");
		}
		List<String> names = new ArrayList<>();
		for (JsonNode name : value) {
			if (!name.isString() || name.asString().isBlank() || name.asString().length() > 120) {
				throw new ValidationException(field, field + " holds names (texts of at most 120 characters)");
			}
			names.add(name.asString().trim());
		}
		return names;
	}

	private static Object nullable(@Nullable String value) {
		return (value != null) ? value : Parameter.empty(String.class);
	}

	private static Map<String, Object> values(@Nullable String url, @Nullable List<String> events,
			@Nullable List<String> resources, boolean described, @Nullable String description, @Nullable Boolean active) {
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("url", nullable(url));
		values.put("events", (events != null) ? events.toArray(String[]::new) : Parameter.empty(String[].class));
		values.put("resources", (resources != null) ? resources.toArray(String[]::new) : Parameter.empty(String[].class));
		values.put("described", described);
		values.put("description", nullable(description));
		values.put("active", (active != null) ? active : Parameter.empty(Boolean.class));
		return values;
	}

}
