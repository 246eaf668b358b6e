package org.sciport.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.workflow.runs.CronTicker;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TopicReader;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Workflow runs on real PostgreSQL and Kafka: a workflow applied without a schedule runs once
 * along its DAG (in parallel where it may, a flaky task tried again, a failure that is allowed),
 * its history and logs are readable; a failing task skips its dependants and fails the run; an
 * unknown stack and a task out of time fail saying so; a run started by hand; the run events.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.name=workflow-service", "sciport.workflow.runs.poll=200ms",
				"sciport.workflow.runs.shell-for-everyone=true" })
@AutoConfigureWebTestClient
@Import(TestTokens.class)
class RunsIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) throws IOException {
		TestInfrastructure.register(registry, "workflow_runs");
		String runs = Files.createTempDirectory("sciport-runs-").toString();
		registry.add("sciport.workflow.runs.work-directory", () -> runs);
	}

	@Autowired
	WebTestClient client;

	@Autowired
	DatabaseClient database;

	@Autowired
	CronTicker ticker;

	private final User user = TestTokens.user();

	@Test
	@SuppressWarnings("unchecked")
	void anAppliedWorkflowRunsAlongItsDagAndItsHistoryAndLogsStay() {
		String name = "etl-" + suffix();
		apply("""
				name: %s
				type: workflow
				workflow:
				  dag:
				    - name: extract
				      spec:
				        stack: shell:1
				        command: echo "hello from extract"; echo "to stderr" >&2
				    # The next two finish only if they run at the same time.
				    - name: left
				      dependencies: [extract]
				      spec:
				        stack: shell
				        command: touch left; for i in $(seq 1 300); do [ -f right ] && exit 0; sleep 0.1; done; exit 1
				    - name: right
				      dependencies: [extract]
				      spec:
				        stack: shell
				        command: touch right; for i in $(seq 1 300); do [ -f left ] && exit 0; sleep 0.1; done; exit 1
				    - name: flaky
				      dependencies: [extract]
				      retry: {limit: 2, backoff: 100ms}
				      spec:
				        stack: shell
				        command: ["/bin/sh", "-c", "if [ -f tried ]; then echo second time lucky; else touch tried; exit 3; fi"]
				    - name: broken
				      dependencies: [extract]
				      continueOnFailure: true
				      spec: {stack: shell, command: exit 7}
				    - name: after-broken
				      dependencies: [broken, flaky]
				      spec:
				        stack: shell
				        command: echo "$GREETING from $SCIPORT_TASK"
				        environment: {GREETING: ran anyway}
				""".formatted(name));
		Map<String, Object> run = awaitRun(name, 1);
		assertThat(run).containsEntry("status", "succeeded").containsEntry("trigger", "apply");
		Map<String, Map<String, Object>> tasks = tasks(name, (String) run.get("id"));
		assertThat(tasks.get("extract")).containsEntry("status", "succeeded").containsEntry("exit_code", 0);
		assertThat(tasks.get("left")).containsEntry("status", "succeeded");
		assertThat(tasks.get("right")).containsEntry("status", "succeeded");
		assertThat(tasks.get("flaky")).containsEntry("status", "succeeded").containsEntry("attempts", 2);
		assertThat(tasks.get("broken")).containsEntry("status", "failed").containsEntry("exit_code", 7);
		assertThat(tasks.get("after-broken")).containsEntry("status", "succeeded");
		get("/v1/resources/workflow/" + name).expectBody().jsonPath("$.status").isEqualTo("active");

		List<Map<String, Object>> logs = logs(name, "");
		assertThat(logs.get(0)).containsEntry("message", "Workflow started").containsEntry("level", "INFO");
		assertThat(logs.get(logs.size() - 1)).containsEntry("message", "Workflow succeeded");
		assertThat(logs).anySatisfy((line) -> assertThat(line).containsEntry("task", "extract")
			.containsEntry("message", "hello from extract").containsEntry("level", "INFO"));
		assertThat(logs).anySatisfy((line) -> assertThat(line).containsEntry("task", "extract")
			.containsEntry("message", "to stderr").containsEntry("level", "ERROR"));
		assertThat(logs).anySatisfy((line) -> assertThat(line).containsEntry("task", "after-broken")
			.containsEntry("message", "ran anyway from after-broken"));
		assertThat(logs).anySatisfy((line) -> assertThat((String) line.get("message")).contains("trying again"));
		assertThat(logs(name, "tail=2")).hasSize(2).last().satisfies((line) -> assertThat(line)
			.containsEntry("message", "Workflow succeeded"));
		assertThat(logs(name, "since=1h")).hasSameSizeAs(logs);
		get("/v1/resources/workflow/" + name + "/logs?since=soon").expectStatus().isBadRequest().expectBody()
			.jsonPath("$.error.field").isEqualTo("since");

		// Again by hand: a second run, and the logs follow the latest unless asked for another.
		this.client.post().uri("/v1/resources/workflow/" + name + "/runs").headers((h) -> h.setBearerAuth(this.user.token()))
			.exchange().expectStatus().isAccepted().expectBody().jsonPath("$.trigger").isEqualTo("manual");
		Map<String, Object> second = awaitRun(name, 2);
		assertThat(second).containsEntry("trigger", "manual");
		assertThat(logs(name, "run=" + run.get("id"))).hasSameSizeAs(logs);

		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.WORKFLOW)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords(
					(record) -> run.get("id").equals(record.key()), 2, Duration.ofSeconds(30));
			assertThat(events).extracting((record) -> record.value().replaceAll(".*\"type\":\"(sciport[^\"]+)\".*", "$1"))
				.containsExactly("sciport.workflow.run.started", "sciport.workflow.run.completed");
			assertThat(events.get(1).value()).contains("\"status\":\"succeeded\"").contains("\"name\":\"" + name + "\"");
		}
	}

	@Test
	void aFailingTaskSkipsItsDependantsAndAnUnknownStackOrATaskOutOfTimeFailsSayingSo() {
		String name = "failing-" + suffix();
		apply("""
				name: %s
				type: workflow
				workflow:
				  dag:
				    - name: fails
				      spec: {stack: shell, command: echo giving up; exit 1}
				    - name: downstream
				      dependencies: [fails]
				      spec: {stack: shell, command: echo never}
				    - name: flare
				      spec: {stack: flare:7.0}
				    - name: slow
				      timeout: 1s
				      spec: {stack: shell, command: sleep 30}
				""".formatted(name));
		Map<String, Object> run = awaitRun(name, 1);
		assertThat(run).containsEntry("status", "failed");
		assertThat((String) run.get("error_message")).contains("downstream").contains("fails").contains("flare")
			.contains("slow");
		Map<String, Map<String, Object>> tasks = tasks(name, (String) run.get("id"));
		assertThat(tasks.get("fails")).containsEntry("status", "failed").containsEntry("exit_code", 1);
		assertThat(tasks.get("downstream")).containsEntry("status", "skipped").containsEntry("attempts", 0);
		assertThat((String) tasks.get("flare").get("error_message")).contains("'flare:7.0' is not installed")
			.contains("shell:1");
		assertThat((String) tasks.get("slow").get("error_message")).contains("ran out of time");
		get("/v1/resources/workflow/" + name).expectBody().jsonPath("$.status").isEqualTo("error");
		assertThat(logs(name, "")).noneSatisfy((line) -> assertThat(line).containsEntry("message", "never"));
	}

	@Test
	void aScheduledWorkflowDoesNotRunOnApplyAndStrangersSeeNoRuns() {
		String name = "nightly-" + suffix();
		apply("""
				name: %s
				type: workflow
				workflow:
				  schedule: {cron: "0 2 * * *"}
				  dag:
				    - name: a
				      spec: {stack: shell, command: "true"}
				""".formatted(name));
		get("/v1/resources/workflow/" + name + "/runs").expectStatus().isOk().expectBody()
			.jsonPath("$.meta.total").isEqualTo(0);
		User stranger = TestTokens.user();
		String workspace = "team-" + suffix();
		this.client.post().uri("/v1/workspaces").headers((h) -> h.setBearerAuth(this.user.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\": \"" + workspace + "\"}").exchange()
			.expectStatus().isCreated();
		String hidden = "hidden-" + suffix();
		this.client.post().uri("/v1/resources?workspace=" + workspace).headers((h) -> h.setBearerAuth(this.user.token()))
			.contentType(YAML)
			.bodyValue("name: " + hidden + "\ntype: workflow\nworkflow:\n  dag:\n    - name: a\n      spec: {stack: shell, command: echo secret}\n")
			.exchange().expectStatus().isCreated();
		for (String path : List.of("/runs", "/logs")) {
			this.client.get().uri("/v1/resources/workflow/" + hidden + path + "?workspace=" + workspace)
				.headers((h) -> h.setBearerAuth(stranger.token())).exchange().expectStatus().isNotFound();
		}
		this.client.post().uri("/v1/resources/workflow/" + hidden + "/runs?workspace=" + workspace)
			.headers((h) -> h.setBearerAuth(stranger.token())).exchange().expectStatus().isNotFound();
	}

	@Test
	@SuppressWarnings("unchecked")
	void aScheduleFiresOncePerTickForbidRecordsTheOverlapAndARunningRunIsCancelled() {
		String name = "every-night-" + suffix();
		apply("""
				name: %s
				type: workflow
				workflow:
				  schedule: {cron: "0 2 * * *", timezone: Europe/Berlin, concurrencyPolicy: Forbid}
				  dag:
				    - name: long
				      spec: {stack: shell, command: echo begun; sleep 120}
				""".formatted(name));
		Map<String, Object> resource = get("/v1/resources/workflow/" + name).expectBody(MAP).returnResult()
			.getResponseBody();
		assertThat(resource).containsEntry("status", "active");
		assertThat(Instant.parse((String) resource.get("next_run"))).isAfter(Instant.now());
		UUID id = this.database.sql("SELECT id FROM resource WHERE name = :name").bind("name", name)
			.map((row) -> row.get("id", UUID.class)).one().block(Duration.ofSeconds(10));

		// A tick, looked at by the service's own ticker and four more at once, as replicas would.
		tick(id, "now() - interval '1 second'");
		String runs = "/v1/resources/workflow/" + name + "/runs";
		await().atMost(Duration.ofSeconds(10)).until(() -> total(runs) >= 1);
		await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).until(() -> total(runs) == 1);
		Map<String, Object> first = await().atMost(Duration.ofSeconds(30)).until(() -> latest(runs),
				(run) -> "running".equals(run.get("status")));
		assertThat(first).containsEntry("trigger", "schedule");
		assertThat(Instant.parse((String) get("/v1/resources/workflow/" + name).expectBody(MAP).returnResult()
			.getResponseBody().get("next_run"))).isAfter(Instant.now());

		// The next tick while it still runs: Forbid records a skipped run instead of a second one.
		tick(id, "now() - interval '1 second'");
		await().atMost(Duration.ofSeconds(10)).until(() -> total(runs) == 2);
		Map<String, Object> skipped = latest(runs);
		assertThat(skipped).containsEntry("status", "skipped");
		assertThat((String) skipped.get("error_message")).contains((String) first.get("id")).contains("Forbid");

		// Cancelled: its task is stopped, and the run says so.
		this.client.post().uri(runs + "/" + first.get("id") + "/cancel").headers((h) -> h.setBearerAuth(this.user.token()))
			.exchange().expectStatus().isAccepted();
		Map<String, Object> cancelled = await().atMost(Duration.ofSeconds(30))
			.until(() -> get(runs + "/" + first.get("id")).expectBody(MAP).returnResult().getResponseBody(),
					(run) -> "cancelled".equals(run.get("status")));
		assertThat((List<Map<String, Object>>) cancelled.get("tasks")).singleElement()
			.satisfies((task) -> assertThat(task).containsEntry("status", "cancelled"));
		assertThat(logs(name, "run=" + first.get("id"))).last()
			.satisfies((line) -> assertThat(line).containsEntry("message", "Workflow cancelled"));
		this.client.post().uri(runs + "/" + first.get("id") + "/cancel").headers((h) -> h.setBearerAuth(this.user.token()))
			.exchange().expectStatus().isEqualTo(409);

		// A tick missed long ago, while no replica ran, is recorded, not run.
		tick(id, "now() - interval '2 hours'");
		await().atMost(Duration.ofSeconds(10)).until(() -> total(runs) == 3);
		assertThat(latest(runs)).containsEntry("status", "skipped").containsEntry("trigger", "missed");
	}

	@Test
	void aFollowedLogStreamsUntilTheRunEndsAndAFinishedRunsLogIsSentWhole() {
		String name = "followed-" + suffix();
		apply("""
				name: %s
				type: workflow
				workflow:
				  dag:
				    - name: talk
				      spec: {stack: shell, command: echo first; sleep 1; echo second}
				""".formatted(name));
		String path = "/v1/resources/workflow/" + name + "/logs?follow=true";
		List<Map<String, Object>> streamed = this.client.get().uri(path).headers((h) -> h.setBearerAuth(this.user.token()))
			.accept(MediaType.APPLICATION_NDJSON).exchange().expectStatus().isOk().returnResult(MAP).getResponseBody()
			.collectList().block(Duration.ofSeconds(60));
		assertThat(streamed).extracting((line) -> line.get("message"))
			.containsSubsequence("Workflow started", "first", "second", "Workflow succeeded");
		assertThat(streamed.get(streamed.size() - 1)).containsEntry("message", "Workflow succeeded");
		assertThat(streamed).allSatisfy((line) -> assertThat(line).doesNotContainKey("seq"));
		// The run has ended: its log comes whole, as Server-Sent Events, and the stream closes.
		String events = this.client.get().uri(path).headers((h) -> h.setBearerAuth(this.user.token()))
			.accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk().returnResult(String.class)
			.getResponseBody().collectList().map((chunks) -> String.join("\n", chunks)).block(Duration.ofSeconds(30));
		assertThat(events).contains("first").contains("second").contains("Workflow succeeded");
		assertThat(logs(name, "follow=false")).hasSameSizeAs(streamed);
	}

	private void tick(UUID workflow, String when) {
		this.database.sql("UPDATE resource SET next_run_at = " + when + " WHERE id = :id").bind("id", workflow).then()
			.block(Duration.ofSeconds(10));
		Flux.range(0, 4).flatMap((n) -> this.ticker.fireDue(), 4).then().block(Duration.ofSeconds(30));
	}

	@SuppressWarnings("unchecked")
	private long total(String runs) {
		Map<String, Object> page = get(runs).expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
		return ((Number) ((Map<String, Object>) page.get("meta")).get("total")).longValue();
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> latest(String runs) {
		Map<String, Object> page = get(runs).expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
		return ((List<Map<String, Object>>) page.get("data")).get(0);
	}

	private void apply(String manifest) {
		this.client.post().uri("/v1/resources").headers((h) -> h.setBearerAuth(this.user.token())).contentType(YAML)
			.bodyValue(manifest).exchange().expectStatus().isCreated();
	}

	private WebTestClient.ResponseSpec get(String path) {
		return this.client.get().uri(path).headers((h) -> h.setBearerAuth(this.user.token())).exchange();
	}

	/** Waits for the workflow to have {@code count} runs, the newest ended; answers that one. */
	@SuppressWarnings("unchecked")
	private Map<String, Object> awaitRun(String name, int count) {
		return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
			.until(() -> {
				Map<String, Object> page = get("/v1/resources/workflow/" + name + "/runs").expectStatus().isOk()
					.expectBody(MAP).returnResult().getResponseBody();
				List<Map<String, Object>> runs = (List<Map<String, Object>>) page.get("data");
				return (runs.size() == count) ? runs.get(0) : Map.<String, Object>of("status", "pending");
			}, (run) -> List.of("succeeded", "failed", "cancelled").contains(run.get("status")));
	}

	@SuppressWarnings("unchecked")
	private Map<String, Map<String, Object>> tasks(String name, String run) {
		Map<String, Object> view = get("/v1/resources/workflow/" + name + "/runs/" + run).expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody();
		Map<String, Map<String, Object>> tasks = new java.util.HashMap<>();
		for (Map<String, Object> task : (List<Map<String, Object>>) view.get("tasks")) {
			tasks.put((String) task.get("name"), task);
		}
		return tasks;
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> logs(String name, String query) {
		return (List<Map<String, Object>>) get("/v1/resources/workflow/" + name + "/logs?" + query).expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody().get("logs");
	}

	private static String suffix() {
		return UUID.randomUUID().toString().substring(0, 8);
	}

}
