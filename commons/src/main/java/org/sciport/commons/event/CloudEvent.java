package org.sciport.commons.event;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A CloudEvents 1.0 event in JSON structured mode, as Sciport publishes it on Kafka. The
 * field names are the CloudEvents attribute names, so the serialised form is a valid
 * {@code application/cloudevents+json} document.
 *
 * @param specversion always {@value #SPEC_VERSION}
 * @param id unique per event; consumers de-duplicate on it
 * @param source the producing service, e.g. {@code /sciport/auth-service}
 * @param type the event type and its version, e.g. {@code sciport.upload.completed}
 * @param subject the aggregate id, also the Kafka record key
 * @param time when the state change happened
 * @param datacontenttype always {@code application/json}
 * @param data the event payload
 */
public record CloudEvent(String specversion, String id, URI source, String type, String subject, Instant time,
		String datacontenttype, @Nullable JsonNode data) {

	public static final String SPEC_VERSION = "1.0";

	/** The Kafka {@code content-type} header value for structured mode. */
	public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

	public CloudEvent {
		Objects.requireNonNull(id, "id");
		Objects.requireNonNull(type, "type");
		Objects.requireNonNull(subject, "subject");
		if (data != null && data.isNull()) {
			data = null;
		}
		if (!SPEC_VERSION.equals(specversion)) {
			throw new IllegalArgumentException("Unsupported CloudEvents specversion " + specversion);
		}
	}

	/**
	 * A new event with a random id, stamped now.
	 */
	public static CloudEvent create(String source, String type, String subject, @Nullable JsonNode data) {
		return new CloudEvent(SPEC_VERSION, UUID.randomUUID().toString(), URI.create(source), type, subject,
				Instant.now(), "application/json", data);
	}

}
