package org.sciport.dataset;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The test JVM runs with BlockHound installed: a sleep on a non-blocking thread fails, the same
 * sleep on a thread meant for blocking work does not.
 */
class BlockHoundInstalledTests {

	@Test
	void blockingOnANonBlockingThreadFails() {
		Mono<Integer> sleeping = Mono.fromCallable(() -> {
			Thread.sleep(1);
			return 1;
		});
		assertThatThrownBy(() -> sleeping.subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(10)))
			.hasCauseInstanceOf(BlockingOperationError.class);
		assertThat(sleeping.subscribeOn(Schedulers.boundedElastic()).block(Duration.ofSeconds(10))).isEqualTo(1);
	}

}
