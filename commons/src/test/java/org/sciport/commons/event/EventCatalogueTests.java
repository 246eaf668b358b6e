package org.sciport.commons.event;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event catalogue, {@code docs/events/asyncapi.yaml}, against the typed event records: every
 * event type is a message of its channel, with its {@code type} and {@code source}, and its
 * {@code data} schema has the record's fields, their types and which are required; no message is
 * left over from an event that is gone; a consumer's view of an event reads only fields the
 * producer writes; and the document is valid AsyncAPI 3.0.
 * <p>
 * A new event or field fails the build until the catalogue says it. Run with
 * {@code -Dsciport.catalogue.write=true} ({@code ./mvnw -pl commons test -Dtest=EventCatalogueTests
 * -Dsciport.catalogue.write=true}) to have the catalogue brought up to date from the records,
 * keeping its titles, summaries, descriptions and refinements (formats, enums), then review the
 * change.
 */
class EventCatalogueTests {

	private static final Path DOCUMENT = Path.of("..", "docs", "events", "asyncapi.yaml");

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.enable(YAMLWriteFeature.MINIMIZE_QUOTES, YAMLWriteFeature.LITERAL_BLOCK_STYLE)
		.disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
		.build();

	@BeforeAll
	static void bringUpToDate() throws IOException {
		if (Boolean.getBoolean("sciport.catalogue.write")) {
			Files.writeString(DOCUMENT, YAML.writeValueAsString(upToDate((ObjectNode) read())));
		}
	}

	@Test
	void everyEventIsAMessageOfItsChannelWithTheFieldsOfItsRecord() throws IOException {
		JsonNode document = read();
		JsonNode messages = document.path("components").path("messages");
		List<String> problems = new ArrayList<>();
		Set<String> documented = new LinkedHashSet<>();
		for (String key : messages.propertyNames()) {
			documented.add(messages.path(key).path("name").asString());
		}
		for (EventCatalogue.Entry entry : EventCatalogue.entries()) {
			String key = keyOf(messages, entry.type());
			if (key == null) {
				problems.add(entry.type() + " (" + entry.record().getName() + "): no message in the catalogue");
				continue;
			}
			JsonNode payload = messages.path(key).path("payload").path("allOf").path(1).path("properties");
			if (!entry.type().equals(payload.path("type").path("const").asString(null))) {
				problems.add(entry.type() + ": its payload's type is not const " + entry.type());
			}
			if (!entry.source().equals(payload.path("source").path("const").asString(null))) {
				problems.add(entry.type() + ": its payload's source is not const " + entry.source());
			}
			problems.addAll(EventCatalogue.differences(entry.type() + " data", EventCatalogue.schema(entry.record()),
					payload.path("data")));
			String reference = "#/components/messages/" + key;
			if (!reference.equals(document.path("channels").path(entry.channel()).path("messages").path(key).path("$ref")
				.asString(null))) {
				problems.add(entry.type() + ": not a message of channel " + entry.channel());
			}
			documented.remove(entry.type());
		}
		documented.forEach((type) -> problems.add(type + ": in the catalogue, but no record has this type"));
		assertThat(problems).as("the catalogue against the event records (-Dsciport.catalogue.write=true brings it up to "
				+ "date)").isEmpty();
	}

	@Test
	void aConsumersViewOfAnEventReadsOnlyWhatItsProducerWrites() {
		Map<String, EventCatalogue.Entry> byType = new java.util.HashMap<>();
		EventCatalogue.entries().forEach((entry) -> byType.put(entry.type(), entry));
		EventCatalogue.views().forEach((view, type) -> {
			JsonNode written = EventCatalogue.schema(byType.get(type).record()).path("properties");
			for (String field : EventCatalogue.schema(view).path("properties").propertyNames()) {
				assertThat(written.has(field)).as(view.getName() + " reads " + field + " of " + type).isTrue();
			}
		});
	}

	@Test
	void theCatalogueIsAValidAsyncApi3Document() throws IOException {
		Schema schema;
		try (InputStream in = getClass().getResourceAsStream("/asyncapi/asyncapi-3.0.0.schema.json")) {
			schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(in);
		}
		JsonNode document = read();
		assertThat(schema.validate(document)).isEmpty();
		// And the check can fail: a message without its payload's schema object is refused.
		ObjectNode broken = (ObjectNode) document.deepCopy();
		((ObjectNode) broken.path("components").path("messages").path("userRegistered")).put("payload", 7);
		assertThat(schema.validate(broken)).isNotEmpty();
	}

	private static JsonNode read() throws IOException {
		return YAML.readTree(Files.readString(DOCUMENT));
	}

	private static String keyOf(JsonNode messages, String type) {
		for (String key : messages.propertyNames()) {
			if (type.equals(messages.path(key).path("name").asString(null))) {
				return key;
			}
		}
		return null;
	}

	/** The document with its messages, channels' messages and operations made from the records. */
	private static ObjectNode upToDate(ObjectNode document) {
		ObjectNode components = (ObjectNode) document.path("components");
		JsonNode old = components.path("messages");
		ObjectNode messages = YAML.createObjectNode();
		ObjectNode channels = (ObjectNode) document.path("channels");
		channels.propertyNames().forEach((channel) -> ((ObjectNode) channels.path(channel)).remove("messages"));
		ObjectNode operations = YAML.createObjectNode();
		for (EventCatalogue.Entry entry : EventCatalogue.entries()) {
			String key = keyOf(old, entry.type());
			JsonNode before = (key != null) ? old.path(key) : YAML.createObjectNode();
			key = (key != null) ? key : EventCatalogue.key(entry.type());
			ObjectNode message = messages.putObject(key);
			message.put("name", entry.type());
			message.put("title", before.path("title").asString(EventCatalogue.title(entry.record())));
			if (before.has("summary")) {
				message.set("summary", before.get("summary"));
			}
			if (before.has("bindings")) {
				message.set("bindings", before.get("bindings"));
			}
			ObjectNode payload = message.putObject("payload");
			ArrayNode allOf = payload.putArray("allOf");
			allOf.addObject().put("$ref", "#/components/schemas/CloudEvent");
			ObjectNode own = allOf.addObject();
			own.put("type", "object");
			ObjectNode properties = own.putObject("properties");
			properties.putObject("type").put("const", entry.type());
			properties.putObject("source").put("const", entry.source());
			properties.set("data", EventCatalogue.refined(EventCatalogue.schema(entry.record()),
					before.path("payload").path("allOf").path(1).path("properties").path("data")));
			if (!channels.has(entry.channel())) {
				channels.putObject(entry.channel()).put("address", "sciport." + entry.channel());
			}
			ObjectNode channel = (ObjectNode) channels.path(entry.channel());
			ObjectNode channelMessages = channel.has("messages") ? (ObjectNode) channel.path("messages")
					: channel.putObject("messages");
			channelMessages.putObject(key).put("$ref", "#/components/messages/" + key);
			ObjectNode operation = operations.putObject("publish" + Character.toUpperCase(key.charAt(0)) + key.substring(1));
			operation.put("action", "send");
			operation.putObject("channel").put("$ref", "#/channels/" + entry.channel());
			operation.putArray("messages").addObject().put("$ref", "#/channels/" + entry.channel() + "/messages/" + key);
		}
		components.set("messages", messages);
		document.set("operations", operations);
		// components after operations, as the document was written
		document.remove("components");
		document.set("components", components);
		return document;
	}

}
