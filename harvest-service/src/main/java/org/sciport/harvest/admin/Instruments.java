package org.sciport.harvest.admin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.harvest.HarvestProperties;
import org.sciport.harvest.web.Administered;
import org.sciport.harvest.web.Body;
import org.sciport.harvest.web.Sql;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The instruments files are harvested from, each with its source: {@code local} (a directory on
 * this host, under the allowed roots), {@code sftp} (host, port and the pinned SHA-256 host key
 * fingerprint) or {@code smb} (a Windows share: {@code cifs_host}, {@code cifs_share},
 * {@code cifs_base_path}, and {@code cifs_port} when it is not 445); the account it is read with, the default storage location, and the
 * catalogue dataset its files are registered in. An instrument created with {@code cifs_host}
 * and no {@code source_type} is an SMB share, as the harvester's clients send it.
 */
@Service
public class Instruments {

	static final Set<String> FIELDS = Set.of("name", "description", "location", "pid", "source_type", "source_path",
			"sftp_host", "sftp_port", "sftp_host_key_fingerprint", "cifs_host", "cifs_port", "cifs_share",
			"cifs_base_path", "service_account_id", "default_storage_location_id", "dataset_id", "transfer_adapter", "transfer_config",
			"enabled");

	private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}=?");

	private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\-\\[\\]]{1,253}");

	private final DatabaseClient database;

	private final Administered rows;

	private final HarvestProperties properties;

	private final JsonMapper json;

	Instruments(DatabaseClient database, HarvestProperties properties, JsonMapper json) {
		this.rows = new Administered(database, "instrument", "instrument", "created_at, id", this::view);
		this.database = database;
		this.properties = properties;
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
		return check(body, null).flatMap((values) -> {
			UUID id = UUID.randomUUID();
			values.put("id", id);
			return write("INSERT INTO instrument (" + String.join(", ", COLUMNS) + ", id, created_at, updated_at) VALUES ("
					+ String.join(", ", COLUMNS.stream().map((c) -> ":" + c + cast(c)).toList()) + ", :id, now(), now())", values)
				.then(Mono.defer(() -> get(id)));
		});
	}

	public Mono<Map<String, Object>> update(UUID id, Body body) {
		return this.database.sql("SELECT * FROM instrument WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.map(this::stored)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no instrument " + id)))
			.flatMap((stored) -> check(body, stored))
			.flatMap((values) -> {
				values.put("id", id);
				return write("UPDATE instrument SET " + String.join(", ", COLUMNS.stream().map((c) -> c + " = :" + c + cast(c)).toList())
						+ ", updated_at = now() WHERE id = :id AND deleted_at IS NULL", values);
			})
			.then(Mono.defer(() -> get(id)));
	}

	public Mono<Void> delete(UUID id) {
		return this.rows.delete(id);
	}

	// Grants: who may see an instrument's files and transfers.

	public Mono<List<Map<String, Object>>> grants(UUID instrument) {
		return get(instrument).thenMany(this.database
			.sql("SELECT grantee_type, grantee_id, created_at FROM instrument_access WHERE instrument_id = :id ORDER BY created_at")
			.bind("id", instrument)
			.map((row) -> {
				Map<String, Object> grant = new LinkedHashMap<>();
				grant.put("instrument_id", instrument);
				grant.put("grantee_type", row.get("grantee_type", String.class));
				grant.put("grantee_id", row.get("grantee_id", UUID.class));
				grant.put("created_at", row.get("created_at", Instant.class));
				return grant;
			})
			.all()).collectList();
	}

	public Mono<List<Map<String, Object>>> grant(UUID instrument, Body body) {
		String type = body.required("grantee_type", 10);
		if (!type.equals("user") && !type.equals("team")) {
			throw new ValidationException("grantee_type", "grantee_type must be user or team");
		}
		UUID grantee = body.uuid("grantee_id");
		if (grantee == null) {
			throw new ValidationException("grantee_id", "grantee_id is required");
		}
		return get(instrument).then(this.database
			.sql("INSERT INTO instrument_access (instrument_id, grantee_type, grantee_id, created_at) "
					+ "VALUES (:id, :type, :grantee, now()) ON CONFLICT DO NOTHING")
			.bind("id", instrument)
			.bind("type", type)
			.bind("grantee", grantee)
			.then()).then(Mono.defer(() -> grants(instrument)));
	}

	public Mono<Void> revoke(UUID instrument, String type, UUID grantee) {
		return this.database
			.sql("DELETE FROM instrument_access WHERE instrument_id = :id AND grantee_type = :type AND grantee_id = :grantee")
			.bind("id", instrument)
			.bind("type", type)
			.bind("grantee", grantee)
			.fetch()
			.rowsUpdated()
			.flatMap((n) -> (n == 0) ? Mono.error(new NotFoundException("no such grant")) : Mono.empty());
	}

	private static final List<String> COLUMNS = List.of("name", "description", "location", "pid", "source_type",
			"source_path", "sftp_host", "sftp_port", "sftp_host_key_fingerprint", "cifs_host", "cifs_port",
			"cifs_share", "cifs_base_path", "service_account_id", "default_storage_location_id", "dataset_id",
			"transfer_adapter", "transfer_config", "enabled");

	private static final Map<String, Class<?>> TYPES = Map.of("sftp_port", Integer.class, "cifs_port", Integer.class, "service_account_id", UUID.class,
			"default_storage_location_id", UUID.class, "dataset_id", UUID.class, "enabled", Boolean.class);

	private static String cast(String column) {
		return "transfer_config".equals(column) ? "::jsonb" : "";
	}

	private Mono<Void> write(String sql, Map<String, @Nullable Object> values) {
		DatabaseClient.GenericExecuteSpec spec = this.database.sql(sql);
		for (String column : COLUMNS) {
			spec = Sql.bind(spec, column, values.get(column), TYPES.getOrDefault(column, String.class));
		}
		spec = spec.bind("id", values.get("id"));
		String name = String.valueOf(values.get("name"));
		return spec.then().onErrorMap(DataIntegrityViolationException.class,
				(ex) -> new ConflictException("an instrument named '" + name + "' exists"));
	}

	/**
	 * The columns to write: the stored values overlaid with the body's, checked as a whole.
	 */
	private Mono<Map<String, @Nullable Object>> check(Body body, @Nullable Map<String, @Nullable Object> stored) {
		Map<String, @Nullable Object> values = new LinkedHashMap<>();
		if (stored != null) {
			values.putAll(stored);
		}
		for (String field : List.of("description", "location", "pid", "source_path", "sftp_host",
				"sftp_host_key_fingerprint", "cifs_host", "cifs_share", "cifs_base_path")) {
			if (body.has(field)) {
				values.put(field, blankToNull(body.text(field, 4096)));
			}
		}
		if (body.has("name") || stored == null) {
			values.put("name", body.required("name", 200));
		}
		for (String field : List.of("sftp_port", "cifs_port")) {
			if (body.has(field)) {
				values.put(field, body.integer(field, 1, 65535));
			}
		}
		for (String field : List.of("service_account_id", "default_storage_location_id", "dataset_id")) {
			if (body.has(field)) {
				values.put(field, body.uuid(field));
			}
		}
		if (body.has("enabled") || stored == null) {
			Boolean enabled = body.bool("enabled");
			values.put("enabled", (enabled != null) ? enabled : Boolean.TRUE);
		}
		if (body.has("transfer_adapter") || stored == null) {
			String adapter = body.text("transfer_adapter", 40);
			values.put("transfer_adapter", (adapter != null) ? adapter : "builtin");
		}
		if (body.has("transfer_config") || stored == null) {
			JsonNode config = body.object("transfer_config");
			values.put("transfer_config", (config != null) ? config.toString() : "{}");
		}
		if (body.has("source_type") || stored == null) {
			String type = body.text("source_type", 10);
			values.put("source_type", (type != null) ? type : (values.get("cifs_host") != null) ? "smb" : null);
		}
		String type = (String) values.get("source_type");
		if (type == null) {
			throw new ValidationException("source_type", "source_type is required: local, sftp or smb");
		}
		switch (type) {
			case "local" -> require(values, "source_path");
			case "sftp" -> {
				require(values, "sftp_host");
				require(values, "sftp_host_key_fingerprint");
				require(values, "service_account_id");
				host("sftp_host", (String) values.get("sftp_host"));
				if (!FINGERPRINT.matcher((String) values.get("sftp_host_key_fingerprint")).matches()) {
					throw new ValidationException("sftp_host_key_fingerprint",
							"sftp_host_key_fingerprint must be the host key's SHA-256 fingerprint, as ssh-keygen -l prints it (SHA256:...)");
				}
				if (values.get("sftp_port") == null) {
					values.put("sftp_port", 22);
				}
			}
			case "smb" -> {
				require(values, "cifs_host");
				require(values, "cifs_share");
				require(values, "service_account_id");
				host("cifs_host", (String) values.get("cifs_host"));
				if (values.get("cifs_port") == null) {
					values.put("cifs_port", 445);
				}
			}
			default -> throw new ValidationException("source_type", "source_type must be local, sftp or smb");
		}
		Mono<Void> references = Flux.concat(exists("service_account", "service_account_id", values),
				exists("storage_location", "default_storage_location_id", values)).then();
		Mono<Void> path = "local".equals(type)
				? Mono.fromRunnable(() -> values.put("source_path",
						Paths.underRoots("source_path", (String) values.get("source_path"), this.properties.allowedRoots())
							.toString()))
					.subscribeOn(Schedulers.boundedElastic()).then()
				: Mono.empty();
		return references.then(path).thenReturn(values);
	}

	private Mono<Void> exists(String table, String field, Map<String, @Nullable Object> values) {
		return Administered.reference(this.database, table, table.replace('_', ' '), field, values.get(field));
	}

	private static void require(Map<String, @Nullable Object> values, String field) {
		if (values.get(field) == null) {
			throw new ValidationException(field, field + " is required for this source_type");
		}
	}

	private static void host(String field, String host) {
		if (!HOST.matcher(host).matches()) {
			throw new ValidationException(field, field + " must be a host name or address");
		}
	}

	private static @Nullable String blankToNull(@Nullable String text) {
		return (text == null || text.isBlank()) ? null : text.trim();
	}

	private Map<String, @Nullable Object> stored(Readable row) {
		Map<String, @Nullable Object> values = new LinkedHashMap<>();
		for (String column : COLUMNS) {
			values.put(column, "transfer_config".equals(column) ? Sql.json(row, column)
					: row.get(column, TYPES.getOrDefault(column, String.class)));
		}
		return values;
	}

	private Map<String, Object> view(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", UUID.class));
		for (String column : COLUMNS) {
			view.put(column, "transfer_config".equals(column) ? this.json.readTree(Sql.json(row, column))
					: row.get(column, TYPES.getOrDefault(column, String.class)));
		}
		view.put("last_harvested_at", row.get("last_harvested_at", Instant.class));
		view.put("created_at", row.get("created_at", Instant.class));
		view.put("updated_at", row.get("updated_at", Instant.class));
		return view;
	}

}
