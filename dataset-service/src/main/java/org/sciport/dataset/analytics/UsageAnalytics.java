package org.sciport.dataset.analytics;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.GatewayEvents;
import org.sciport.commons.event.UndecodableEventException;
import org.sciport.commons.event.Topics;
import org.sciport.commons.inbox.EventInbox;
import org.sciport.commons.security.Caller;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * The caller's usage per bucket: API calls (what the gateway served, from its
 * {@code sciport.gateway.usage} events, each applied once), data processed (bytes of the data
 * uploaded into their projects whose processing finished in the bucket; failed or unfinished
 * data does not count) and projects created (a project deleted since still counts where it was
 * created); with totals over the range.
 */
@Service
public class UsageAnalytics {

	private static final Log logger = LogFactory.getLog(UsageAnalytics.class);

	private static final Set<String> GRANULARITIES = Set.of("hour", "day", "week", "month");

	private static final long MAX_BUCKETS = 2_000;

	private final DatabaseClient database;

	private final EventInbox inbox;

	private final CloudEventCodec codec;


	UsageAnalytics(DatabaseClient database, EventInbox inbox, CloudEventCodec codec) {
		this.codec = codec;
		this.database = database;
		this.inbox = inbox;
	}

	/**
	 * One bucket.
	 *
	 * @param date the bucket's start: a date, or a date and time for hours
	 * @param apiCalls requests served
	 * @param dataProcessed bytes of data processed
	 * @param projectsCreated projects created
	 */
	public record Bucket(String date, long apiCalls, long dataProcessed, long projectsCreated) {
	}

	/**
	 * Totals over the range (and, for projects, all the caller has).
	 *
	 * @param totalApiCalls requests served in the range
	 * @param totalDataProcessed bytes uploaded in the range
	 * @param totalProjects projects the caller has
	 */
	public record Summary(long totalApiCalls, long totalDataProcessed, long totalProjects) {
	}

	/**
	 * The answer.
	 *
	 * @param data the buckets, oldest first
	 * @param summary the totals
	 */
	public record Usage(List<Bucket> data, Summary summary) {
	}

	public Mono<Usage> usage(Caller caller, @Nullable String startDate, @Nullable String endDate,
			@Nullable String granularity) {
		String unit = (granularity == null || granularity.isBlank()) ? "day" : granularity.trim();
		if (!GRANULARITIES.contains(unit)) {
			return Mono.error(new ValidationException("granularity", "granularity must be hour, day, week or month"));
		}
		Instant end = (endDate != null) ? parse("end_date", endDate, true) : Instant.now();
		Instant start = (startDate != null) ? parse("start_date", startDate, false) : end.minus(Duration.ofDays(30));
		if (!start.isBefore(end)) {
			return Mono.error(new ValidationException("end_date", "end_date must be after start_date"));
		}
		long buckets = Duration.between(start, end).toSeconds() / switch (unit) {
			case "hour" -> 3600;
			case "day" -> 86_400;
			case "week" -> 604_800;
			default -> 2_419_200;
		};
		if (buckets > MAX_BUCKETS) {
			return Mono.error(new ValidationException("start_date",
					"the range holds more than " + MAX_BUCKETS + " " + unit + "s; narrow it or choose a coarser granularity"));
		}
		UUID me = UUID.fromString(caller.userId());
		String sql = "WITH buckets AS (SELECT generate_series(date_trunc(:unit, :start AT TIME ZONE 'UTC'), "
				+ ":end AT TIME ZONE 'UTC' - interval '1 microsecond', ('1 ' || :unit)::interval) AS b) "
				+ "SELECT b, "
				+ "(SELECT coalesce(sum(u.api_calls), 0) FROM api_usage u WHERE u.user_id = :me "
				+ "  AND date_trunc(:unit, u.hour AT TIME ZONE 'UTC') = b AND u.hour >= :start AND u.hour < :end) AS api_calls, "
				+ "(SELECT coalesce(sum(r.size_bytes), 0) FROM data_record r WHERE r.owner_id = :me AND r.status = 'processed' "
				+ "  AND date_trunc(:unit, r.updated_at AT TIME ZONE 'UTC') = b AND r.updated_at >= :start AND r.updated_at < :end) AS data_processed, "
				+ "(SELECT count(*) FROM project p WHERE p.owner_id = :me "
				+ "  AND date_trunc(:unit, p.created_at AT TIME ZONE 'UTC') = b AND p.created_at >= :start AND p.created_at < :end) AS projects_created "
				+ "FROM buckets ORDER BY b";
		Mono<List<Bucket>> data = this.database.sql(sql)
			.bind("unit", unit)
			.bind("start", start)
			.bind("end", end)
			.bind("me", me)
			.map((row) -> new Bucket(label(row.get("b", java.time.LocalDateTime.class), unit),
					row.get("api_calls", Number.class).longValue(), row.get("data_processed", Number.class).longValue(),
					row.get("projects_created", Number.class).longValue()))
			.all()
			.collectList();
		Mono<Long> projects = this.database.sql("SELECT count(*) AS n FROM project WHERE owner_id = :me AND deleted_at IS NULL")
			.bind("me", me)
			.map((row) -> row.get("n", Long.class))
			.one();
		return Mono.zip(data, projects)
			.map((both) -> new Usage(both.getT1(), new Summary(both.getT1().stream().mapToLong(Bucket::apiCalls).sum(),
					both.getT1().stream().mapToLong(Bucket::dataProcessed).sum(), both.getT2())));
	}

	// On Kafka's listener thread: waiting for the transaction keeps the offset behind the change.
	@KafkaListener(topics = Topics.GATEWAY, groupId = "dataset-service-usage" + Topics.GROUP_SUFFIX)
	void onUsage(ConsumerRecord<String, String> record) {
		this.inbox.applyOnce(record, "api-usage", Duration.ofSeconds(30), this::counted);
	}

	/**
	 * Adds one usage count. Another event type on the topic is not this consumer's; a usage
	 * event whose data does not fit goes to the dead-letter topic.
	 */
	private @Nullable Mono<Void> counted(CloudEvent event) {
		if (!GatewayEvents.Usage.TYPE.equals(event.type())) {
			return null;
		}
		GatewayEvents.Usage usage = this.codec.dataAs(event, GatewayEvents.Usage.class);
		UUID user;
		try {
			user = UUID.fromString(usage.userId());
		}
		catch (IllegalArgumentException ex) {
			throw new UndecodableEventException("A usage event for no user id", ex);
		}
		Instant hour = usage.hour();
		long calls = usage.apiCalls();
		return this.database
			.sql("INSERT INTO api_usage (user_id, hour, api_calls) VALUES (:user, :hour, :calls) "
					+ "ON CONFLICT (user_id, hour) DO UPDATE SET api_calls = api_usage.api_calls + :calls")
			.bind("user", user)
			.bind("hour", hour)
			.bind("calls", calls)
			.then();
	}

	private static Instant parse(String field, String value, boolean end) {
		String text = value.trim();
		try {
			if (text.length() == 10) {
				LocalDate date = LocalDate.parse(text);
				// A whole day: an end date includes that day.
				return (end ? date.plusDays(1) : date).atStartOfDay(ZoneOffset.UTC).toInstant();
			}
			return OffsetDateTime.parse(text).toInstant();
		}
		catch (DateTimeParseException ex) {
			throw new ValidationException(field, field + " must be an ISO 8601 date (2025-11-01) or date-time");
		}
	}

	private static String label(java.time.LocalDateTime bucket, String unit) {
		return "hour".equals(unit) ? bucket.atOffset(ZoneOffset.UTC).toInstant().toString() : bucket.toLocalDate().toString();
	}

}
