package org.sciport.commons.event;

import java.time.Instant;

/**
 * The events the gateway writes on {@code sciport.gateway}, as typed records (see
 * {@link CatalogueEvents} for the conventions).
 */
public final class GatewayEvents {

	/** The CloudEvents source of every event written here. */
	public static final String SOURCE = "/sciport/gateway";

	private GatewayEvents() {
	}

	/**
	 * Requests the gateway served for one signed-in user within one hour, counted since the last
	 * such event (several events of the same user and hour add up).
	 *
	 * @param userId the user
	 * @param hour the hour, truncated
	 * @param apiCalls the requests counted
	 */
	public record Usage(String userId, Instant hour, long apiCalls) {

		public static final String TYPE = "sciport.gateway.usage";

	}

}
