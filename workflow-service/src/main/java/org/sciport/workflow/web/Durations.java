package org.sciport.workflow.web;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Durations as the resource API's users write them: a whole number and a unit, {@code 30s},
 * {@code 10m}, {@code 1h}, {@code 1d} (also {@code 500ms}).
 */
public final class Durations {

	private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

	private Durations() {
	}

	/** The duration written, or {@code null} when it is not one. */
	public static @Nullable Duration parse(@Nullable String text) {
		if (text == null) {
			return null;
		}
		Matcher matcher = DURATION.matcher(text.trim());
		if (!matcher.matches()) {
			return null;
		}
		long amount = Long.parseLong(matcher.group(1));
		return switch (matcher.group(2)) {
			case "ms" -> Duration.ofMillis(amount);
			case "s" -> Duration.ofSeconds(amount);
			case "m" -> Duration.ofMinutes(amount);
			case "h" -> Duration.ofHours(amount);
			default -> Duration.ofDays(amount);
		};
	}

}
