package org.sciport.commons.event;

import tools.jackson.databind.json.JsonMapper;

/**
 * Serialises {@link CloudEvent}s to and from their structured-mode JSON text.
 */
public final class CloudEventCodec {

	private final JsonMapper jsonMapper;

	public CloudEventCodec(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	public String write(CloudEvent event) {
		return this.jsonMapper.writeValueAsString(event);
	}

	public CloudEvent read(String json) {
		return this.jsonMapper.readValue(json, CloudEvent.class);
	}

	/**
	 * Converts a payload object into the event's data tree.
	 */
	public tools.jackson.databind.JsonNode toData(Object payload) {
		return this.jsonMapper.valueToTree(payload);
	}

}
