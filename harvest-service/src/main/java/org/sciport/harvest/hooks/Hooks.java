package org.sciport.harvest.hooks;

import java.net.URI;
import java.nio.file.FileSystems;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.webhook.WebhookSignature;
import org.sciport.harvest.HarvestProperties;
import org.sciport.commons.secrets.SecretBox;
import org.sciport.harvest.web.Administered;
import org.sciport.harvest.web.Body;
import org.sciport.harvest.web.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hook configurations: {@code name}, {@code trigger} ({@code pre_transfer} or
 * {@code post_transfer}), {@code implementation} ({@code builtin}, {@code http_webhook},
 * {@code command}), {@code builtin_name} ({@code file_filter}, {@code metadata_enrichment},
 * {@code access_assignment}), {@code config}, {@code instrument_id} (none: every instrument),
 * {@code priority} (lower first) and {@code enabled}. A configuration is checked whole on
 * create and update: a glob or regular expression that does not compile, a grant without a
 * grantee, a command not in {@code sciport.harvest.hooks.allowed-commands}, each a 422 naming
 * where.
 */
@Service
public class Hooks {

	static final Set<String> FIELDS = Set.of("name", "description", "trigger", "implementation", "builtin_name",
			"webhook_url", "webhook_secret", "command", "config", "instrument_id", "priority", "enabled");

	private static final String MASK = "****";

	private static final Map<String, String> BUILTIN_TRIGGERS = Map.of("file_filter", "pre_transfer",
			"metadata_enrichment", "post_transfer", "access_assignment", "post_transfer");

	private final DatabaseClient database;

	private final Administered rows;

	private final JsonMapper json;

	private final HarvestProperties properties;

	private final SecretBox secrets;

	private final SecureRandom random = new SecureRandom();

	Hooks(DatabaseClient database, JsonMapper json, HarvestProperties properties, SecretBox secrets) {
		this.rows = new Administered(database, "hook_config", "hook", "priority, created_at", this::view);
		this.database = database;
		this.json = json;
		this.properties = properties;
		this.secrets = secrets;
	}

	/**
	 * A hook as a run applies it.
	 *
	 * @param id its id
	 * @param name its name
	 * @param trigger when it runs
	 * @param implementation {@code builtin}, {@code http_webhook} or {@code command}
	 * @param builtinName which built-in it is, if it is one
	 * @param webhookUrl where an {@code http_webhook} posts
	 * @param signature how it signs what it posts, when it has a secret
	 * @param command the executable a {@code command} hook runs
	 * @param config its configuration
	 */
	record Hook(UUID id, String name, String trigger, String implementation, @Nullable String builtinName,
			@Nullable String webhookUrl, @Nullable WebhookSignature signature, @Nullable String command, JsonNode config) {
	}

	/** The enabled hooks for a run of {@code instrument}, lowest priority first. */
	public Mono<HookPlan> plan(UUID instrument) {
		return this.database
			.sql("SELECT id, name, trigger, implementation, builtin_name, webhook_url, webhook_secret_sealed, command, config "
					+ "FROM hook_config WHERE deleted_at IS NULL AND enabled "
					+ "AND (instrument_id IS NULL OR instrument_id = :instrument) ORDER BY priority, created_at")
			.bind("instrument", instrument)
			.map((row) -> {
				String sealed = row.get("webhook_secret_sealed", String.class);
				return new Hook(row.get("id", UUID.class), row.get("name", String.class), row.get("trigger", String.class),
						row.get("implementation", String.class), row.get("builtin_name", String.class),
						row.get("webhook_url", String.class),
						(sealed != null) ? WebhookSignature.of(this.secrets.open(sealed)) : null,
						row.get("command", String.class), this.json.readTree(Sql.json(row, "config")));
			})
			.all()
			.collectList()
			.map(HookPlan::new);
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
		return save(null, body, Map.of());
	}

	public Mono<Map<String, Object>> update(UUID id, Body body) {
		return this.database.sql("SELECT * FROM hook_config WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.map(this::view)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no hook " + id)))
			.flatMap((stored) -> save(id, body, stored));
	}

	public Mono<Void> delete(UUID id) {
		return this.rows.delete(id);
	}

	private Mono<Map<String, Object>> save(@Nullable UUID id, Body body, Map<String, Object> stored) {
		String name = body.has("name") || id == null ? body.required("name", 200) : (String) stored.get("name");
		String description = body.has("description") ? body.text("description", 2000) : (String) stored.get("description");
		String implementation = body.has("implementation") || id == null
				? orElse(body.text("implementation", 20), "builtin") : (String) stored.get("implementation");
		String builtin = body.has("builtin_name") ? body.text("builtin_name", 40) : (String) stored.get("builtin_name");
		String webhook = body.has("webhook_url") ? body.text("webhook_url", 2000) : (String) stored.get("webhook_url");
		String command = body.has("command") ? body.text("command", 400) : (String) stored.get("command");
		JsonNode config = body.has("config") ? body.object("config")
				: (stored.get("config") instanceof JsonNode node) ? node : null;
		if (config == null) {
			config = this.json.createObjectNode();
		}
		UUID instrument = body.has("instrument_id") ? body.uuid("instrument_id") : (UUID) stored.get("instrument_id");
		Integer priority = body.has("priority") ? body.integer("priority", -1_000_000, 1_000_000)
				: (Integer) stored.get("priority");
		Boolean enabled = body.has("enabled") ? body.bool("enabled") : (Boolean) stored.get("enabled");
		String trigger = body.has("trigger") || id == null ? body.text("trigger", 20) : (String) stored.get("trigger");
		String secret = null;
		boolean generated = false;
		switch (implementation) {
			case "builtin" -> {
				if (builtin == null || !BUILTIN_TRIGGERS.containsKey(builtin)) {
					throw new ValidationException("builtin_name",
							"builtin_name must be one of file_filter, metadata_enrichment, access_assignment");
				}
				if (trigger == null) {
					trigger = BUILTIN_TRIGGERS.get(builtin);
				}
				if (!BUILTIN_TRIGGERS.get(builtin).equals(trigger)) {
					throw new ValidationException("trigger", builtin + " runs " + BUILTIN_TRIGGERS.get(builtin));
				}
				checkBuiltin(builtin, config);
			}
			case "http_webhook" -> {
				URI url = url(webhook);
				if (url == null) {
					throw new ValidationException("webhook_url", "webhook_url must be an http or https URL");
				}
				if (trigger == null) {
					trigger = "post_transfer";
				}
				if (!"post_transfer".equals(trigger)) {
					throw new ValidationException("trigger", "an http_webhook runs post_transfer");
				}
				only(config, "config", "timeout_seconds", "max_attempts");
				whole(config, "timeout_seconds", 1, 60);
				whole(config, "max_attempts", 1, 5);
				String given = body.has("webhook_secret") ? body.text("webhook_secret", 200) : null;
				if (given != null && !MASK.equals(given)) {
					try {
						WebhookSignature.of(given);
					}
					catch (IllegalArgumentException ex) {
						throw new ValidationException("webhook_secret", ex.getMessage());
					}
					secret = given;
				}
				else if (id == null || stored.get("webhook_secret") == null) {
					secret = WebhookSignature.generate(this.random);
					generated = true;
				}
			}
			case "command" -> {
				if (command == null || !this.properties.hooks().allowedCommands().contains(command)) {
					throw new ValidationException("command", "command must be one of the allowed commands "
							+ "(sciport.harvest.hooks.allowed-commands)");
				}
				only(config, "config", "timeout_seconds", "on_failure");
				whole(config, "timeout_seconds", 1, 300);
				String onFailure = config.path("on_failure").asString("hold");
				if (!onFailure.equals("hold") && !onFailure.equals("continue")) {
					throw new ValidationException("config.on_failure", "on_failure must be hold or continue");
				}
			}
			default -> throw new ValidationException("implementation", "implementation must be builtin, http_webhook or command");
		}
		if (trigger == null || !(trigger.equals("pre_transfer") || trigger.equals("post_transfer"))) {
			throw new ValidationException("trigger", "trigger must be pre_transfer or post_transfer");
		}
		UUID hook = (id != null) ? id : UUID.randomUUID();
		String sql = (id == null)
				? "INSERT INTO hook_config (id, name, description, trigger, implementation, builtin_name, webhook_url, command, "
						+ "webhook_secret_sealed, config, instrument_id, priority, enabled, created_at, updated_at) VALUES (:id, "
						+ ":name, :description, :trigger, :implementation, :builtin, :webhook, :command, :secret, :config::jsonb, "
						+ ":instrument, :priority, :enabled, now(), now())"
				: "UPDATE hook_config SET name = :name, description = :description, trigger = :trigger, implementation = "
						+ ":implementation, builtin_name = :builtin, webhook_url = :webhook, command = :command, "
						+ "webhook_secret_sealed = COALESCE(:secret, webhook_secret_sealed), config = "
						+ ":config::jsonb, instrument_id = :instrument, priority = :priority, enabled = :enabled, updated_at = now() "
						+ "WHERE id = :id";
		DatabaseClient.GenericExecuteSpec spec = this.database.sql(sql)
			.bind("id", hook)
			.bind("name", name)
			.bind("trigger", trigger)
			.bind("implementation", implementation)
			.bind("config", config.toString())
			.bind("priority", (priority != null) ? priority : 100)
			.bind("enabled", enabled == null || enabled);
		spec = Sql.bind(spec, "description", description, String.class);
		spec = Sql.bind(spec, "builtin", "builtin".equals(implementation) ? builtin : null, String.class);
		spec = Sql.bind(spec, "webhook", "http_webhook".equals(implementation) ? webhook : null, String.class);
		spec = Sql.bind(spec, "command", "command".equals(implementation) ? command : null, String.class);
		spec = Sql.bind(spec, "instrument", instrument, UUID.class);
		spec = Sql.bind(spec, "secret", (secret != null) ? this.secrets.seal(secret) : null, String.class);
		Mono<Void> exists = Administered.reference(this.database, "instrument", "instrument", "instrument_id", instrument);
		String shown = generated ? secret : null;
		return exists.then(spec.then()).then(Mono.defer(() -> get(hook))).map((view) -> {
			if (shown == null) {
				return view;
			}
			// A generated secret is shown once, here; afterwards only its mask.
			Map<String, Object> once = new LinkedHashMap<>(view);
			once.put("webhook_secret", shown);
			return once;
		});
	}

	private static void checkBuiltin(String builtin, JsonNode config) {
		switch (builtin) {
			case "file_filter" -> {
				only(config, "config", "include_patterns", "exclude_patterns", "min_size_bytes", "max_size_bytes",
						"redirect_rules");
				globs(config, "include_patterns");
				globs(config, "exclude_patterns");
				size(config, "min_size_bytes");
				size(config, "max_size_bytes");
				JsonNode rules = config.path("redirect_rules");
				if (!rules.isMissingNode() && !rules.isArray()) {
					throw new ValidationException("config.redirect_rules", "redirect_rules must be a list");
				}
				for (int i = 0; i < rules.size(); i++) {
					String where = "config.redirect_rules[" + i + "]";
					glob(rules.get(i).path("pattern"), where + ".pattern");
					if (!isFolder(rules.get(i).path("destination").asString(""))) {
						throw new ValidationException(where + ".destination",
								"destination must be a relative folder without '..'");
					}
				}
			}
			case "metadata_enrichment" -> {
				only(config, "config", "rules");
				JsonNode rules = config.path("rules");
				if (!rules.isArray() || rules.isEmpty()) {
					throw new ValidationException("config.rules", "rules must be a non-empty list");
				}
				for (int i = 0; i < rules.size(); i++) {
					String where = "config.rules[" + i + "]";
					String source = rules.get(i).path("source").asString("filename");
					if (!source.equals("filename") && !source.equals("path")) {
						throw new ValidationException(where + ".source", "source must be filename or path");
					}
					String regex = rules.get(i).path("pattern").asString("");
					try {
						Pattern.compile(regex);
					}
					catch (PatternSyntaxException ex) {
						throw new ValidationException(where + ".pattern", "pattern is not a valid regular expression: "
								+ ex.getDescription());
					}
					if (HookPlan.groupNames(regex).isEmpty()) {
						throw new ValidationException(where + ".pattern", "pattern needs at least one named group, (?<name>...)");
					}
				}
			}
			default -> {
				only(config, "config", "grants");
				JsonNode grants = config.path("grants");
				if (!grants.isArray() || grants.isEmpty()) {
					throw new ValidationException("config.grants", "grants must be a non-empty list");
				}
				for (int i = 0; i < grants.size(); i++) {
					String where = "config.grants[" + i + "]";
					JsonNode grant = grants.get(i);
					String type = grant.path("grantee_type").asString("user");
					if (!type.equals("user") && !type.equals("team")) {
						throw new ValidationException(where + ".grantee_type", "grantee_type must be user or team");
					}
					String source = grant.path("source").asString("literal");
					if (source.equals("literal")) {
						try {
							UUID.fromString(grant.path("grantee_id").asString(""));
						}
						catch (IllegalArgumentException ex) {
							throw new ValidationException(where + ".grantee_id", "a literal grant needs grantee_id, a UUID");
						}
					}
					else if (source.equals("metadata")) {
						if (grant.path("match_field").asString("").isBlank()) {
							throw new ValidationException(where + ".match_field",
									"a grant from metadata needs match_field, the metadata field holding the grantee's id");
						}
					}
					else {
						throw new ValidationException(where + ".source", "source must be literal or metadata");
					}
				}
			}
		}
	}

	/** Whether {@code destination} is a folder a file may be redirected to: relative, without {@code ..}. */
	static boolean isFolder(String destination) {
		return !destination.isBlank() && !destination.startsWith("/") && !destination.contains("..")
				&& !destination.contains("\\") && destination.chars().noneMatch((c) -> c < 0x20 || c == 0x7f);
	}

	private static void whole(JsonNode config, String field, int min, int max) {
		JsonNode value = config.path(field);
		if (!value.isMissingNode() && (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max)) {
			throw new ValidationException("config." + field, field + " must be a whole number from " + min + " to " + max);
		}
	}

	private static void only(JsonNode config, String where, String... fields) {
		Set<String> known = Set.of(fields);
		for (String field : config.propertyNames()) {
			if (!known.contains(field)) {
				throw new ValidationException(where + "." + field, "unknown field '" + field + "'");
			}
		}
	}

	private static void globs(JsonNode config, String field) {
		JsonNode list = config.path(field);
		if (list.isMissingNode()) {
			return;
		}
		if (!list.isArray()) {
			throw new ValidationException("config." + field, field + " must be a list of globs");
		}
		for (int i = 0; i < list.size(); i++) {
			glob(list.get(i), "config." + field + "[" + i + "]");
		}
	}

	private static void glob(JsonNode value, String where) {
		if (!value.isString() || value.asString().isBlank()) {
			throw new ValidationException(where, "a glob such as *.tif is needed");
		}
		try {
			FileSystems.getDefault().getPathMatcher("glob:" + value.asString());
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException(where, "not a valid glob: " + ex.getMessage());
		}
	}

	private static void size(JsonNode config, String field) {
		JsonNode value = config.path(field);
		if (!value.isMissingNode() && (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0)) {
			throw new ValidationException("config." + field, field + " must be a whole number of bytes");
		}
	}

	private static @Nullable URI url(@Nullable String text) {
		if (text == null) {
			return null;
		}
		try {
			URI url = URI.create(text);
			return (("http".equals(url.getScheme()) || "https".equals(url.getScheme())) && url.getHost() != null) ? url : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static String orElse(@Nullable String value, String fallback) {
		return (value != null) ? value : fallback;
	}

	private Map<String, Object> view(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", UUID.class));
		view.put("name", row.get("name", String.class));
		view.put("description", row.get("description", String.class));
		view.put("trigger", row.get("trigger", String.class));
		view.put("implementation", row.get("implementation", String.class));
		view.put("builtin_name", row.get("builtin_name", String.class));
		view.put("webhook_url", row.get("webhook_url", String.class));
		view.put("webhook_secret", (row.get("webhook_secret_sealed", String.class) != null) ? MASK : null);
		view.put("command", row.get("command", String.class));
		view.put("config", this.json.readTree(Sql.json(row, "config")));
		view.put("instrument_id", row.get("instrument_id", UUID.class));
		view.put("priority", row.get("priority", Integer.class));
		view.put("enabled", row.get("enabled", Boolean.class));
		view.put("created_at", row.get("created_at", Instant.class));
		view.put("updated_at", row.get("updated_at", Instant.class));
		return view;
	}

}
