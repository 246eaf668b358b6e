package org.sciport.auth.tokens;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.SciportException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Slows down and then locks password guessing, per account email and per client address.
 * For an email: the first {@value #EMAIL_FREE} failures cost nothing; each further failure
 * locks it for twice as long as the one before (1 s, 2 s, 4 s, ...), at most
 * {@link #MAX_LOCK}. For an address the same starts after {@value #ADDRESS_FREE} failures, as
 * many people may share one. A success clears the email's count; failures older than
 * {@link #FORGET_AFTER} are forgotten.
 */
@Component
class LoginThrottle {

	static final int EMAIL_FREE = 5;

	static final int ADDRESS_FREE = 20;

	static final Duration MAX_LOCK = Duration.ofMinutes(15);

	static final Duration FORGET_AFTER = Duration.ofHours(1);

	private final DatabaseClient database;

	LoginThrottle(DatabaseClient database) {
		this.database = database;
	}

	static String emailKey(String email) {
		return "email:" + email.trim().toLowerCase(Locale.ROOT);
	}

	static String addressKey(String address) {
		return "addr:" + address;
	}

	/**
	 * Fails with a 429 saying when to try again if any of the keys is locked.
	 */
	Mono<Void> checkAllowed(List<String> keys) {
		return Flux.fromIterable(keys)
			.concatMap((key) -> this.database.sql("SELECT locked_until FROM login_attempt WHERE attempt_key = :key")
				.bind("key", key)
				.map((row) -> java.util.Optional.ofNullable(row.get("locked_until", Instant.class)))
				.one())
			.filter(java.util.Optional::isPresent)
			.map(java.util.Optional::get)
			.filter((until) -> until.isAfter(Instant.now()))
			.reduce((a, b) -> a.isAfter(b) ? a : b)
			.flatMap((until) -> {
				long seconds = Math.max(1, Duration.between(Instant.now(), until).toSeconds() + 1);
				return Mono.error(new SciportException(ErrorCode.RATE_LIMIT_EXCEEDED,
						"Too many failed sign-ins; try again in " + seconds + " s", null, Map.of("retry_after", seconds),
						null));
			});
	}

	Mono<Void> recordFailure(String emailKey, String addressKey) {
		return fail(emailKey, EMAIL_FREE).then(fail(addressKey, ADDRESS_FREE));
	}

	Mono<Void> recordSuccess(String emailKey) {
		return this.database.sql("DELETE FROM login_attempt WHERE attempt_key = :key").bind("key", emailKey).then();
	}

	private Mono<Void> fail(String key, int free) {
		Instant now = Instant.now();
		return this.database
			.sql("INSERT INTO login_attempt (attempt_key, failures, last_failure) VALUES (:key, 1, :now) "
					+ "ON CONFLICT (attempt_key) DO UPDATE SET failures = CASE WHEN login_attempt.last_failure < :forget "
					+ "THEN 1 ELSE login_attempt.failures + 1 END, last_failure = :now RETURNING failures")
			.bind("key", key)
			.bind("now", now)
			.bind("forget", now.minus(FORGET_AFTER))
			.map((row) -> row.get("failures", Integer.class))
			.one()
			.flatMap((failures) -> {
				Duration lock = lockFor(failures, free);
				if (lock.isZero()) {
					return Mono.empty();
				}
				return this.database.sql("UPDATE login_attempt SET locked_until = :until WHERE attempt_key = :key")
					.bind("until", now.plus(lock))
					.bind("key", key)
					.then();
			});
	}

	static Duration lockFor(int failures, int free) {
		if (failures < free) {
			return Duration.ZERO;
		}
		int exponent = Math.min(failures - free, 20);
		Duration lock = Duration.ofSeconds(1L << exponent);
		return (lock.compareTo(MAX_LOCK) > 0) ? MAX_LOCK : lock;
	}

}
