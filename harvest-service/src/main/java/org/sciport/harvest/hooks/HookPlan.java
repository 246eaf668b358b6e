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
import tools.jackson.databind.node.ObjectNode;

/**
 * The enabled hooks of one run, in order, and what the built-ins do. Built once per run from the
 * hooks' validated configuration; {@link HookRunner} runs them over each file.
 */
public final class HookPlan {

	/** What the pre-transfer hooks decided for a file. */
	public sealed interface Decision permits Take, Skip, Hold {
	}

	/**
	 * Transfer the file.
	 *
	 * @param destination the directory (relative to the instrument's folder) a redirect rule
	 * sent it to, or {@code null} to keep its source path
	 * @param metadata what pre-transfer commands added to the file's metadata
	 * @param errors the hooks that failed but let the file through ({@code on_failure: continue})
	 */
	public record Take(@Nullable String destination, ObjectNode metadata, List<HookError> errors) implements Decision {
	}

	/**
	 * Keep the file back, for good: a filter decided so.
	 *
	 * @param reason which hook and why
	 */
	public record Skip(String reason) implements Decision {
	}

	/**
	 * Keep the file back for now: a pre-transfer hook failed, and it is tried again next run.
	 *
	 * @param errors the failures
	 */
	public record Hold(List<HookError> errors) implements Decision {
	}

	/**
	 * A hook that failed on a file, as the transfer records it.
	 *
	 * @param hookId the hook
	 * @param hook its name
	 * @param error what went wrong
	 */
	public record HookError(UUID hookId, String hook, String error) {
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

	/** The hooks that run at {@code trigger} ({@code pre_transfer} or {@code post_transfer}), in order. */
	List<Hooks.Hook> at(String trigger) {
		return this.hooks.stream().filter((hook) -> trigger.equals(hook.trigger())).toList();
	}

	/** Whether any hook runs at {@code trigger}. */
	public boolean any(String trigger) {
		return this.hooks.stream().anyMatch((hook) -> trigger.equals(hook.trigger()));
	}

	/**
	 * A {@code file_filter}'s verdict on the file at {@code path} of {@code size} bytes: why it
	 * keeps the file back, or {@code null} to let it through.
	 */
	static @Nullable String excludes(Hooks.Hook hook, String path, long size) {
		JsonNode config = hook.config();
		List<String> include = texts(config.path("include_patterns"));
		if (!include.isEmpty() && include.stream().noneMatch((glob) -> matches(glob, path))) {
			return hook.name() + ": matches none of the include patterns";
		}
		for (String glob : texts(config.path("exclude_patterns"))) {
			if (matches(glob, path)) {
				return hook.name() + ": matches the exclude pattern " + glob;
			}
		}
		if (config.has("min_size_bytes") && size < config.path("min_size_bytes").asLong()) {
			return hook.name() + ": smaller than " + config.path("min_size_bytes").asLong() + " bytes";
		}
		if (config.has("max_size_bytes") && size > config.path("max_size_bytes").asLong()) {
			return hook.name() + ": larger than " + config.path("max_size_bytes").asLong() + " bytes";
		}
		return null;
	}

	/** The folder a {@code file_filter}'s first matching redirect rule sends the file to, if any. */
	static @Nullable String redirect(Hooks.Hook hook, String path) {
		for (JsonNode rule : hook.config().path("redirect_rules")) {
			if (matches(rule.path("pattern").asString(), path)) {
				return rule.path("destination").asString();
			}
		}
		return null;
	}

	/** What a {@code metadata_enrichment} hook reads from the file's name or path, into {@code metadata}. */
	static void enrich(Hooks.Hook hook, String path, ObjectNode metadata) {
		String filename = path.substring(path.lastIndexOf('/') + 1);
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

	/**
	 * The grants an {@code access_assignment} hook gives, from literal ids or from the metadata
	 * the hooks before it produced ({@code match_field}).
	 */
	static List<Grant> grants(Hooks.Hook hook, ObjectNode metadata) {
		List<Grant> grants = new ArrayList<>();
		for (JsonNode grant : hook.config().path("grants")) {
			String value = "metadata".equals(grant.path("source").asString())
					? metadata.path(grant.path("match_field").asString()).asString(null)
					: grant.path("grantee_id").asString(null);
			UUID id = uuid(value);
			if (id != null) {
				grants.add(new Grant(grant.path("grantee_type").asString("user"), id, hook.id()));
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
