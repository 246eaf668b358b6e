package org.sciport.upload.conversion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON: the top-level type, the number of top-level keys or items, the deepest nesting and
 * the count of values, read as a token stream (a file larger than memory is fine).
 */
@Component
class JsonConverter implements Converter {

	private final JsonMapper json;

	JsonConverter(JsonMapper json) {
		this.json = json;
	}

	@Override
	public boolean reads(String format) {
		return "json".equals(format);
	}

	@Override
	public Result convert(Path file) throws IOException {
		try (InputStream in = Files.newInputStream(file); JsonParser parser = this.json.createParser(in)) {
			JsonToken first = parser.nextToken();
			if (first == null) {
				throw new IOException("The JSON document is empty");
			}
			int depth = 0;
			int maxDepth = 0;
			long values = 0;
			long topLevel = 0;
			java.util.List<String> keys = new java.util.ArrayList<>();
			JsonToken token = first;
			while (token != null) {
				switch (token) {
					case START_OBJECT, START_ARRAY -> {
						if (depth == 1) {
							topLevel++;
						}
						depth++;
						maxDepth = Math.max(maxDepth, depth);
					}
					case END_OBJECT, END_ARRAY -> depth--;
					case PROPERTY_NAME -> {
						if (depth == 1 && keys.size() < 50) {
							keys.add(parser.currentName());
						}
					}
					default -> {
						values++;
						if (depth == 1) {
							topLevel++;
						}
					}
				}
				token = parser.nextToken();
			}
			Map<String, Object> metadata = new LinkedHashMap<>();
			metadata.put("format", "json");
			metadata.put("root", (first == JsonToken.START_OBJECT) ? "object" : (first == JsonToken.START_ARRAY) ? "array" : "value");
			metadata.put((first == JsonToken.START_ARRAY) ? "items" : "entries", topLevel);
			if (first == JsonToken.START_OBJECT) {
				metadata.put("keys", keys);
			}
			metadata.put("depth", maxDepth);
			metadata.put("values", values);
			return new Result(metadata, (first == JsonToken.START_ARRAY) ? topLevel : null, null);
		}
		catch (JacksonException ex) {
			throw new IOException("The file is not valid JSON: " + ex.getOriginalMessage());
		}
	}

}
