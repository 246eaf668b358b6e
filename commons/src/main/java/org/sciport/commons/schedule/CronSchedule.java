package org.sciport.commons.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.springframework.scheduling.support.CronExpression;

/**
 * A cron schedule as users write it: five fields, {@code minute hour day-of-month month day-of-week}
 * (so {@code 0 2 * * *} is 02:00 every day and {@code *}{@code /5 * * * *} every five minutes), or one
 * of the macros {@code @hourly}, {@code @daily}, {@code @weekly}, {@code @monthly}, {@code @yearly}
 * and {@code @annually}, evaluated in a time zone. The wall-clock times are those of the zone, so
 * {@code 0 2 * * *} in {@code Europe/Berlin} fires at 02:00 Berlin time in summer and in winter.
 * <p>
 * The fields follow Spring's {@link CronExpression} (which has an extra seconds field, always
 * {@code 0} here): ranges, lists, steps, names such as {@code MON} and {@code JAN}, and {@code L},
 * {@code W} and {@code #}.
 */
public final class CronSchedule {

	private static final String UTC = "UTC";

	private static final Set<String> MACROS = Set.of("@hourly", "@daily", "@weekly", "@monthly", "@yearly",
			"@annually");

	private static final Duration RESOLUTION = Duration.ofMinutes(1);

	private static final int MAX_SEARCH_STEPS = 200;

	private final String expression;

	private final ZoneId zone;

	private final CronExpression cron;

	private CronSchedule(String expression, ZoneId zone, CronExpression cron) {
		this.expression = expression;
		this.zone = zone;
		this.cron = cron;
	}

	/**
	 * Parse a five-field cron expression or macro in a time zone.
	 * @param cron the expression, for example {@code 0 2 * * *}
	 * @param zone the time zone ID, for example {@code Europe/Berlin}; {@code null} or blank means
	 * {@code UTC}
	 * @return the schedule
	 * @throws ValidationException (field {@code cron_expression}) if the expression is not valid,
	 * (field {@code timezone}) if the zone is not known
	 */
	public static CronSchedule parse(String cron, @Nullable String zone) {
		return parse(cron, zone, "cron_expression", "timezone");
	}

	/**
	 * Parse a five-field cron expression or macro in a time zone, naming the fields they came
	 * from as the caller's API names them.
	 * @param cron the expression
	 * @param zone the time zone ID; {@code null} or blank means {@code UTC}
	 * @param cronField the field an invalid expression is reported on
	 * @param zoneField the field an unknown zone is reported on
	 * @return the schedule
	 */
	public static CronSchedule parse(String cron, @Nullable String zone, String cronField, String zoneField) {
		String expression = cron.trim();
		CronExpression parsed = parseExpression(expression, cronField);
		return new CronSchedule(expression, parseZone(zone, zoneField), parsed);
	}

	private static CronExpression parseExpression(String expression, String field) {
		String springExpression;
		if (expression.startsWith("@")) {
			if (!MACROS.contains(expression.toLowerCase(Locale.ROOT))) {
				throw new ValidationException(field, "Cron expression '" + expression
						+ "' is not a known macro; use one of @hourly, @daily, @weekly, @monthly, @yearly or @annually");
			}
			springExpression = expression;
		}
		else {
			String[] fields = expression.isEmpty() ? new String[0] : expression.split("\\s+");
			if (fields.length != 5) {
				throw new ValidationException(field, "Cron expression '" + expression
						+ "' must have 5 fields: minute hour day-of-month month day-of-week");
			}
			springExpression = "0 " + String.join(" ", fields);
		}
		try {
			return CronExpression.parse(springExpression);
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException(field,
					"Cron expression '" + expression + "' is not valid: " + reason(ex));
		}
	}

	private static String reason(IllegalArgumentException ex) {
		// Spring names the field in its own six-field expression; the cause says what is wrong.
		Throwable cause = ex.getCause();
		String message = (cause != null && cause.getMessage() != null) ? cause.getMessage() : ex.getMessage();
		return (message != null) ? message : "it cannot be parsed";
	}

	private static ZoneId parseZone(@Nullable String zone, String field) {
		if (zone == null || zone.isBlank()) {
			return ZoneId.of(UTC);
		}
		try {
			return ZoneId.of(zone.trim());
		}
		catch (DateTimeException ex) {
			throw new ValidationException(field,
					"'" + zone + "' is not a known time zone; use an IANA zone ID such as Europe/Berlin or UTC");
		}
	}

	/**
	 * Return the expression as given, trimmed.
	 */
	public String expression() {
		return this.expression;
	}

	/**
	 * Return the time zone the expression is evaluated in.
	 */
	public ZoneId zone() {
		return this.zone;
	}

	/**
	 * Return the first fire time strictly after the given instant.
	 * @param after the instant to start from
	 * @return the next fire time, or {@code null} if the expression never fires again (for
	 * example {@code 0 0 30 2 *})
	 */
	public @Nullable Instant next(Instant after) {
		ZonedDateTime next = this.cron.next(ZonedDateTime.ofInstant(after, this.zone));
		return (next != null) ? next.toInstant() : null;
	}

	/**
	 * Return the latest fire time in {@code (notBefore, before]}: the tick that was missed most
	 * recently, for example while the service was down.
	 * <p>
	 * The search halves the interval until it holds a single fire time, so it takes a few dozen
	 * evaluations however long the interval is and however often the expression fires.
	 * @param before the latest instant to consider, included
	 * @param notBefore the earliest instant to consider, excluded (typically the last run)
	 * @return the latest fire time in the interval, or {@code null} if there is none
	 */
	public @Nullable Instant previous(Instant before, Instant notBefore) {
		if (!before.isAfter(notBefore)) {
			return null;
		}
		Instant low = notBefore;
		Instant high = before;
		// Invariant: at least one fire time lies in (low, high].
		if (!firesIn(low, high)) {
			return null;
		}
		for (int step = 0; step < MAX_SEARCH_STEPS; step++) {
			Instant first = next(low);
			if (first == null) {
				return null;
			}
			Instant second = next(first);
			if (second == null || second.isAfter(high)) {
				return first;
			}
			if (Duration.between(low, high).compareTo(RESOLUTION) < 0) {
				// Fire times are whole minutes apart; cannot happen unless the clock rules are odd.
				return first;
			}
			Instant middle = low.plus(Duration.between(low, high).dividedBy(2));
			if (firesIn(middle, high)) {
				low = middle;
			}
			else {
				high = middle;
			}
		}
		return next(low);
	}

	private boolean firesIn(Instant after, Instant until) {
		Instant next = next(after);
		return next != null && !next.isAfter(until);
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other) || (other instanceof CronSchedule that && this.expression.equals(that.expression)
				&& this.zone.equals(that.zone));
	}

	@Override
	public int hashCode() {
		return this.expression.hashCode() * 31 + this.zone.hashCode();
	}

	@Override
	public String toString() {
		return this.expression + " (" + this.zone + ")";
	}

}
