package org.sciport.commons.event;

/**
 * Kafka topics, one per producing service. Records are keyed by aggregate id, so the events
 * of one aggregate keep their order.
 */
public final class Topics {

	public static final String AUTH = "sciport.auth";

	public static final String UPLOAD = "sciport.upload";

	public static final String DATASET = "sciport.dataset";

	public static final String HARVEST = "sciport.harvest";

	public static final String WORKFLOW = "sciport.workflow";

	/** The gateway's usage counts ({@code sciport.gateway.usage}), keyed by user. */
	public static final String GATEWAY = "sciport.gateway";

	/**
	 * Appended to every listener's consumer group ({@code groupId = "dataset-service-usage" +
	 * Topics.GROUP_SUFFIX}): empty unless {@code sciport.events.consumer-group-suffix} is set. Two
	 * installations sharing one broker set it apart; the tests give each application context
	 * its own, so a context only ever consumes into its own database.
	 */
	public static final String GROUP_SUFFIX = "${sciport.events.consumer-group-suffix:}";

	private Topics() {
	}

}
