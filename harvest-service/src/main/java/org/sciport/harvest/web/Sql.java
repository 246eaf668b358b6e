package org.sciport.harvest.web;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

/**
 * Binding a value that may be absent.
 */
public final class Sql {

	private Sql() {
	}

	/** A {@code jsonb} column's text ({@code {}} when it is null). */
	public static String json(io.r2dbc.spi.Readable row, String column) {
		io.r2dbc.postgresql.codec.Json value = row.get(column, io.r2dbc.postgresql.codec.Json.class);
		return (value != null) ? value.asString() : "{}";
	}

	/** Binds {@code value}, or SQL {@code NULL} of {@code type} when it is {@code null}. */
	public static GenericExecuteSpec bind(GenericExecuteSpec spec, String name, @Nullable Object value, Class<?> type) {
		return (value != null) ? spec.bind(name, value) : spec.bindNull(name, type);
	}

}
