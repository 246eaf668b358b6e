package org.sciport.workflow.resources;

import java.util.UUID;

import org.sciport.commons.security.Caller;
import reactor.core.publisher.Mono;

/**
 * What happens, in the apply's transaction, when a workflow is applied (created or revised):
 * the runs module starts a workflow without a schedule once.
 */
@FunctionalInterface
public interface Applied {

	/**
	 * @param caller who applied it
	 * @param resource the resource's id
	 * @param revision the revision just applied
	 * @param manifest its manifest
	 */
	Mono<Void> applied(Caller caller, UUID resource, int revision, Manifest manifest);

}
