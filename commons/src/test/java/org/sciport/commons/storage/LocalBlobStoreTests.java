package org.sciport.commons.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LocalBlobStoreTests {

	/** No step of a test waits longer than this. */
	private static final Duration WAIT = Duration.ofSeconds(30);

	@TempDir
	Path root;

	@Test
	void writesReadsStatsAndDeletes() {
		LocalBlobStore store = new LocalBlobStore(this.root);
		StepVerifier.create(store.write("datasets/d1/data.csv", chunks("a,b\n", "1,2\n")))
			.assertNext((blob) -> assertThat(blob).isEqualTo(new StoredBlob("datasets/d1/data.csv", 8)))
			.expectComplete().verify(WAIT);
		assertThat(read(store, "datasets/d1/data.csv")).isEqualTo("a,b\n1,2\n");
		StepVerifier.create(store.stat("datasets/d1/data.csv")).expectNextMatches((blob) -> blob.size() == 8).expectComplete().verify(WAIT);
		StepVerifier.create(store.delete("datasets/d1/data.csv")).expectComplete().verify(WAIT);
		StepVerifier.create(store.stat("datasets/d1/data.csv")).expectComplete().verify(WAIT);
		StepVerifier.create(store.read("datasets/d1/data.csv")).expectError(BlobNotFoundException.class).verify(WAIT);
	}

	@Test
	void aFailedWriteLeavesNeitherTheBlobNorATemporaryFile() throws Exception {
		LocalBlobStore store = new LocalBlobStore(this.root);
		Flux<DataBuffer> failing = chunks("partial").concatWith(Flux.error(new IllegalStateException("client went away")));
		StepVerifier.create(store.write("uploads/u1", failing)).expectError(IllegalStateException.class).verify(WAIT);
		StepVerifier.create(store.stat("uploads/u1")).expectComplete().verify(WAIT);
		assertThat(filesUnder(this.root.resolve(".incoming"))).isZero();
	}

	@Test
	void replacingABlobIsAtomic() {
		LocalBlobStore store = new LocalBlobStore(this.root);
		store.write("k", chunks("first")).block();
		store.write("k", chunks("second")).block();
		assertThat(read(store, "k")).isEqualTo("second");
	}

	@Test
	void refusesKeysThatCouldEscapeTheRoot() {
		LocalBlobStore store = new LocalBlobStore(this.root);
		for (String key : new String[] { "../etc/passwd", "a/../../b", "/absolute", ".incoming/x", "a//b", "", "a/.hidden" }) {
			assertThatIllegalArgumentException().as(key).isThrownBy(() -> store.read(key));
		}
	}

	@Test
	void clearsLeftoversOfAnInterruptedWriteOnStart() throws Exception {
		Files.createDirectories(this.root.resolve(".incoming"));
		Files.writeString(this.root.resolve(".incoming/orphan.part"), "x");
		new LocalBlobStore(this.root);
		assertThat(filesUnder(this.root.resolve(".incoming"))).isZero();
	}

	private static Flux<DataBuffer> chunks(String... parts) {
		return Flux.fromArray(parts)
			.map((part) -> DefaultDataBufferFactory.sharedInstance.wrap(part.getBytes(StandardCharsets.UTF_8)));
	}

	private static String read(BlobStore store, String key) {
		return DataBufferUtils.join(store.read(key)).map((buffer) -> {
			String text = buffer.toString(StandardCharsets.UTF_8);
			DataBufferUtils.release(buffer);
			return text;
		}).block();
	}

	private static long filesUnder(Path directory) throws Exception {
		try (Stream<Path> files = Files.list(directory)) {
			return files.count();
		}
	}

}
