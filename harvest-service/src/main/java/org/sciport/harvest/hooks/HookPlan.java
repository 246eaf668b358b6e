package org.sciport.harvest.hooks;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The enabled hooks of one run, in order, applied to its files. Built once per run from the
 * hooks' validated configuration.
 */
public final class HookPlan {

	/** What the pre-transfer hooks decided for a file. */
	public sealed interface Decision permits Take, Skip {
	}

	/**
	 * Transfer the file.
	 *
	 * @param destination the directory (relative to the instrument's folder) a redirect rule
	 * sent it to, or {@code null} to keep its source path
	 */
	public record Take(@Nullable String destination) implements Decision {
	}

	/**
	 * Keep the file back.
	 *
	 * @param reason which hook and why
	 */
	public record Skip(String reason) implements Decision {
	}

	/**
	 * A grant a post-transfer hook gives on a file.
	 *
	 * @param granteeType {@code user} or {@code team}
	 * @param granteeId who
	 * @param hookId the hook
	 */
	public record Grant(String granteeType, UUID granteeId, UUID hookId) {
	}

	private final List<Hooks.Hook> hooks;

	HookPlan(List<Hooks.Hook> hooks) {
		this.hooks = List.copyOf(hooks);
	}

	/** No hooks at all. */
	public static HookPlan none() {
		return new HookPlan(List.of());
	}

	/** The pre-transfer hooks' decision for the file at {@code path} of {@code size} bytes. */
	public Decision decide(String path, long size) {
		String destination = null;
		for (Hooks.Hook hook : this.hooks) {
			if (!"pre_transfer".equals(hook.trigger()) || !"file_filter".equals(hook.builtinName())) {
				continue;
			}
			JsonNode config = hook.config();
			List<String> include = texts(config.path("include_patterns"));
			if (!include.isEmpty() && include.stream().noneMatch((glob) -> matches(glob, path))) {
				return new Skip(hook.name() + ": matches none of the include patterns");
			}
			for (String glob : texts(config.path("exclude_patterns"))) {
				if (matches(glob, path)) {
					return new Skip(hook.name() + ": matches the exclude pattern " + glob);
				}
			}
			if (config.has("min_size_bytes") && size < config.path("min_size_bytes").asLong()) {
				return new Skip(hook.name() + ": smaller than " + config.path("min_size_bytes").asLong() + " bytes");
			}
			if (config.has("max_size_bytes") && size > config.path("max_size_bytes").asLong()) {
				return new Skip(hook.name() + ": larger than " + config.path("max_size_bytes").asLong() + " bytes");
			}
			for (JsonNode rule : config.path("redirect_rules")) {
				if (destination == null && matches(rule.path("pattern").asString(), path)) {
					destination = rule.path("destination").asString();
				}
			}
		}
		return new Take(destination);
	}

	/** What the metadata-enrichment hooks read from the file's name and path. */
	public ObjectNode enrich(String path) {
		ObjectNode metadata = JsonNodeFactory.instance.objectNode();
		String filename = path.substring(path.lastIndexOf('/') + 1);
		for (Hooks.Hook hook : this.hooks) {
			if (!"post_transfer".equals(hook.trigger()) || !"metadata_enrichment".equals(hook.builtinName())) {
				continue;
			}
			for (JsonNode rule : hook.config().path("rules")) {
				String subject = "path".equals(rule.path("source").asString("filename")) ? path : filename;
				Pattern pattern = Pattern.compile(rule.path("pattern").asString());
				Matcher matcher = pattern.matcher(subject);
				if (matcher.find()) {
					for (String group : groupNames(pattern.pattern())) {
						String value = matcher.group(group);
						if (value != null) {
							metadata.put(group, value);
						}
					}
				}
			}
		}
		return metadata;
	}

	/**
	 * The grants the access-assignment hooks give, from literal ids or from the metadata the
	 * enrichment just produced ({@code match_field}).
	 */
	public List<Grant> grants(ObjectNode metadata) {
		List<Grant> grants = new ArrayList<>();
		for (Hooks.Hook hook : this.hooks) {
			if (!"post_transfer".equals(hook.trigger()) || !"access_assignment".equals(hook.builtinName())) {
				continue;
			}
			for (JsonNode grant : hook.config().path("grants")) {
				String value = "metadata".equals(grant.path("source").asString())
						? metadata.path(grant.path("match_field").asString()).asString(null)
						: grant.path("grantee_id").asString(null);
				UUID id = uuid(value);
				if (id != null) {
					grants.add(new Grant(grant.path("grantee_type").asString("user"), id, hook.id()));
				}
			}
		}
		return grants;
	}

	private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

	/** The names of a regular expression's named groups, in order. */
	static List<String> groupNames(String regex) {
		List<String> names = new ArrayList<>();
		Matcher matcher = GROUP_NAME.matcher(regex);
		while (matcher.find()) {
			names.add(matcher.group(1));
		}
		return names;
	}

	static boolean matches(String glob, String path) {
		PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
		return matcher.matches(Path.of(path)) || matcher.matches(Path.of(path.substring(path.lastIndexOf('/') + 1)));
	}

	private static List<String> texts(JsonNode array) {
		List<String> texts = new ArrayList<>();
		for (JsonNode item : array) {
			texts.add(item.asString());
		}
		return texts;
	}

	private static @Nullable UUID uuid(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return UUID.fromString(value.trim());
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

}
