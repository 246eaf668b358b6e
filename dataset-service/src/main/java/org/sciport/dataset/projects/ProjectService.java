package org.sciport.dataset.projects;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.event.CatalogueEvents;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.page.Page;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.security.Caller;
import org.sciport.dataset.web.JsonFields;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Projects, each its owner's alone (administrators see all); another user's project is "not
 * found". Every change is announced ({@code sciport.project.created|updated|deleted}).
 */
@Service
public class ProjectService {

	private static final Map<String, String> SORTS = Map.of("created_at", "created_at", "updated_at", "updated_at",
			"name", "lower(name)");

	private static final Set<String> FIELDS = Set.of("name", "description", "settings");

	private final SecureRandom random = new SecureRandom();

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	private final JsonMapper json;

	ProjectService(DatabaseClient database, TransactionalOperator transactions, OutboxWriter outbox, CloudEventCodec codec,
			JsonMapper json) {
		this.database = database;
		this.transactions = transactions;
		this.outbox = outbox;
		this.codec = codec;
		this.json = json;
	}

	public Mono<Project> create(Caller caller, JsonNode body) {
		fields(body);
		String name = text(body, "name", 200);
		if (name == null) {
			return Mono.error(new ValidationException("name", "name is required"));
		}
		String id = "proj_" + HexFormat.of().formatHex(randomBytes());
		Instant now = Instant.now();
		Mono<Void> insert = this.database
			.sql("INSERT INTO project (id, owner_id, name, description, settings, created_at, updated_at) "
					+ "VALUES (:id, :owner, :name, :description, :settings, :now, :now)")
			.bind("id", id)
			.bind("owner", UUID.fromString(caller.userId()))
			.bind("name", name)
			.bind("description", description(body))
			.bind("settings", Json.of(settings(body, true).toString()))
			.bind("now", now)
			.then()
			.then(announce(id, new CatalogueEvents.ProjectCreated(id, caller.userId(), name)));
		return this.transactions.transactional(insert).then(Mono.defer(() -> get(caller, id)));
	}

	public Mono<Project> get(Caller caller, String id) {
		return this.database.sql("SELECT * FROM project WHERE id = :id AND deleted_at IS NULL AND (owner_id = :me OR :admin)")
			.bind("id", id)
			.bind("me", UUID.fromString(caller.userId()))
			.bind("admin", caller.isAdmin())
			.map(this::row)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("No such project")));
	}

	public Mono<Page<Project>> list(Caller caller, PageRequest page, @Nullable String sort, @Nullable String order,
			String basePath) {
		String column = SORTS.get((sort != null) ? sort : "created_at");
		if (column == null) {
			return Mono.error(new ValidationException("sort", "sort must be one of " + SORTS.keySet().stream().sorted().toList()));
		}
		String direction = (order == null || order.equalsIgnoreCase("desc")) ? "DESC"
				: order.equalsIgnoreCase("asc") ? "ASC" : null;
		if (direction == null) {
			return Mono.error(new ValidationException("order", "order must be asc or desc"));
		}
		UUID me = UUID.fromString(caller.userId());
		Mono<Long> total = this.database.sql("SELECT count(*) AS n FROM project WHERE deleted_at IS NULL AND (owner_id = :me OR :admin)")
			.bind("me", me)
			.bind("admin", caller.isAdmin())
			.map((row) -> row.get("n", Long.class))
			.one();
		Mono<List<Project>> projects = this.database
			.sql("SELECT * FROM project WHERE deleted_at IS NULL AND (owner_id = :me OR :admin) ORDER BY " + column + " " + direction + ", id "
					+ direction + " LIMIT :limit OFFSET :offset")
			.bind("me", me)
			.bind("admin", caller.isAdmin())
			.bind("limit", page.perPage())
			.bind("offset", page.offset())
			.map(this::row)
			.all()
			.collectList();
		return Mono.zip(projects, total).map((both) -> Page.of(both.getT1(), both.getT2(), page, basePath));
	}

	public Mono<Project> update(Caller caller, String id, JsonNode body) {
		List<String> changed = fields(body);
		if (changed.isEmpty()) {
			return Mono.error(new ValidationException(null, "nothing to change"));
		}
		String name = text(body, "name", 200);
		List<String> sets = new ArrayList<>(List.of("updated_at = now()"));
		if (name != null) {
			sets.add("name = :name");
		}
		if (body.has("description")) {
			sets.add("description = :description");
		}
		if (body.has("settings")) {
			sets.add("settings = :settings");
		}
		return get(caller, id).flatMap((project) -> {
			DatabaseClient.GenericExecuteSpec update = this.database
				.sql("UPDATE project SET " + String.join(", ", sets) + " WHERE id = :id AND deleted_at IS NULL")
				.bind("id", id);
			if (name != null) {
				update = update.bind("name", name);
			}
			if (body.has("description")) {
				update = update.bind("description", description(body));
			}
			if (body.has("settings")) {
				update = update.bind("settings", Json.of(settings(body, false).toString()));
			}
			Mono<Void> write = update.then()
				.then(announce(id, new CatalogueEvents.ProjectUpdated(id, changed.toString())));
			return this.transactions.transactional(write).then(Mono.defer(() -> get(caller, id)));
		});
	}

	/**
	 * Marks the project deleted: it and its data records are gone from the API at once, the
	 * usage history it is part of stays.
	 */
	public Mono<Void> delete(Caller caller, String id) {
		return get(caller, id).flatMap((project) -> this.transactions.transactional(this.database
			.sql("UPDATE project SET deleted_at = now(), updated_at = now() WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.then()
			.then(announce(id, new CatalogueEvents.ProjectDeleted(id)))));
	}

	private Mono<Void> announce(String id, CatalogueEvents.Event event) {
		return this.outbox.append(Topics.DATASET,
				CloudEvent.create(CatalogueEvents.SOURCE, event.type(), id, this.codec.toData(event)));
	}

	private Project row(Readable row) {
		Json settings = row.get("settings", Json.class);
		return new Project(row.get("id", String.class), row.get("name", String.class), row.get("description", String.class),
				(settings != null) ? this.json.readTree(settings.asString()) : this.json.createObjectNode(),
				row.get("created_at", Instant.class), row.get("updated_at", Instant.class));
	}

	private byte[] randomBytes() {
		byte[] bytes = new byte[12];
		this.random.nextBytes(bytes);
		return bytes;
	}

	private static List<String> fields(JsonNode body) {
		return JsonFields.known(body, FIELDS);
	}

	private static @Nullable String text(JsonNode body, String field, int max) {
		return JsonFields.name(body, field, max);
	}

	private static String description(JsonNode body) {
		JsonNode value = body.get("description");
		if (value == null || value.isNull()) {
			return "";
		}
		if (!value.isString() || value.asString().length() > 10_000) {
			throw new ValidationException("description", "description must be a string of at most 10000 characters");
		}
		return value.asString();
	}

	private JsonNode settings(JsonNode body, boolean creating) {
		JsonNode value = body.get("settings");
		if (value == null || (creating && value.isNull())) {
			return this.json.createObjectNode();
		}
		if (!value.isObject() || value.toString().length() > 65_536) {
			throw new ValidationException("settings", "settings must be a JSON object of at most 64 KiB");
		}
		return value;
	}

}
