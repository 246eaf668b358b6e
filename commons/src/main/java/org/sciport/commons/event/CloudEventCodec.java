package org.sciport.commons.event;

import tools.jackson.databind.json.JsonMapper;

/**
 * Serialises {@link CloudEvent}s to and from their structured-mode JSON text.
 */
public final class CloudEventCodec {

	private final JsonMapper jsonMapper;

	/**
	 * Reads event data tolerantly: a field a newer producer adds, or one an older producer left
	 * out (a number then reads as 0, a text as {@code null}), is no reason to fail.
	 */
	private final JsonMapper tolerant;

	public CloudEventCodec(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
		this.tolerant = jsonMapper.rebuild()
			.disable(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
					tools.jackson.databind.DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
			.build();
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
	 * Reads a consumed record's value. A value that is not a CloudEvent can never be applied:
	 * it fails with {@link UndecodableEventException}, which the
	 * listeners' error handler sends to the dead-letter topic
	 * ({@link org.sciport.commons.inbox.ListenerErrorPolicy}).
	 */
	public java.util.Optional<CloudEvent> readConsumed(String topic, String json) {
		try {
			return java.util.Optional.of(read(json));
		}
		catch (IllegalArgumentException ex) {
			throw new UndecodableEventException("A record on " + topic
					+ " is not a CloudEvent", ex);
		}
	}

	/**
	 * The event's data as one of the typed event records; {@link UndecodableEventException} if
	 * it has none or does not fit the record (such an event can never be applied).
	 */
	public <T> T dataAs(CloudEvent event, Class<T> type) {
		if (event.data() == null) {
			throw new UndecodableEventException("A " + event.type() + " event without data",
					new IllegalArgumentException("no data"));
		}
		try {
			return this.tolerant.treeToValue(event.data(), type);
		}
		catch (tools.jackson.core.JacksonException ex) {
			throw new UndecodableEventException("A " + event.type() + " event whose data does not fit "
					+ type.getSimpleName(), ex);
		}
	}

	/**
	 * Converts a payload object into the event's data tree.
	 */
	public tools.jackson.databind.JsonNode toData(Object payload) {
		return this.jsonMapper.valueToTree(payload);
	}

}
