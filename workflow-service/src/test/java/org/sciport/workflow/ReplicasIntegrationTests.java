package org.sciport.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two workflow-service instances on one database and one Kafka consumer group, as two replicas:
 * each tick of a cron is acted on once, however both instances' schedulers race for it, and
 * {@code Replace} cancels the run still going and starts the new one. A tick is made due by
 * moving the workflow's next tick to now (a five-field cron ticks each minute at most); both
 * instances' own schedulers do the rest.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.name=workflow-service", "sciport.workflow.runs.poll=100ms",
				"sciport.workflow.runs.shell-for-everyone=true" })
@AutoConfigureWebTestClient
@Import(TestTokens.class)
class ReplicasIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

	private static ConfigurableApplicationContext second;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) throws IOException {
		TestInfrastructure.register(registry, "workflow_replicas");
		String runs = Files.createTempDirectory("sciport-runs-").toString();
		registry.add("sciport.workflow.runs.work-directory", () -> runs);
	}

	@Autowired
	WebTestClient client;

	@Autowired
	DatabaseClient database;

	@Autowired
	Environment environment;

	private final User user = TestTokens.user();

	/** The second instance: the same database, broker and consumer groups, its own port and work directory. */
	@BeforeEach
	void startSecond() throws IOException {
		if (second != null) {
			return;
		}
		String[] shared = { "sciport.database.url", "sciport.database.username", "sciport.database.password",
				"spring.kafka.bootstrap-servers", "sciport.events.consumer-group-suffix" };
		List<String> arguments = new java.util.ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
				"--spring.main.banner-mode=off", "--sciport.workflow.runs.poll=100ms",
				"--sciport.workflow.runs.shell-for-everyone=true",
				"--sciport.workflow.runs.work-directory=" + Files.createTempDirectory("sciport-runs-")));
		for (String name : shared) {
			arguments.add("--" + name + "=" + this.environment.getRequiredProperty(name));
		}
		second = WorkflowServiceApplication.builder().sources(TestTokens.class).run(arguments.toArray(String[]::new));
	}

	@AfterAll
	static void stopSecond() {
		if (second != null) {
			second.close();
		}
	}

	@Test
	void eachTickFiresOnceAcrossTwoInstances() {
		String name = "tick-" + suffix();
		apply("""
				name: %s
				type: workflow
				workflow:
				  schedule: {cron: "0 2 * * *", concurrencyPolicy: Allow}
				  dag:
				    - name: note
				      spec: {stack: shell, command: echo tick}
				""".formatted(name));
		UUID id = id(name);
		String runs = "/v1/resources/workflow/" + name + "/runs";
		for (int tick = 1; tick <= 6; tick++) {
			due(id);
			int expected = tick;
			await().atMost(Duration.ofSeconds(15)).until(() -> total(runs) >= expected);
			// Both schedulers look several times a second: long enough for a second firing to show.
			await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> total(runs) == expected);
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> this.database
			.sql("SELECT count(*) AS n FROM workflow_run r JOIN resource s ON s.id = r.resource_id "
					+ "WHERE s.name = :name AND r.status = 'succeeded' AND r.trigger = 'schedule'")
			.bind("name", name).map((row) -> row.get("n", Long.class)).one().block() == 6);
	}

	@Test
	@SuppressWarnings("unchecked")
	void replaceCancelsTheRunStillGoingAndStartsTheNewOne() {
		String name = "replace-" + suffix();
		apply("""
				name: %s
				type: workflow
				workflow:
				  schedule: {cron: "0 2 * * *", concurrencyPolicy: Replace}
				  dag:
				    - name: long
				      spec: {stack: shell, command: echo begun; sleep 120}
				""".formatted(name));
		UUID id = id(name);
		String runs = "/v1/resources/workflow/" + name + "/runs";
		due(id);
		Map<String, Object> first = await().atMost(Duration.ofSeconds(30)).until(() -> latest(runs),
				(run) -> "running".equals(run.get("status")));
		due(id);
		await().atMost(Duration.ofSeconds(15)).until(() -> total(runs) == 2);
		Map<String, Object> replaced = await().atMost(Duration.ofSeconds(30))
			.until(() -> get(runs + "/" + first.get("id")), (run) -> "cancelled".equals(run.get("status")));
		assertThat((List<Map<String, Object>>) replaced.get("tasks")).singleElement()
			.satisfies((task) -> assertThat(task).containsEntry("status", "cancelled"));
		Map<String, Object> second = await().atMost(Duration.ofSeconds(30)).until(() -> latest(runs),
				(run) -> "running".equals(run.get("status")));
		assertThat(second.get("id")).isNotEqualTo(first.get("id"));
		assertThat(second).containsEntry("trigger", "schedule");
		this.client.post().uri(runs + "/" + second.get("id") + "/cancel").headers((h) -> h.setBearerAuth(this.user.token()))
			.exchange().expectStatus().isAccepted();
	}

	private void due(UUID id) {
		this.database.sql("UPDATE resource SET next_run_at = now() WHERE id = :id").bind("id", id).then()
			.block(Duration.ofSeconds(10));
	}

	private UUID id(String name) {
		return this.database.sql("SELECT id FROM resource WHERE name = :name").bind("name", name)
			.map((row) -> row.get("id", UUID.class)).one().block(Duration.ofSeconds(10));
	}

	private void apply(String manifest) {
		this.client.post().uri("/v1/resources").headers((h) -> h.setBearerAuth(this.user.token())).contentType(YAML)
			.bodyValue(manifest).exchange().expectStatus().isCreated();
	}

	private Map<String, Object> get(String path) {
		return this.client.get().uri(path).headers((h) -> h.setBearerAuth(this.user.token())).exchange().expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody();
	}

	@SuppressWarnings("unchecked")
	private long total(String runs) {
		return ((Number) ((Map<String, Object>) get(runs).get("meta")).get("total")).longValue();
	}

	/** The newest run, or an empty map while the scheduler has not yet recorded one. */
	@SuppressWarnings("unchecked")
	private Map<String, Object> latest(String runs) {
		List<Map<String, Object>> data = (List<Map<String, Object>>) get(runs).get("data");
		return data.isEmpty() ? Map.of() : data.get(0);
	}

	private static String suffix() {
		return UUID.randomUUID().toString().substring(0, 8);
	}

}
