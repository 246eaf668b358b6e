package org.sciport.upload.receive;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.commons.event.UploadEvents;
import org.sciport.embedded.EmbeddedKafkaBroker;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TopicReader;
import org.sciport.upload.Catalogue;
import org.sciport.upload.UploadServiceIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A fault test on the real servers: the Kafka broker is stopped while uploads complete and
 * started again. The uploads are taken and stored all the same; every one of their events
 * reaches the topic once after the restart, and the pipeline behind them (conversion, the
 * catalogue's dataset status) finishes each of them.
 */
@UploadServiceIntegrationTest
class BrokerRestartFaultTests {

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static final int UPLOADS = 8;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		Catalogue.register(registry, "upload_broker_restart");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	DatabaseClient database;

	private final WebTestClient catalogue = WebTestClient.bindToServer().baseUrl(Catalogue.url())
		.responseTimeout(Duration.ofSeconds(30)).build();

	@Test
	void uploadsCompletedWhileTheBrokerIsDownAreAnnouncedOnceEachAndFinish() {
		EmbeddedKafkaBroker broker = TestInfrastructure.embeddedKafka();
		assumeTrue(broker != null, "stopping the broker needs the in-process broker");
		User owner = TestTokens.user();
		List<String> jobs = new ArrayList<>();
		List<String> datasets = new ArrayList<>();
		broker.stop();
		try {
			for (int n = 0; n < UPLOADS; n++) {
				byte[] csv = ("run,value\n" + n + "," + (n * 1.5) + "\n").getBytes(StandardCharsets.UTF_8);
				Map<String, Object> answer = upload(owner, csv, "run-" + n + ".csv").expectStatus().isOk()
					.expectBody(MAP).returnResult().getResponseBody();
				jobs.add((String) answer.get("job_id"));
				datasets.add((String) answer.get("dataset_uuid"));
			}
			// Taken and stored; what they announce waits in the outbox for the broker.
			assertThat(pendingEvents(jobs)).isGreaterThanOrEqualTo(UPLOADS);
			assertThat(datasets).allSatisfy((dataset) -> assertThat(datasetStatus(owner, dataset)).isNotEqualTo("done"));
		}
		finally {
			broker.restart();
		}

		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
			.until(() -> datasets.stream().allMatch((dataset) -> "done".equals(datasetStatus(owner, dataset))));
		await().atMost(Duration.ofSeconds(30)).until(() -> pendingEvents(jobs) == 0);
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.UPLOAD)) {
			// Read on past the expected count: an event sent twice would show.
			List<ConsumerRecord<String, String>> records = reader.awaitRecords(
					(record) -> jobs.stream().anyMatch(record.value()::contains), Integer.MAX_VALUE, Duration.ofSeconds(5));
			for (String job : jobs) {
				List<String> types = records.stream().filter((record) -> record.value().contains(job))
					.map((record) -> type(record.value()))
					.toList();
				assertThat(types).as("events of job " + job)
					.containsOnlyOnce(UploadEvents.UploadCompleted.TYPE, UploadEvents.ConversionCompleted.TYPE)
					.doesNotHaveDuplicates();
			}
		}
	}

	private WebTestClient.ResponseSpec upload(User user, byte[] content, String filename) {
		MultipartBodyBuilder body = new MultipartBodyBuilder();
		body.part("file", new ByteArrayResource(content) {
			@Override
			public String getFilename() {
				return filename;
			}
		}).contentType(MediaType.parseMediaType("text/csv"));
		body.part("dataset_name", "Broker restart " + filename);
		return this.client.post().uri("/api/upload/upload").headers((h) -> h.setBearerAuth(user.token()))
			.contentType(MediaType.MULTIPART_FORM_DATA)
			.body(BodyInserters.fromMultipartData(body.build()))
			.exchange();
	}

	private long pendingEvents(List<String> jobs) {
		return this.database.sql("SELECT count(*) AS n FROM outbox_event WHERE sent_at IS NULL AND event_key = ANY(:keys)")
			.bind("keys", jobs.toArray(String[]::new))
			.map((row) -> row.get("n", Long.class))
			.one()
			.block(Duration.ofSeconds(10));
	}

	private String datasetStatus(User owner, String dataset) {
		return (String) this.catalogue.get().uri("/v1/datasets/" + dataset).headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("status");
	}

	private static String type(String value) {
		return tools.jackson.databind.json.JsonMapper.builder().build().readTree(value).path("type").asString();
	}

}
