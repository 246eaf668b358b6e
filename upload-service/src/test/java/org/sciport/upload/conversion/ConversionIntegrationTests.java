package org.sciport.upload.conversion;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TopicReader;
import org.sciport.upload.Catalogue;
import org.sciport.upload.UploadProperties;
import org.sciport.upload.UploadServiceIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conversion jobs on a real database and broker: one claim per job however many try, a job
 * whose worker died is taken over when its lease runs out, a running conversion stops when it
 * is cancelled, and a deleted dataset's files leave storage.
 */
@UploadServiceIntegrationTest
@Import(ConversionIntegrationTests.SlowConverter.class)
class ConversionIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		Catalogue.register(registry, "upload_conversion");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	ConversionWorker worker;

	@Autowired
	DatabaseClient database;

	@Autowired
	UploadProperties properties;

	@Test
	void manyClaimsOfOneJobRunItOnce() {
		User owner = TestTokens.user();
		// Park the job so the worker does not pick it up before the racing claims do.
		String job = upload(owner, "{\"a\": 1}", "one.json", Map.of("dataset_name", "Race"));
		awaitStatus(owner, job, "done");
		UUID id = UUID.fromString(job);
		this.database.sql("UPDATE upload SET status = 'conversion_queued', attempts = 0, next_attempt_at = now() WHERE id = :id")
			.bind("id", id).then().block(Duration.ofSeconds(10));
		Flux.range(0, 8).flatMap((i) -> this.worker.claimAndRun(id)).then().block(Duration.ofSeconds(30));
		Map<String, Object> done = awaitStatus(owner, job, "done");
		assertThat(done).containsEntry("attempts", 1);
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.UPLOAD)) {
			List<ConsumerRecord<String, String>> started = reader.awaitRecords(
					(record) -> job.equals(record.key()) && record.value().contains("\"sciport.conversion.started\""), 3,
					Duration.ofSeconds(5));
			// One start for the first conversion, one for the re-queued one: never one per claim.
			assertThat(started).hasSize(2);
		}
	}

	@Test
	void aJobWhoseWorkerDiedIsTakenOverWhenItsLeaseRunsOut() {
		User owner = TestTokens.user();
		String job = upload(owner, "a,b\n1,2\n", "orphan.csv", Map.of("dataset_name", "Orphan"));
		awaitStatus(owner, job, "done");
		this.database.sql("UPDATE upload SET status = 'converting', lease_owner = 'a-worker-that-died', "
				+ "lease_until = now() - interval '1 second', metadata = NULL WHERE id = :id")
			.bind("id", UUID.fromString(job)).then().block(Duration.ofSeconds(10));
		Map<String, Object> recovered = awaitStatus(owner, job, "done");
		assertThat(recovered).containsEntry("attempts", 2);
		assertThat(recovered.get("metadata")).isNotNull();
	}

	@Test
	void cancellingARunningConversionStopsTheConverterAndKeepsNothing() throws Exception {
		User owner = TestTokens.user();
		String job = upload(owner, "long work", "long.slow", Map.of("dataset_name", "Slow"));
		assertThat(SlowConverter.started.await(30, TimeUnit.SECONDS)).as("the converter started").isTrue();
		awaitStatus(owner, job, "converting");
		this.client.post().uri("/portal/api/cancel-job").headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("job_id", job)).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.data.status").isEqualTo("cancelled");
		// The converter's thread is interrupted (it would otherwise block for a minute), and its
		// local copy of the file goes.
		assertThat(SlowConverter.interrupted.await(30, TimeUnit.SECONDS)).as("the converter was stopped").isTrue();
		Path scratch = this.properties.spoolDirectory().resolve(".conversion");
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (leftovers(scratch, job) > 0 && System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		assertThat(leftovers(scratch, job)).isZero();
		Map<String, Object> cancelled = awaitStatus(owner, job, "cancelled");
		assertThat(cancelled.get("metadata")).isNull();
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.UPLOAD)) {
			// Its start, and the cancellation's own announcement (a failure, "cancelled"); from
			// the stopped worker, neither a completion nor a failure of its own.
			reader.awaitRecords((record) -> job.equals(record.key()) && record.value().contains("\"sciport.conversion.started\""),
					1, Duration.ofSeconds(10));
			List<ConsumerRecord<String, String>> ends = reader.awaitRecords((record) -> job.equals(record.key())
					&& (record.value().contains("\"sciport.conversion.completed\"")
							|| record.value().contains("\"sciport.conversion.failed\"")), 2, Duration.ofSeconds(3));
			assertThat(ends).hasSize(1);
			assertThat(ends.get(0).value()).contains("\"sciport.conversion.failed\"").contains("\"error\":\"cancelled\"");
		}
	}

	private static long leftovers(Path scratch, String job) throws java.io.IOException {
		if (!Files.isDirectory(scratch)) {
			return 0;
		}
		try (java.util.stream.Stream<Path> files = Files.list(scratch)) {
			return files.filter((file) -> file.getFileName().toString().startsWith(job)).count();
		}
	}

	/**
	 * Files named {@code *.slow} convert for a minute unless interrupted; other files of no
	 * known format are stored as is, as without it.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class SlowConverter {

		static final CountDownLatch started = new CountDownLatch(1);

		static final CountDownLatch interrupted = new CountDownLatch(1);

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		Converter slowConverter() {
			return new Converter() {

				@Override
				public boolean reads(String format) {
					return "binary".equals(format);
				}

				@Override
				public Result convert(Path file) throws java.io.IOException {
					if (!file.getFileName().toString().endsWith(".slow")) {
						return new Result(Map.of("format", "binary", "stored_as_is", true), null, null);
					}
					started.countDown();
					try {
						Thread.sleep(60_000);
					}
					catch (InterruptedException ex) {
						interrupted.countDown();
						Thread.currentThread().interrupt();
						throw new java.io.InterruptedIOException("stopped");
					}
					return new Result(Map.of("format", "binary"), null, null);
				}

			};
		}

	}

	@Test
	void deletingADatasetRemovesItsFilesFromStorage() throws Exception {
		User owner = TestTokens.user();
		MultipartBodyBuilder body = multipart("bytes", "gone.bin", Map.of("dataset_name", "Soon gone"));
		Map<String, Object> answer = this.client.post().uri("/api/upload/upload").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.MULTIPART_FORM_DATA).body(BodyInserters.fromMultipartData(body.build()))
			.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
		String job = (String) answer.get("job_id");
		String dataset = (String) answer.get("dataset_id");
		awaitStatus(owner, job, "done");
		Path stored = this.properties.storageDirectory().resolve("uploads").resolve(job.substring(0, 2)).resolve(job);
		assertThat(stored).exists();
		WebTestClient.bindToServer().baseUrl(Catalogue.url()).build().delete().uri("/v1/datasets/" + dataset)
			.headers((h) -> h.setBearerAuth(owner.token())).exchange().expectStatus().isNoContent();
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (Files.exists(stored) && System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		assertThat(stored).doesNotExist();
	}

	private String upload(User owner, String content, String filename, Map<String, Object> fields) {
		return (String) this.client.post().uri("/api/upload/upload").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.MULTIPART_FORM_DATA)
			.body(BodyInserters.fromMultipartData(multipart(content, filename, fields).build()))
			.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("job_id");
	}

	private static MultipartBodyBuilder multipart(String content, String filename, Map<String, Object> fields) {
		MultipartBodyBuilder body = new MultipartBodyBuilder();
		body.part("file", new ByteArrayResource(content.getBytes(StandardCharsets.UTF_8)) {
			@Override
			public String getFilename() {
				return filename;
			}
		});
		fields.forEach(body::part);
		return body;
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> awaitStatus(User user, String job, String status) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		Map<String, Object> seen = Map.of();
		while (System.nanoTime() < deadline) {
			seen = this.client.get().uri("/v1/jobs/" + job).headers((h) -> h.setBearerAuth(user.token())).exchange()
				.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
			if (status.equals(seen.get("status"))) {
				return seen;
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		assertThat(seen.get("status")).as("status of " + job).isEqualTo(status);
		return seen;
	}

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

}
