package org.sciport.commons.calls;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ServiceUnavailableException;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceCallsTests {

	private final ServiceCalls calls = new ServiceCalls(ServiceCalls.registry());

	@Test
	void aCallThatRunsOutOfTimeIsA503NamingTheService() {
		ServiceCalls.Guard guard = this.calls.to("dataset-service", Duration.ofMillis(50));
		StepVerifier.create(guard.guard(Mono.never()))
			.expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(ServiceUnavailableException.class)
				.hasMessage("dataset-service could not be reached"))
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void failingCallsOpenTheCircuitAndThenFailAtOnceWithoutCallingAgain() {
		ServiceCalls.Guard guard = this.calls.to("auth-service", Duration.ofSeconds(1));
		AtomicInteger calls = new AtomicInteger();
		Mono<String> down = Mono.defer(() -> {
			calls.incrementAndGet();
			return Mono.error(new ServiceUnavailableException("auth-service answered 502"));
		});
		for (int i = 0; i < ServiceCalls.MINIMUM_CALLS; i++) {
			StepVerifier.create(guard.guard(down)).expectError(ServiceUnavailableException.class)
				.verify(Duration.ofSeconds(5));
		}
		assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
		StepVerifier.create(guard.guard(down))
			.expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(ServiceUnavailableException.class)
				.hasMessage("auth-service is unavailable; try again shortly"))
			.verify(Duration.ofSeconds(5));
		assertThat(calls).hasValue(ServiceCalls.MINIMUM_CALLS);
	}

	@Test
	void answersOfTheOtherServiceAreNotFailuresOfIt() {
		ServiceCalls.Guard guard = this.calls.to("catalogue", Duration.ofSeconds(1));
		for (int i = 0; i < ServiceCalls.WINDOW; i++) {
			StepVerifier.create(guard.guard(Mono.error(new NotFoundException("No such dataset"))))
				.expectError(NotFoundException.class)
				.verify(Duration.ofSeconds(5));
		}
		assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);
		StepVerifier.create(guard.guard(Mono.just("ok"))).expectNext("ok").expectComplete().verify(Duration.ofSeconds(5));
	}

}
