package org.sciport.upload.receive;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checksums off the event loop, a batch at a time: every buffer is inspected once, in order,
 * on another thread, and passed on; a failed stream passes on what came before the failure.
 */
class InspectOffLoopTests {

	/** No step of a test waits longer than this. */
	private static final Duration WAIT = Duration.ofSeconds(30);

	@Test
	void inspectsEveryBufferOnceInOrderOnAnotherThreadAndPassesItOn() {
		List<String> pieces = new ArrayList<>();
		for (int i = 0; i < 3000; i++) {
			pieces.add(i + ":" + "x".repeat(1000) + ";");
		}
		List<String> inspected = new CopyOnWriteArrayList<>();
		List<String> threads = new CopyOnWriteArrayList<>();
		String caller = Thread.currentThread().getName();
		Flux<DataBuffer> source = Flux.fromIterable(pieces).map(InspectOffLoopTests::buffer);
		StepVerifier.create(BlobIntake.inspectOffLoop(source, (buffer) -> {
			inspected.add(buffer.toString(StandardCharsets.UTF_8));
			threads.add(Thread.currentThread().getName());
		}).map((buffer) -> buffer.toString(StandardCharsets.UTF_8)).collectList())
			.assertNext((passed) -> assertThat(passed).isEqualTo(pieces))
			.expectComplete().verify(WAIT);
		assertThat(inspected).isEqualTo(pieces);
		assertThat(threads).doesNotContain(caller);
	}

	@Test
	void aFailedStreamPassesOnWhatCameBeforeItsFailureThenTheFailure() {
		IllegalStateException cut = new IllegalStateException("connection closed");
		List<String> inspected = new CopyOnWriteArrayList<>();
		Flux<DataBuffer> source = Flux.just("first|", "second|", "third")
			.map(InspectOffLoopTests::buffer)
			.concatWith(Flux.error(cut));
		StepVerifier.create(BlobIntake.inspectOffLoop(source, (buffer) -> inspected.add(buffer.toString(StandardCharsets.UTF_8)))
			.map((buffer) -> buffer.toString(StandardCharsets.UTF_8)))
			.expectNext("first|", "second|", "third")
			.expectErrorMatches((ex) -> ex == cut)
			.verify(WAIT);
		assertThat(inspected).containsExactly("first|", "second|", "third");
	}

	private static DataBuffer buffer(String text) {
		return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

}
