package org.sciport.dataset.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import tools.jackson.databind.JsonNode;

/**
 * Reads fields of a JSON request body, each failure a 400 naming the field.
 */
public final class JsonFields {

	private JsonFields() {
	}

	/**
	 * The body's field names, all of which must be among {@code known}.
	 */
	public static List<String> known(@Nullable JsonNode body, Set<String> known) {
		if (body == null || !body.isObject()) {
			throw new ValidationException(null, "the body must be a JSON object");
		}
		List<String> fields = new ArrayList<>();
		for (String field : body.propertyNames()) {
			if (!known.contains(field)) {
				throw new ValidationException(field, "unknown field '" + field + "'");
			}
			fields.add(field);
		}
		return fields;
	}

	/**
	 * A non-blank, printable string of at most {@code max} characters, trimmed; {@code null} if
	 * the field is absent.
	 */
	public static @Nullable String name(JsonNode body, String field, int max) {
		if (!body.has(field)) {
			return null;
		}
		JsonNode value = body.get(field);
		if (!value.isString() || value.asString().isBlank()) {
			throw new ValidationException(field, field + " must be a non-empty string");
		}
		String text = value.asString().trim();
		if (text.length() > max || text.chars().anyMatch(Character::isISOControl)) {
			throw new ValidationException(field, field + " must be at most " + max + " printable characters");
		}
		return text;
	}

	/** An id in {@code field}; {@code null} if the field is absent or null. */
	public static java.util.@Nullable UUID uuid(JsonNode body, String field) {
		JsonNode value = body.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw new ValidationException(field, field + " must be an id");
		}
		try {
			return java.util.UUID.fromString(value.asString().trim());
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException(field, field + " is not a valid id");
		}
	}

}
