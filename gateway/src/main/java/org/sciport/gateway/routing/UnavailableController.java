package org.sciport.gateway.routing;

import org.sciport.commons.error.ServiceUnavailableException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The fallback of every route's circuit breaker: a 503 in the native error shape naming the
 * service, so clients can tell a stopped service from a missing resource.
 */
@RestController
class UnavailableController {

	@RequestMapping("/gateway/unavailable/{service}")
	Mono<Void> unavailable(@PathVariable String service) {
		return Mono.error(new ServiceUnavailableException(
				service + "-service is not answering right now; try again shortly"));
	}

}
