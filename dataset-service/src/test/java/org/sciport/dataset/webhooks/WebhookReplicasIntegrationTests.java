package org.sciport.dataset.webhooks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.dataset.DatasetServiceApplication;
import org.sciport.dataset.DatasetServiceIntegrationTest;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TopicWriter;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two dataset-service instances on one database and one Kafka consumer group, as two replicas:
 * both queue and send deliveries, and each event reaches the subscription once.
 */
@DatasetServiceIntegrationTest
class WebhookReplicasIntegrationTests {

	private static HttpServer receiver;

	private static final List<String> ids = new CopyOnWriteArrayList<>();

	private static ConfigurableApplicationContext second;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "dataset_webhook_replicas");
		registry.add("sciport.webhooks.allow-private", () -> "true");
		String keys = System.getProperty("java.io.tmpdir") + "/sciport-webhook-keys-" + java.util.UUID.randomUUID() + "/secrets.key";
		registry.add("sciport.webhooks.secrets.key-file", () -> keys);
		registry.add("sciport.webhooks.poll", () -> "50ms");
		registry.add("sciport.webhooks.batch", () -> "2");
	}

	@BeforeAll
	static void startReceiver() throws Exception {
		receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		receiver.createContext("/", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			ids.add(exchange.getRequestHeaders().getFirst("webhook-id"));
			exchange.sendResponseHeaders(204, -1);
			exchange.close();
		});
		receiver.start();
	}

	@AfterAll
	static void stop() {
		receiver.stop(0);
		if (second != null) {
			second.close();
		}
	}

	@Autowired
	WebTestClient client;

	@Autowired
	Environment environment;

	@Test
	void twoReplicasSendEachEventOnce() throws Exception {
		List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
				"--spring.main.banner-mode=off", "--sciport.webhooks.allow-private=true", "--sciport.webhooks.poll=50ms",
				"--sciport.webhooks.batch=2"));
		for (String name : List.of("sciport.database.url", "sciport.database.username", "sciport.database.password",
				"spring.kafka.bootstrap-servers", "sciport.events.consumer-group-suffix", "sciport.security.jwks-uri",
				"sciport.webhooks.secrets.key-file")) {
			String value = this.environment.getProperty(name);
			if (value != null) {
				arguments.add("--" + name + "=" + value);
			}
		}
		second = DatasetServiceApplication.builder().sources(TestTokens.class).run(arguments.toArray(String[]::new));

		User owner = TestTokens.user();
		this.client.post().uri("/v1/webhooks").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", "events",
					List.of("project.*")))
			.exchange().expectStatus().isCreated();
		int events = 30;
		for (int i = 0; i < events; i++) {
			String project = "replica-" + i;
			TopicWriter.publish(Topics.DATASET, project, TopicWriter.event("/sciport/dataset-service",
					"sciport.project.updated", project, "{\"project_id\":\"" + project + "\",\"owner_id\":\"" + owner.id()
							+ "\",\"name\":\"P" + i + "\"}"));
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> ids.size() >= events);
		// No replica delivers any of them a second time, however long one waits.
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> ids.size() == events);
		assertThat(ids).hasSize(events).doesNotHaveDuplicates();
	}

}
