package org.sciport.dataset.webhooks;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.event.EventTypes;

/**
 * The event names a subscription may give: every Sciport event type ({@code sciport.dataset.created}),
 * the same without {@code sciport.} as seed 001 writes them ({@code project.created},
 * {@code data.uploaded}), seed 003's {@code resource.created|updated|deleted} (workflow-service's
 * resources), seed 001's {@code user.invited} (a member added to a team), and wildcards ending in
 * {@code .*} ({@code dataset.*}) or {@code *} for everything.
 */
final class EventNames {

	private static final Map<String, String> ALIASES = Map.of("user.invited", "sciport.team.member.added");

	private EventNames() {
	}

	/** The Sciport pattern a given name stands for ({@code sciport.…}, possibly ending in {@code .*}, or {@code *}). */
	static String pattern(String name) {
		String trimmed = name.trim().toLowerCase(Locale.ROOT);
		if (trimmed.equals("*")) {
			return "*";
		}
		String alias = ALIASES.get(trimmed);
		if (alias != null) {
			return alias;
		}
		if (trimmed.startsWith("resource.")) {
			return "sciport.workflow." + trimmed;
		}
		return trimmed.startsWith("sciport.") ? trimmed : "sciport." + trimmed;
	}

	/** Whether the pattern matches the event type. */
	static boolean matches(String pattern, String type) {
		if (pattern.equals("*")) {
			return true;
		}
		if (pattern.endsWith(".*")) {
			return type.startsWith(pattern.substring(0, pattern.length() - 1));
		}
		return pattern.equals(type);
	}

	/** Whether any of the given names matches the type. */
	static boolean anyMatches(List<String> names, String type) {
		return names.stream().anyMatch((name) -> matches(pattern(name), type));
	}

	/** The event types a subscription may receive. */
	static List<String> deliverable() {
		return EventTypes.all().stream().map(EventTypes.Entry::type).toList();
	}

	/** Checks the names: each must match an event a subscription may receive; a 400 naming {@code events} else. */
	static void check(@Nullable List<String> names) {
		if (names == null || names.isEmpty() || names.size() > 100) {
			throw new ValidationException("events", "events is a list of 1 to 100 event names (dataset.created, "
					+ "project.*, resource.updated, sciport.harvest.transfer.completed, *)");
		}
		for (String name : names) {
			if (name == null || !name.trim().matches("[A-Za-z0-9.*_-]{1,120}")) {
				throw new ValidationException("events", "'" + name + "' is not an event name");
			}
			String pattern = pattern(name);
			if (deliverable().stream().noneMatch((type) -> matches(pattern, type))) {
				TreeSet<String> families = new TreeSet<>();
				deliverable().forEach((type) -> families.add(type.replaceFirst("^sciport\\.", "").replaceFirst("\\.[^.]+$", ".*")));
				throw new ValidationException("events", "'" + name + "' matches no event; events are named like "
						+ String.join(", ", families));
			}
		}
	}

}
