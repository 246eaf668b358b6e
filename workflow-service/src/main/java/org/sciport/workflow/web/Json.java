package org.sciport.workflow.web;

import io.r2dbc.spi.Readable;

/**
 * Reading {@code jsonb} columns.
 */
public final class Json {

	private Json() {
	}

	/** A {@code jsonb} column's text ({@code {}} when it is {@code NULL}). */
	public static String text(Readable row, String column) {
		io.r2dbc.postgresql.codec.Json value = row.get(column, io.r2dbc.postgresql.codec.Json.class);
		return (value != null) ? value.asString() : "{}";
	}

	/** A {@code jsonb} column's text, {@code null} when it is {@code NULL}. */
	public static @org.jspecify.annotations.Nullable String textOrNull(Readable row, String column) {
		io.r2dbc.postgresql.codec.Json value = row.get(column, io.r2dbc.postgresql.codec.Json.class);
		return (value != null) ? value.asString() : null;
	}

}
