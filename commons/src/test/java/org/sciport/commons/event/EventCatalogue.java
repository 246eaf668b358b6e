package org.sciport.commons.event;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every event type Sciport publishes ({@link EventTypes}), the channel its producer writes it
 * on, and the JSON Schema of its {@code data} as the codec writes it (snake_case names; {@code @JsonUnwrapped} records inlined;
 * a {@code @Nullable} component left out when empty, so not required).
 */
final class EventCatalogue {

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	static final Map<String, String> SOURCES = Map.of("auth", "/sciport/auth-service", "upload",
			"/sciport/upload-service", "dataset", "/sciport/dataset-service", "gateway", "/sciport/gateway", "harvest",
			"/sciport/harvest-service", "workflow", "/sciport/workflow-service");

	private EventCatalogue() {
	}

	/**
	 * An event type.
	 *
	 * @param type its CloudEvents type
	 * @param channel the channel (topic, without {@code sciport.}) it is written on
	 * @param record its data's record
	 */
	record Entry(String type, String channel, Class<?> record) {

		String source() {
			return SOURCES.get(this.channel);
		}

	}

	/** Every event type ({@link EventTypes}). */
	static List<Entry> entries() {
		return EventTypes.all().stream()
			.map((entry) -> new Entry(entry.type(), entry.topic().replaceFirst("^sciport\\.", ""), entry.record()))
			.toList();
	}

	/** The records that are consumers' views, with the event type each reads. */
	static Map<Class<?>, String> views() {
		return EventTypes.views();
	}

	/** The JSON Schema of a record's JSON form. */
	static ObjectNode schema(Class<?> record) {
		ObjectNode schema = NODES.objectNode();
		schema.put("type", "object");
		ObjectNode properties = NODES.objectNode();
		Set<String> required = new LinkedHashSet<>();
		collect(record, properties, required);
		if (!required.isEmpty()) {
			ArrayNode list = schema.putArray("required");
			required.forEach(list::add);
		}
		schema.set("properties", properties);
		return schema;
	}

	private static void collect(Class<?> record, ObjectNode properties, Set<String> required) {
		for (RecordComponent component : record.getRecordComponents()) {
			if (component.getAccessor().isAnnotationPresent(com.fasterxml.jackson.annotation.JsonIgnore.class)) {
				continue;
			}
			boolean unwrapped = component.isAnnotationPresent(JsonUnwrapped.class)
					|| component.getAccessor().isAnnotationPresent(JsonUnwrapped.class);
			if (unwrapped && component.getType().isRecord()) {
				collect(component.getType(), properties, required);
				continue;
			}
			String name = PropertyNamingStrategies.SNAKE_CASE.nameForField(null, null, component.getName());
			properties.set(name, schemaOf(component.getGenericType()));
			boolean nullable = component.getAnnotatedType().isAnnotationPresent(Nullable.class);
			if (!nullable) {
				required.add(name);
			}
		}
	}

	private static ObjectNode schemaOf(Type type) {
		ObjectNode schema = NODES.objectNode();
		if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> raw) {
			if (Collection.class.isAssignableFrom(raw)) {
				schema.put("type", "array");
				schema.set("items", schemaOf(parameterized.getActualTypeArguments()[0]));
				return schema;
			}
			if (Map.class.isAssignableFrom(raw)) {
				schema.put("type", "object");
				return schema;
			}
			return schemaOf(raw);
		}
		Class<?> raw = (Class<?>) type;
		if (raw == String.class || raw == UUID.class || raw.isEnum()) {
			schema.put("type", "string");
			if (raw == UUID.class) {
				schema.put("format", "uuid");
			}
			if (raw.isEnum()) {
				ArrayNode values = schema.putArray("enum");
				for (Object constant : raw.getEnumConstants()) {
					values.add(constant.toString());
				}
			}
		}
		else if (raw == Instant.class || raw == OffsetDateTime.class) {
			schema.put("type", "string");
			schema.put("format", "date-time");
		}
		else if (raw == LocalDate.class) {
			schema.put("type", "string");
			schema.put("format", "date");
		}
		else if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
			schema.put("type", "integer");
		}
		else if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class
				|| Number.class.isAssignableFrom(raw)) {
			schema.put("type", "number");
		}
		else if (raw == boolean.class || raw == Boolean.class) {
			schema.put("type", "boolean");
		}
		else if (raw.isRecord()) {
			return schema(raw);
		}
		else if (Map.class.isAssignableFrom(raw)) {
			schema.put("type", "object");
		}
		else if (!JsonNode.class.isAssignableFrom(raw) && raw != Object.class) {
			throw new IllegalStateException("No JSON Schema for " + raw + ": teach EventCatalogue its form");
		}
		// A JsonNode (free-form JSON) stays {}: any value.
		return schema;
	}

	/**
	 * Where the documented schema {@code documented} differs from the generated one: names,
	 * required names and each property's type, recursively; refinements (format, enum,
	 * description) are the document's own.
	 */
	static List<String> differences(String where, JsonNode generated, JsonNode documented) {
		List<String> differences = new ArrayList<>();
		String type = generated.path("type").asString(null);
		if (type != null && !type.equals(documented.path("type").asString(null))) {
			differences.add(where + ": type " + documented.path("type").asString("(none)") + ", the record says " + type);
			return differences;
		}
		if ("object".equals(type) && generated.has("properties")) {
			Set<String> names = new LinkedHashSet<>(generated.path("properties").propertyNames());
			Set<String> written = new LinkedHashSet<>(documented.path("properties").propertyNames());
			for (String name : names) {
				if (!written.contains(name)) {
					differences.add(where + "." + name + ": not in the catalogue");
				}
				else {
					differences.addAll(differences(where + "." + name, generated.path("properties").path(name),
							documented.path("properties").path(name)));
				}
			}
			for (String name : written) {
				if (!names.contains(name)) {
					differences.add(where + "." + name + ": in the catalogue, not in the record");
				}
			}
			Set<String> required = new LinkedHashSet<>();
			generated.path("required").forEach((name) -> required.add(name.asString()));
			Set<String> documentedRequired = new LinkedHashSet<>();
			documented.path("required").forEach((name) -> documentedRequired.add(name.asString()));
			if (!required.equals(documentedRequired)) {
				differences.add(where + ": required " + documentedRequired + ", the record says " + required);
			}
		}
		if ("array".equals(type)) {
			differences.addAll(differences(where + "[]", generated.path("items"), documented.path("items")));
		}
		return differences;
	}

	/** The generated schema with the document's refinements of it kept (format, enum, description, ...). */
	static ObjectNode refined(ObjectNode generated, JsonNode documented) {
		ObjectNode result = generated.deepCopy();
		if (!documented.isObject()
				|| !generated.path("type").asString("").equals(documented.path("type").asString(""))) {
			return result;
		}
		for (String key : documented.propertyNames()) {
			if (!Set.of("type", "properties", "required", "items").contains(key)) {
				result.set(key, documented.get(key).deepCopy());
			}
		}
		if (generated.has("properties")) {
			ObjectNode properties = result.putObject("properties");
			for (String name : generated.path("properties").propertyNames()) {
				properties.set(name, refined((ObjectNode) generated.path("properties").path(name),
						documented.path("properties").path(name)));
			}
		}
		if (generated.has("items")) {
			result.set("items", refined((ObjectNode) generated.path("items"), documented.path("items")));
		}
		return result;
	}

	/** {@code sciport.harvest.run.started} → {@code harvestRunStarted}. */
	static String key(String type) {
		String[] words = type.replaceFirst("^sciport\\.", "").split("[.-]");
		StringBuilder key = new StringBuilder(words[0]);
		for (int i = 1; i < words.length; i++) {
			key.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
		}
		return key.toString();
	}

	/** {@code RunStarted} → {@code Run started}. */
	static String title(Class<?> record) {
		String words = record.getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
		return Character.toUpperCase(words.charAt(0)) + words.substring(1);
	}

}
