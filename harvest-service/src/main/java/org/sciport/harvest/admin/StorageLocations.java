package org.sciport.harvest.admin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.harvest.HarvestProperties;
import org.sciport.commons.secrets.SecretBox;
import org.sciport.harvest.storage.StorageTargets;
import org.sciport.harvest.web.Administered;
import org.sciport.harvest.web.Body;
import org.sciport.harvest.web.Sql;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where harvested files go. A {@code posix} location is a directory on this host under the
 * allowed roots; an {@code s3} location a bucket (with region, endpoint and credentials in
 * {@code connection_config}). The secret key is sealed at rest and answered as {@code "****"};
 * a PATCH that sends {@code "****"} back keeps the stored one.
 */
@Service
public class StorageLocations {

	/** What a secret is answered as. */
	public static final String MASK = "****";

	static final Set<String> FIELDS = Set.of("name", "type", "base_path", "enabled", "connection_config");

	private static final Set<String> S3_FIELDS = Set.of("bucket", "region", "endpoint_url", "access_key_id",
			"secret_access_key", "path_style");

	private final DatabaseClient database;

	private final Administered rows;

	private final TransactionalOperator transactions;

	private final SecretBox secrets;

	private final HarvestProperties properties;

	private final StorageTargets targets;

	private final JsonMapper json;

	StorageLocations(DatabaseClient database, TransactionalOperator transactions, SecretBox secrets,
			HarvestProperties properties, StorageTargets targets, JsonMapper json) {
		this.rows = new Administered(database, "storage_location", "storage location", "created_at, id", this::view);
		this.database = database;
		this.transactions = transactions;
		this.secrets = secrets;
		this.properties = properties;
		this.targets = targets;
		this.json = json;
	}

	public Mono<List<Map<String, Object>>> list(long offset, int limit) {
		return this.rows.list(offset, limit);
	}

	public Mono<Long> count() {
		return this.rows.count();
	}

	public Mono<Map<String, Object>> get(UUID id) {
		return this.rows.get(id);
	}

	public Mono<Map<String, Object>> create(Body body) {
		String name = body.required("name", 200);
		String type = type(body.required("type", 10));
		Mono<Settings> settings = settings(type, body, null);
		return settings.flatMap((checked) -> {
			UUID id = UUID.randomUUID();
			Instant now = Instant.now();
			return this.database
				.sql("INSERT INTO storage_location (id, name, type, base_path, enabled, connection_config, secret_sealed, "
						+ "created_at, updated_at) VALUES (:id, :name, :type, :basePath, :enabled, :config::jsonb, :secret, :now, :now)")
				.bind("id", id)
				.bind("name", name)
				.bind("type", type)
				.bind("basePath", checked.basePath())
				.bind("enabled", Boolean.TRUE.equals(body.bool("enabled")) || !body.has("enabled"))
				.bind("config", checked.config())
				.bind("now", now)
				.bindValues(secret(checked))
				.then()
				.onErrorMap(DataIntegrityViolationException.class,
						(ex) -> new ConflictException("a storage location named '" + name + "' exists"))
				.then(Mono.defer(() -> get(id)));
		});
	}

	public Mono<Map<String, Object>> update(UUID id, Body body) {
		return this.transactions.transactional(this.database
			.sql("SELECT * FROM storage_location WHERE id = :id AND deleted_at IS NULL FOR UPDATE")
			.bind("id", id)
			.map((row) -> row)
			.one()
			.map(Stored::of)
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no storage location " + id)))
			.flatMap((stored) -> {
				String name = body.has("name") ? body.required("name", 200) : stored.name();
				String type = body.has("type") ? type(body.required("type", 10)) : stored.type();
				return settings(type, body, stored).flatMap((checked) -> this.database
					.sql("UPDATE storage_location SET name = :name, type = :type, base_path = :basePath, enabled = :enabled, "
							+ "connection_config = :config::jsonb, secret_sealed = :secret, updated_at = now() WHERE id = :id")
					.bind("id", id)
					.bind("name", name)
					.bind("type", type)
					.bind("basePath", checked.basePath())
					.bind("enabled", body.has("enabled") ? Boolean.TRUE.equals(body.bool("enabled")) : stored.enabled())
					.bind("config", checked.config())
					.bindValues(secret(checked))
					.then()
					.onErrorMap(DataIntegrityViolationException.class,
							(ex) -> new ConflictException("a storage location named '" + name + "' exists")));
			}))
			.then(Mono.defer(() -> get(id)));
	}

	public Mono<Void> delete(UUID id) {
		return this.rows.delete(id);
	}

	/**
	 * Writes, reads back and deletes a probe at the location, and says which step failed.
	 */
	public Mono<Map<String, Object>> test(UUID id) {
		return this.targets.target(id).flatMap((target) -> target.probe())
			.onErrorResume(StorageTargets.Unavailable.class,
					(ex) -> Mono.just(new StorageTargets.Probe(false, "open", ex.getMessage())))
			.map((result) -> {
			Map<String, Object> answer = new LinkedHashMap<>();
			answer.put("ok", result.ok());
			answer.put("step", result.step());
			answer.put("detail", result.detail());
			return answer;
		});
	}

	private Map<String, Object> view(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", UUID.class));
		view.put("name", row.get("name", String.class));
		view.put("type", row.get("type", String.class));
		view.put("base_path", row.get("base_path", String.class));
		view.put("enabled", row.get("enabled", Boolean.class));
		ObjectNode config = (ObjectNode) this.json.readTree(Sql.json(row, "connection_config"));
		if (row.get("secret_sealed", String.class) != null) {
			config.put("secret_access_key", MASK);
		}
		view.put("connection_config", config);
		view.put("created_at", row.get("created_at", Instant.class));
		view.put("updated_at", row.get("updated_at", Instant.class));
		return view;
	}

	private static Map<String, Object> secret(Settings settings) {
		return Map.of("secret", (settings.secret() != null) ? settings.secret()
				: org.springframework.r2dbc.core.Parameter.empty(String.class));
	}

	private static String type(String type) {
		if (!type.equals("posix") && !type.equals("s3")) {
			throw new ValidationException("type", "type must be posix or s3");
		}
		return type;
	}

	/**
	 * The checked base path, connection settings (without the secret) and sealed secret.
	 */
	private record Settings(String basePath, String config, @Nullable String secret) {
	}

	private record Stored(String name, String type, String basePath, boolean enabled, String config,
			@Nullable String secret) {

		static Stored of(Readable row) {
			return new Stored(row.get("name", String.class), row.get("type", String.class),
					row.get("base_path", String.class), Boolean.TRUE.equals(row.get("enabled", Boolean.class)),
					Sql.json(row, "connection_config"), row.get("secret_sealed", String.class));
		}

	}

	private Mono<Settings> settings(String type, Body body, @Nullable Stored stored) {
		String basePath = body.has("base_path") ? body.text("base_path", 4096)
				: (stored != null) ? stored.basePath() : null;
		JsonNode given = body.object("connection_config");
		if ("posix".equals(type)) {
			if (basePath == null || basePath.isBlank()) {
				throw new ValidationException("base_path", "base_path is required for a posix location");
			}
			return Mono.fromCallable(() -> new Settings(
					Paths.underRoots("base_path", basePath, this.properties.allowedRoots()).toString(), "{}", null))
				.subscribeOn(Schedulers.boundedElastic());
		}
		ObjectNode config = (given != null) ? (ObjectNode) given.deepCopy()
				: (stored != null) ? (ObjectNode) this.json.readTree(stored.config()) : this.json.createObjectNode();
		for (String field : config.propertyNames()) {
			if (!S3_FIELDS.contains(field)) {
				throw new ValidationException("connection_config." + field, "unknown field '" + field + "'");
			}
			JsonNode value = config.get(field);
			if (!(value.isString() || value.isNull() || ("path_style".equals(field) && value.isBoolean()))) {
				throw new ValidationException("connection_config." + field, field + " must be a string");
			}
		}
		if (!config.path("bucket").isString() || config.path("bucket").asString().isBlank()) {
			throw new ValidationException("connection_config.bucket", "an s3 location needs connection_config.bucket");
		}
		String secret = (stored != null) ? stored.secret() : null;
		JsonNode key = config.remove("secret_access_key");
		if (key != null && !key.isNull() && !MASK.equals(key.asString())) {
			secret = this.secrets.seal(key.asString());
		}
		else if (key != null && key.isNull()) {
			secret = null;
		}
		return Mono.just(new Settings((basePath != null) ? basePath : "", config.toString(), secret));
	}

}
