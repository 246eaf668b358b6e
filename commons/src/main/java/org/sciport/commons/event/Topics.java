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

	private Topics() {
	}

}
