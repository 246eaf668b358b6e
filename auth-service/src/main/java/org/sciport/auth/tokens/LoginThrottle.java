package org.sciport.auth.tokens;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.SciportException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Bounds password guessing without letting a stranger lock an account's owner out. Failures
 * are counted three ways, each forgotten {@link #FORGET_AFTER} after its last failure:
 * <ul>
 * <li>per account and address: after {@value #PAIR_FREE} failures each further one locks that
 * address out of that account for twice as long as the one before (1 s, 2 s, 4 s, ...), at most
 * {@link #MAX_LOCK}. Only the guesser is locked;</li>
 * <li>per address, over all accounts: the same after {@value #ADDRESS_FREE} failures (many
 * people may share an address);</li>
 * <li>per account, over all addresses: after {@value #ACCOUNT_FREE} failures the account is
 * slowed down, not locked: each further failure makes it wait twice as long, at most
 * {@link #MAX_SLOW_DOWN}, and an address that signed in to it successfully before is let
 * through.</li>
 * </ul>
 * A success clears the pair's count and remembers the address for the account.
 */
@Component
class LoginThrottle {

	static final int PAIR_FREE = 5;

	static final int ADDRESS_FREE = 20;

	static final int ACCOUNT_FREE = 20;

	static final Duration MAX_LOCK = Duration.ofMinutes(15);

	static final Duration MAX_SLOW_DOWN = Duration.ofMinutes(1);

	static final Duration FORGET_AFTER = Duration.ofHours(1);

	private final DatabaseClient database;

	private final Clock clock;

	LoginThrottle(DatabaseClient database, ObjectProvider<Clock> clock) {
		this.database = database;
		// A test moves time on instead of waiting for a lock to run out.
		this.clock = clock.getIfAvailable(Clock::systemUTC);
	}

	private static String emailKey(String email) {
		return email.trim().toLowerCase(Locale.ROOT);
	}

	private static List<String> keys(String email, String address, boolean known) {
		String account = emailKey(email);
		return known ? List.of("pair:" + account + "|" + address, "addr:" + address)
				: List.of("pair:" + account + "|" + address, "addr:" + address, "email:" + account);
	}

	/**
	 * Fails with a 429 saying when to try again if this address may not try this account now.
	 */
	Mono<Void> checkAllowed(String email, String address) {
		return known(email, address).flatMap((known) -> checkAllowed(keys(email, address, known)));
	}

	private Mono<Boolean> known(String email, String address) {
		return this.database.sql("SELECT 1 FROM login_known_address WHERE email_key = :email AND address = :address")
			.bind("email", emailKey(email))
			.bind("address", address)
			.map((row) -> true)
			.one()
			.defaultIfEmpty(false);
	}

	private Mono<Void> checkAllowed(List<String> keys) {
		return Flux.fromIterable(keys)
			.concatMap((key) -> this.database.sql("SELECT locked_until FROM login_attempt WHERE attempt_key = :key")
				.bind("key", key)
				.map((row) -> java.util.Optional.ofNullable(row.get("locked_until", Instant.class)))
				.one())
			.filter(java.util.Optional::isPresent)
			.map(java.util.Optional::get)
			.filter((until) -> until.isAfter(this.clock.instant()))
			.reduce((a, b) -> a.isAfter(b) ? a : b)
			.flatMap((until) -> {
				long seconds = Math.max(1, Duration.between(this.clock.instant(), until).toSeconds() + 1);
				return Mono.error(new SciportException(ErrorCode.RATE_LIMIT_EXCEEDED,
						"Too many failed sign-ins; try again in " + seconds + " s", null, Map.of("retry_after", seconds),
						null));
			});
	}

	Mono<Void> recordFailure(String email, String address) {
		String account = emailKey(email);
		return fail("pair:" + account + "|" + address, PAIR_FREE, MAX_LOCK)
			.then(fail("addr:" + address, ADDRESS_FREE, MAX_LOCK))
			.then(fail("email:" + account, ACCOUNT_FREE, MAX_SLOW_DOWN));
	}

	Mono<Void> recordSuccess(String email, String address) {
		String account = emailKey(email);
		return this.database.sql("DELETE FROM login_attempt WHERE attempt_key = :key")
			.bind("key", "pair:" + account + "|" + address)
			.then()
			.then(this.database
				.sql("INSERT INTO login_known_address (email_key, address, last_success) VALUES (:email, :address, now()) "
						+ "ON CONFLICT (email_key, address) DO UPDATE SET last_success = now()")
				.bind("email", account)
				.bind("address", address)
				.then());
	}

	private Mono<Void> fail(String key, int free, Duration max) {
		Instant now = this.clock.instant();
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
				Duration lock = lockFor(failures, free, max);
				if (lock.isZero()) {
					return Mono.empty();
				}
				return this.database.sql("UPDATE login_attempt SET locked_until = :until WHERE attempt_key = :key")
					.bind("until", now.plus(lock))
					.bind("key", key)
					.then();
			});
	}

	static Duration lockFor(int failures, int free, Duration max) {
		if (failures < free) {
			return Duration.ZERO;
		}
		int exponent = Math.min(failures - free, 20);
		Duration lock = Duration.ofSeconds(1L << exponent);
		return (lock.compareTo(max) > 0) ? max : lock;
	}

}
