package org.sciport.commons.schedule;

import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;
import org.sciport.commons.error.ValidationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class CronScheduleTests {

	@Test
	void dailyAtTwoInBerlinSummerTime() {
		CronSchedule schedule = CronSchedule.parse("  0 2 * * *  ", "Europe/Berlin");
		assertThat(schedule.expression()).isEqualTo("0 2 * * *");
		assertThat(schedule.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
		// 02:00 CEST is 00:00Z.
		assertThat(schedule.next(Instant.parse("2026-06-10T12:00:00Z"))).isEqualTo("2026-06-11T00:00:00Z");
		assertThat(schedule.next(Instant.parse("2026-06-11T00:00:00Z"))).isEqualTo("2026-06-12T00:00:00Z");
		// 02:00 CET is 01:00Z.
		assertThat(schedule.next(Instant.parse("2026-01-10T12:00:00Z"))).isEqualTo("2026-01-11T01:00:00Z");
	}

	@Test
	void everyFiveMinutesStepsFiveMinutes() {
		CronSchedule schedule = CronSchedule.parse("*/5 * * * *", null);
		assertThat(schedule.zone()).isEqualTo(ZoneId.of("UTC"));
		Instant tick = schedule.next(Instant.parse("2026-06-10T12:03:17Z"));
		assertThat(tick).isEqualTo("2026-06-10T12:05:00Z");
		assertThat(schedule.next(tick)).isEqualTo("2026-06-10T12:10:00Z");
		assertThat(schedule.next(Instant.parse("2026-06-10T23:58:00Z"))).isEqualTo("2026-06-11T00:00:00Z");
	}

	@Test
	void blankZoneIsUtc() {
		assertThat(CronSchedule.parse("0 2 * * *", " ").next(Instant.parse("2026-06-10T12:00:00Z")))
			.isEqualTo("2026-06-11T02:00:00Z");
	}

	@Test
	void macros() {
		assertThat(CronSchedule.parse("@hourly", "UTC").next(Instant.parse("2026-06-10T12:03:00Z")))
			.isEqualTo("2026-06-10T13:00:00Z");
		assertThat(CronSchedule.parse("@daily", "Europe/Berlin").next(Instant.parse("2026-06-10T12:00:00Z")))
			.isEqualTo("2026-06-10T22:00:00Z");
		assertThat(CronSchedule.parse("@weekly", "UTC").next(Instant.parse("2026-06-10T12:00:00Z")))
			.isEqualTo("2026-06-14T00:00:00Z");
		assertThat(CronSchedule.parse("@monthly", "UTC").next(Instant.parse("2026-06-10T12:00:00Z")))
			.isEqualTo("2026-07-01T00:00:00Z");
		assertThat(CronSchedule.parse("@yearly", "UTC").next(Instant.parse("2026-06-10T12:00:00Z")))
			.isEqualTo("2027-01-01T00:00:00Z");
		assertThat(CronSchedule.parse("@annually", "UTC").expression()).isEqualTo("@annually");
		assertCronRefused("@fortnightly", "is not a known macro");
	}

	@Test
	void wrongNumberOfFieldsIsRefused() {
		assertCronRefused("0 0 2 * * *", "must have 5 fields");
		assertCronRefused("0 2 * *", "must have 5 fields");
		assertCronRefused("", "must have 5 fields");
	}

	@Test
	void fieldOutOfRangeIsRefused() {
		assertCronRefused("61 * * * *", "'61 * * * *' is not valid");
		assertCronRefused("0 24 * * *", "'0 24 * * *' is not valid");
		assertCronRefused("0 2 * * funday", "'0 2 * * funday' is not valid");
	}

	@Test
	void unknownZoneIsRefused() {
		assertThatExceptionOfType(ValidationException.class)
			.isThrownBy(() -> CronSchedule.parse("0 2 * * *", "Europe/Atlantis"))
			.withMessageContaining("'Europe/Atlantis' is not a known time zone")
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("timezone"));
		assertThatExceptionOfType(ValidationException.class)
			.isThrownBy(() -> CronSchedule.parse("0 2 * * *", "+25:00"))
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("timezone"));
	}

	@Test
	void previousFindsTheMissedTick() {
		CronSchedule daily = CronSchedule.parse("0 2 * * *", "Europe/Berlin");
		Instant lastRun = Instant.parse("2026-06-09T00:00:00Z");
		// Down from 2026-06-09T12:00Z until 2026-06-11T09:00Z: the 06-10 and 06-11 runs were missed.
		assertThat(daily.previous(Instant.parse("2026-06-11T09:00:00Z"), lastRun)).isEqualTo("2026-06-11T00:00:00Z");
		// The bound before is included, notBefore is not.
		assertThat(daily.previous(Instant.parse("2026-06-10T00:00:00Z"), lastRun)).isEqualTo("2026-06-10T00:00:00Z");
		assertThat(daily.previous(Instant.parse("2026-06-09T23:59:59Z"), lastRun)).isNull();
		assertThat(daily.previous(lastRun, lastRun)).isNull();
		assertThat(daily.previous(lastRun, Instant.parse("2026-06-10T00:00:00Z"))).isNull();
	}

	@Test
	void previousFindsTheLatestOfManyMissedTicks() {
		CronSchedule everyMinute = CronSchedule.parse("* * * * *", "UTC");
		// A year of minutes: far more ticks than could be stepped through one by one.
		assertThat(everyMinute.previous(Instant.parse("2026-06-10T12:34:56Z"), Instant.parse("2025-06-10T00:00:00Z")))
			.isEqualTo("2026-06-10T12:34:00Z");
		CronSchedule firstDays = CronSchedule.parse("* * 1-20 * *", "UTC");
		assertThat(firstDays.previous(Instant.parse("2026-06-30T12:00:00Z"), Instant.parse("2026-05-01T00:00:00Z")))
			.isEqualTo("2026-06-20T23:59:00Z");
		CronSchedule leapDay = CronSchedule.parse("0 0 29 2 *", "UTC");
		assertThat(leapDay.previous(Instant.parse("2031-01-01T00:00:00Z"), Instant.parse("2020-01-01T00:00:00Z")))
			.isEqualTo("2028-02-29T00:00:00Z");
	}

	@Test
	void neverFiringExpressionHasNoNextTick() {
		CronSchedule never = CronSchedule.parse("0 0 30 2 *", "UTC");
		assertThat(never.next(Instant.parse("2026-06-10T12:00:00Z"))).isNull();
		assertThat(never.previous(Instant.parse("2026-06-10T12:00:00Z"), Instant.parse("2020-01-01T00:00:00Z")))
			.isNull();
	}

	private static void assertCronRefused(String cron, String message) {
		assertThatExceptionOfType(ValidationException.class).as(cron)
			.isThrownBy(() -> CronSchedule.parse(cron, "UTC"))
			.withMessageContaining(message)
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("cron_expression"));
	}

}
