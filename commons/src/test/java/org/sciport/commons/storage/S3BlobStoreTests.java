package org.sciport.commons.storage;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

import com.adobe.testing.s3mock.S3MockApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The S3 store against an S3-compatible server (S3Mock) running inside the test JVM: multipart
 * writes cut from a stream, reads, stats, deletes, and no object after a failed write.
 */
class S3BlobStoreTests {

	/** No step of a test waits longer than this. */
	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final String BUCKET = "sciport-test";

	private static S3MockApplication server;

	private static S3AsyncClient client;

	@BeforeAll
	static void startServer() {
		server = S3MockApplication.start(new java.util.HashMap<>(Map.of(S3MockApplication.PROP_HTTP_PORT, S3MockApplication.RANDOM_PORT,
				S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT, S3MockApplication.PROP_SILENT, true,
				"com.adobe.testing.s3mock.store.initialBuckets", BUCKET, "spring.main.web-application-type", "servlet",
				"spring.autoconfigure.exclude", String.join(",",
						"org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
						"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
						"org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
						"org.sciport.commons.autoconfigure.SciportServiceAutoConfiguration"))));
		client = S3AsyncClient.builder()
			.endpointOverride(URI.create("http://127.0.0.1:" + server.getHttpPort()))
			.region(Region.US_EAST_1)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
			.forcePathStyle(true)
			.build();
	}

	@AfterAll
	static void stopServer() {
		if (client != null) {
			client.close();
		}
		if (server != null) {
			server.stop();
		}
	}

	@Test
	void writesAnObjectOfManyPartsFromAStreamAndReadsItBack() throws Exception {
		S3BlobStore store = new S3BlobStore(client, BUCKET, "blobs", S3BlobStore.MIN_PART_SIZE);
		byte[] content = new byte[2 * S3BlobStore.MIN_PART_SIZE + 12345];
		new Random(5).nextBytes(content);
		// Delivered in odd-sized buffers, as a network stream would.
		Flux<DataBuffer> stream = Flux.range(0, (content.length + 65_535) / 65_536)
			.map((i) -> DefaultDataBufferFactory.sharedInstance.wrap(java.util.Arrays.copyOfRange(content, i * 65_536,
					Math.min(content.length, (i + 1) * 65_536))));
		StepVerifier.create(store.write("uploads/ab/big", stream))
			.assertNext((blob) -> assertThat(blob.size()).isEqualTo(content.length))
			.expectComplete().verify(WAIT);
		byte[] read = DataBufferUtils.join(store.read("uploads/ab/big")).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return bytes;
		}).block();
		assertThat(MessageDigest.getInstance("SHA-256").digest(read))
			.isEqualTo(MessageDigest.getInstance("SHA-256").digest(content));
		StepVerifier.create(store.stat("uploads/ab/big")).expectNext(new StoredBlob("uploads/ab/big", content.length))
			.expectComplete().verify(WAIT);
	}

	@Test
	void smallAndEmptyObjectsStatsAndDeletes() {
		S3BlobStore store = new S3BlobStore(client, BUCKET, "", S3BlobStore.MIN_PART_SIZE);
		store.write("datasets/d1/a.csv", text("a,b\n1,2\n")).block();
		store.write("datasets/d1/empty", Flux.empty()).block();
		store.write("datasets/d2/keep", text("keep")).block();
		StepVerifier.create(store.stat("datasets/d1/a.csv")).expectNext(new StoredBlob("datasets/d1/a.csv", 8)).expectComplete().verify(WAIT);
		StepVerifier.create(store.stat("datasets/d1/empty")).expectNext(new StoredBlob("datasets/d1/empty", 0)).expectComplete().verify(WAIT);
		StepVerifier.create(store.deleteAll("datasets/d1")).expectComplete().verify(WAIT);
		StepVerifier.create(store.stat("datasets/d1/a.csv")).expectComplete().verify(WAIT);
		StepVerifier.create(store.read("datasets/d1/a.csv")).expectError(BlobNotFoundException.class).verify(WAIT);
		StepVerifier.create(store.stat("datasets/d2/keep")).expectNextCount(1).expectComplete().verify(WAIT);
		StepVerifier.create(store.delete("datasets/d2/keep")).expectComplete().verify(WAIT);
		StepVerifier.create(store.stat("datasets/d2/keep")).expectComplete().verify(WAIT);
	}

	@Test
	void aFailedWriteLeavesNoObject() {
		S3BlobStore store = new S3BlobStore(client, BUCKET, "", S3BlobStore.MIN_PART_SIZE);
		Flux<DataBuffer> failing = Flux.concat(Flux.just(DefaultDataBufferFactory.sharedInstance
			.wrap(new byte[S3BlobStore.MIN_PART_SIZE + 10])), Flux.error(new IllegalStateException("client went away")));
		StepVerifier.create(store.write("uploads/failed", failing)).expectError(IllegalStateException.class).verify(WAIT);
		StepVerifier.create(store.stat("uploads/failed")).expectComplete().verify(WAIT);
	}

	private static Flux<DataBuffer> text(String value) {
		return Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(value.getBytes(StandardCharsets.UTF_8)));
	}

}
