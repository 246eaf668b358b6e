package org.sciport.harvest.secrets;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.sciport.commons.secrets.SecretBox;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Moves every sealed secret (service accounts' passwords and keys, storage locations' secret
 * keys, webhook hooks' signing secrets) to the current key, the second step of a key rotation:
 * once it reports none left on other keys, the old key can be removed from the configuration.
 * A secret changed while it is being resealed is left as the change wrote it; one sealed with a
 * key that is no longer configured cannot be opened and stays as it is, counted as remaining.
 */
@Service
public class Resealing {

	/** The sealed columns: table and column. */
	private static final List<List<String>> COLUMNS = List.of(List.of("service_account", "password_sealed"),
			List.of("service_account", "private_key_sealed"), List.of("storage_location", "secret_sealed"),
			List.of("hook_config", "webhook_secret_sealed"));

	private final DatabaseClient database;

	private final SecretBox secrets;

	/**
	 * @param database harvest-service's database
	 * @param secrets the keys: the current one to seal with, and those to open the old secrets
	 */
	public Resealing(DatabaseClient database, SecretBox secrets) {
		this.database = database;
		this.secrets = secrets;
	}

	/**
	 * Reseals what is not sealed with the current key.
	 *
	 * @return {@code current_key}, {@code resealed} (how many secrets moved to it) and
	 * {@code remaining} (secrets still sealed with another key: none unless one changed meanwhile)
	 */
	public Mono<Map<String, Object>> resealAll() {
		return Flux.fromIterable(COLUMNS)
			.concatMap((column) -> reseal(column.get(0), column.get(1)))
			.reduce(0L, Long::sum)
			// Counted once every column is done.
			.flatMap((resealed) -> Flux.fromIterable(COLUMNS)
				.concatMap((column) -> remaining(column.get(0), column.get(1)))
				.reduce(0L, Long::sum)
				.map((remaining) -> {
					Map<String, Object> report = new LinkedHashMap<>();
					report.put("current_key", this.secrets.currentKeyId());
					report.put("resealed", resealed);
					report.put("remaining", remaining);
					return report;
				}));
	}

	private record Sealed(UUID id, String value) {
	}

	private Flux<Sealed> sealed(String table, String column) {
		return this.database.sql("SELECT id, " + column + " AS sealed FROM " + table + " WHERE " + column + " IS NOT NULL")
			.map((row) -> new Sealed(row.get("id", UUID.class), row.get("sealed", String.class)))
			.all();
	}

	private Mono<Long> reseal(String table, String column) {
		return sealed(table, column).filter((secret) -> !this.secrets.isCurrent(secret.value()))
			// Opening and sealing is CPU work, kept off the event loop.
			.concatMap((secret) -> Mono.fromCallable(() -> this.secrets.reseal(secret.value()))
				.subscribeOn(Schedulers.parallel())
				// Sealed with a key that is not configured: left as it is, and counted as remaining.
				.onErrorResume(IllegalStateException.class, (ex) -> Mono.empty())
				.flatMap((resealed) -> this.database
					.sql("UPDATE " + table + " SET " + column + " = :resealed WHERE id = :id AND " + column + " = :old")
					.bind("resealed", resealed)
					.bind("id", secret.id())
					.bind("old", secret.value())
					.fetch()
					.rowsUpdated()))
			.reduce(0L, Long::sum);
	}

	private Mono<Long> remaining(String table, String column) {
		return sealed(table, column).filter((secret) -> !this.secrets.isCurrent(secret.value())).count();
	}

}
