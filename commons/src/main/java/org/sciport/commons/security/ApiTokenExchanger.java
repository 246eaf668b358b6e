package org.sciport.commons.security;

import reactor.core.publisher.Mono;

/**
 * Turns an API token ({@code sct_…}) into a short-lived access token, or fails with an
 * authentication error.
 */
public interface ApiTokenExchanger {

	/** The prefix of every API token. */
	String PREFIX = "sct_";

	Mono<String> exchange(String apiToken);

	/**
	 * Drops a remembered exchange of {@code apiToken}, after the access token it gave was
	 * refused (a role change, for example, ends it while the API token stays valid).
	 */
	default void forget(String apiToken) {
	}

}
