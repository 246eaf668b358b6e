package org.sciport.harvest.web;

import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import tools.jackson.databind.JsonNode;

/**
 * A JSON request body read strictly: an object, only the fields the endpoint knows, each of
 * its type (a string is no number, {@code true} is no name, {@code -1} is no boolean). Each
 * refusal names the field.
 */
public final class Body {

	private final JsonNode node;

	private Body(JsonNode node) {
		this.node = node;
	}

	/** Reads {@code node}, refusing anything but an object of the {@code known} fields. */
	public static Body of(@Nullable JsonNode node, Set<String> known) {
		if (node == null || !node.isObject()) {
			throw new ValidationException(null, "the body must be a JSON object");
		}
		for (String field : node.propertyNames()) {
			if (!known.contains(field)) {
				throw new ValidationException(field, "unknown field '" + field + "'");
			}
		}
		return new Body(node);
	}

	/** Whether the body names the field (even as {@code null}). */
	public boolean has(String field) {
		return this.node.has(field);
	}

	/** A string, or {@code null} when absent or null; at most {@code max} characters. */
	public @Nullable String text(String field, int max) {
		JsonNode value = this.node.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw new ValidationException(field, field + " must be a string");
		}
		String text = value.asString();
		if (text.length() > max) {
			throw new ValidationException(field, field + " must be at most " + max + " characters");
		}
		return text;
	}

	/** A string that must be there and not blank. */
	public String required(String field, int max) {
		String text = text(field, max);
		if (text == null || text.isBlank()) {
			throw new ValidationException(field, field + " is required");
		}
		return text.trim();
	}

	public @Nullable Boolean bool(String field) {
		JsonNode value = this.node.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isBoolean()) {
			throw new ValidationException(field, field + " must be true or false");
		}
		return value.asBoolean();
	}

	public @Nullable Integer integer(String field, int min, int max) {
		JsonNode value = this.node.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
			throw new ValidationException(field, field + " must be a whole number from " + min + " to " + max);
		}
		return value.asInt();
	}

	public @Nullable UUID uuid(String field) {
		String text = text(field, 64);
		if (text == null) {
			return null;
		}
		try {
			return UUID.fromString(text.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException(field, field + " must be a UUID");
		}
	}

	/** An object, or {@code null} when absent or null. */
	public @Nullable JsonNode object(String field) {
		JsonNode value = this.node.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isObject()) {
			throw new ValidationException(field, field + " must be an object");
		}
		return value;
	}

}
