package org.sciport.workflow.resources;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.SciportException;
import org.sciport.commons.error.ValidationException;
import org.sciport.workflow.workspaces.Workspaces;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A resource's manifest as applied: {@code name}, {@code version}, {@code type},
 * {@code workspace}, {@code tags}, {@code description}, and the type's own section
 * ({@code workflow:} for a workflow), in YAML or JSON. Checked whole: a syntax error says its line
 * and column, any other error names the field ({@code workflow.dag[1].dependencies[0]}).
 *
 * @param name its name
 * @param version the version it names ({@code v1} unless it says)
 * @param type its type
 * @param workspace the workspace it names, if it does
 * @param tags its tags
 * @param description its description
 * @param spec everything but the fields above: the type's own section(s)
 * @param text the manifest as sent
 */
public record Manifest(String name, String version, String type, @Nullable String workspace, List<String> tags,
		@Nullable String description, ObjectNode spec, String text) {

	/** A resource's name: a DNS label. */
	static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

	private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,39}");

	private static final Set<String> COMMON = Set.of("name", "version", "type", "workspace", "tags", "description");

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * Parses and checks a manifest.
	 *
	 * @param text the body as sent
	 * @param contentType its media type: JSON, or YAML (also when none is given)
	 * @param types the types that may be applied
	 */
	static Manifest parse(String text, @Nullable MediaType contentType, List<String> types) {
		boolean json = contentType != null && (MediaType.APPLICATION_JSON.isCompatibleWith(contentType)
				|| contentType.getSubtype().endsWith("+json"));
		boolean yaml = contentType == null || contentType.getSubtype().toLowerCase(Locale.ROOT).contains("yaml")
				|| MediaType.TEXT_PLAIN.isCompatibleWith(contentType);
		if (!json && !yaml) {
			throw new SciportException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
					"A manifest is sent as application/yaml or application/json, not " + contentType);
		}
		if (text.isBlank()) {
			throw new ValidationException("manifest", "The manifest is empty");
		}
		JsonNode root;
		try {
			root = json ? JSON.readTree(text) : YAML.readTree(text);
		}
		catch (JacksonException ex) {
			throw syntax(ex, json ? "JSON" : "YAML");
		}
		if (root == null || !root.isObject()) {
			throw new ValidationException("manifest", "The manifest must be a mapping of fields (name, version, type, ...)");
		}
		ObjectNode fields = (ObjectNode) root;
		String name = required(fields, "name");
		if (!NAME.matcher(name).matches()) {
			throw new ValidationException("name",
					"name must be 1 to 63 lower-case letters, digits and dashes, starting and ending with a letter or digit");
		}
		String version = text(fields, "version", false);
		if (version == null) {
			version = "v1";
		}
		else if (!VERSION.matcher(version).matches()) {
			throw new ValidationException("version", "version must be up to 40 letters, digits, dots, dashes and underscores");
		}
		String type = required(fields, "type").toLowerCase(Locale.ROOT);
		if (!types.contains(type)) {
			throw new SciportException(ErrorCode.VALIDATION_ERROR, "Unknown resource type '" + type + "'; known types: "
					+ String.join(", ", types), "type", Map.of("known_types", types), null);
		}
		String workspace = text(fields, "workspace", false);
		if (workspace != null && !Workspaces.NAME.matcher(workspace).matches()) {
			throw new ValidationException("workspace", "workspace must be a workspace's name");
		}
		String description = text(fields, "description", false);
		if (description != null && description.length() > 2000) {
			throw new ValidationException("description", "description must be at most 2000 characters");
		}
		List<String> tags = new ArrayList<>();
		JsonNode tagList = fields.path("tags");
		if (!tagList.isMissingNode() && !tagList.isNull()) {
			if (!tagList.isArray() || tagList.size() > 50) {
				throw new ValidationException("tags", "tags must be a list of at most 50 words");
			}
			for (int i = 0; i < tagList.size(); i++) {
				JsonNode tag = tagList.get(i);
				if (!tag.isString() || tag.asString().isBlank() || tag.asString().length() > 100) {
					throw new ValidationException("tags[" + i + "]", "a tag is a word of at most 100 characters");
				}
				tags.add(tag.asString().trim());
			}
		}
		ObjectNode spec = fields.deepCopy();
		spec.remove(COMMON);
		if ("workflow".equals(type)) {
			WorkflowSpec.check(spec);
		}
		return new Manifest(name, version, type, workspace, List.copyOf(tags), description, spec, text);
	}

	private static String required(ObjectNode fields, String field) {
		String text = text(fields, field, true);
		if (text == null) {
			throw new ValidationException(field, field + " is required");
		}
		return text;
	}

	private static ValidationException syntax(JacksonException ex, String format) {
		TokenStreamLocation location = ex.getLocation();
		String where = (location != null && location.getLineNr() > 0)
				? " at line " + location.getLineNr() + ", column " + location.getColumnNr() : "";
		String problem = ex.getOriginalMessage();
		if (problem != null) {
			// The parser's own first line says what it met; the rest repeats the document.
			problem = problem.lines().findFirst().orElse(problem).trim();
		}
		return new ValidationException("manifest", format + " syntax error" + where + ((problem != null) ? ": " + problem : ""));
	}

	private static @Nullable String text(ObjectNode fields, String field, boolean required) {
		JsonNode value = fields.path(field);
		if (value.isMissingNode() || value.isNull()) {
			if (required) {
				throw new ValidationException(field, field + " is required");
			}
			return null;
		}
		if (!value.isString() && !value.isNumber()) {
			throw new ValidationException(field, field + " must be text");
		}
		String text = value.asString().trim();
		if (required && text.isEmpty()) {
			throw new ValidationException(field, field + " is required");
		}
		return text.isEmpty() ? null : text;
	}

}
