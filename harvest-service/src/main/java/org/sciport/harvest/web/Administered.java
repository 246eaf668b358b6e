package org.sciport.harvest.web;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * What every administered table shares: rows deleted softly ({@code deleted_at}), listed in a
 * fixed order, read one at a time (404 when gone), and referred to by other rows (a reference to
 * one that is gone is a validation error naming the referring field).
 */
public final class Administered {

	private final DatabaseClient database;

	private final String table;

	private final String what;

	private final String order;

	private final Function<Readable, Map<String, Object>> view;

	/**
	 * @param table the table
	 * @param what what a row is called in messages ("storage location")
	 * @param order the list's {@code ORDER BY}
	 * @param view a row as the API answers it
	 */
	public Administered(DatabaseClient database, String table, String what, String order,
			Function<Readable, Map<String, Object>> view) {
		this.database = database;
		this.table = table;
		this.what = what;
		this.order = order;
		this.view = view;
	}

	public Mono<List<Map<String, Object>>> list(long offset, int limit) {
		return this.database
			.sql("SELECT * FROM " + this.table + " WHERE deleted_at IS NULL ORDER BY " + this.order
					+ " OFFSET :offset LIMIT :limit")
			.bind("offset", offset)
			.bind("limit", limit)
			.map(this.view)
			.all()
			.collectList();
	}

	public Mono<Long> count() {
		return this.database.sql("SELECT count(*) AS n FROM " + this.table + " WHERE deleted_at IS NULL")
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	public Mono<Map<String, Object>> get(UUID id) {
		return this.database.sql("SELECT * FROM " + this.table + " WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.map(this.view)
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no " + this.what + " " + id)));
	}

	public Mono<Void> delete(UUID id) {
		return this.database.sql("UPDATE " + this.table + " SET deleted_at = now() WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.fetch()
			.rowsUpdated()
			.flatMap((n) -> (n == 0) ? Mono.error(new NotFoundException("no " + this.what + " " + id)) : Mono.empty());
	}

	/**
	 * Completes if {@code id} names a row of {@code table} that is there (or is {@code null}); a
	 * 4xx naming {@code field} if not.
	 */
	public static Mono<Void> reference(DatabaseClient database, String table, String what, String field,
			@Nullable Object id) {
		if (id == null) {
			return Mono.empty();
		}
		return database.sql("SELECT 1 FROM " + table + " WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.map((row) -> 1)
			.one()
			.switchIfEmpty(Mono.error(() -> new ValidationException(field, "no " + what + " " + id)))
			.then();
	}

	/** Completes if {@code id} names a row that is there (or is {@code null}); a 4xx naming {@code field} if not. */
	public Mono<Void> exists(String field, @Nullable Object id) {
		return reference(this.database, this.table, this.what, field, id);
	}

}
