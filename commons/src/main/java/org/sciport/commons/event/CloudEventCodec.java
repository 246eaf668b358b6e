package org.sciport.commons.event;

import tools.jackson.databind.json.JsonMapper;

/**
 * Serialises {@link CloudEvent}s to and from their structured-mode JSON text.
 */
public final class CloudEventCodec {

	private static final org.apache.commons.logging.Log logger = org.apache.commons.logging.LogFactory
		.getLog(CloudEventCodec.class);

	private final JsonMapper jsonMapper;

	public CloudEventCodec(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	public String write(CloudEvent event) {
		return this.jsonMapper.writeValueAsString(event);
	}

	/**
	 * Reads one event; text that is not a CloudEvents 1.0 JSON event is an
	 * {@link IllegalArgumentException} saying why (never the text itself, which may be large).
	 */
	public CloudEvent read(String json) {
		try {
			return this.jsonMapper.readValue(json, CloudEvent.class);
		}
		catch (tools.jackson.core.JacksonException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw new IllegalArgumentException("Not a CloudEvents 1.0 JSON event: " + cause.getMessage(), ex);
		}
	}

	/**
	 * Reads a consumed record's value; one that is not a CloudEvents 1.0 JSON event is logged
	 * and skipped (empty), so a consumer never stalls on it.
	 */
	public java.util.Optional<CloudEvent> readConsumed(String topic, String json) {
		try {
			return java.util.Optional.of(read(json));
		}
		catch (IllegalArgumentException ex) {
			logger.warn("Skipping a record on " + topic + " that is not a CloudEvent: " + ex.getMessage());
			return java.util.Optional.empty();
		}
	}

	/**
	 * Converts a payload object into the event's data tree.
	 */
	public tools.jackson.databind.JsonNode toData(Object payload) {
		return this.jsonMapper.valueToTree(payload);
	}

}
