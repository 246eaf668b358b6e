package org.sciport.workflow;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.Test;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
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

/**
 * Seed 004's projects, their file areas and the configured pipelines, with its clients'
 * {@code x-access-token}: every project is its owner's (another user gets 404s), names are
 * checked as the original checked them (422 {@code errors}), and nothing in a file area reaches
 * outside it: {@code ..}, {@code ....//}, absolute paths, encoded separators and a symbolic link
 * planted in the project are all refused, never followed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.name=workflow-service",
				"sciport.workflow.nextflow.pipelines.rnaseq.directory=/opt/pipelines/rnaseq",
				"sciport.workflow.nextflow.pipelines.rnaseq.arguments.reads.type=file-glob",
				"sciport.workflow.nextflow.pipelines.rnaseq.arguments.reads.label=Reads",
				"sciport.workflow.nextflow.pipelines.rnaseq.arguments.cutoff.type=number" })
@AutoConfigureWebTestClient
@Import(TestTokens.class)
class NextflowProjectsIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static Path projects;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) throws IOException {
		TestInfrastructure.register(registry, "workflow_nextflow");
		projects = Files.createTempDirectory("sciport-projects-");
		registry.add("sciport.workflow.nextflow.projects-directory", projects::toString);
	}

	@Autowired
	WebTestClient client;

	private ProjectCalls calls;

	@org.junit.jupiter.api.BeforeEach
	void calls() {
		this.calls = new ProjectCalls(this.client);
	}

	private final User owner = TestTokens.user();

	private final User stranger = TestTokens.user();

	@Test
	@SuppressWarnings("unchecked")
	void projectsAreTheirOwnersAndNamedAsTheOriginalRequired() {
		Map<String, Object> project = (Map<String, Object>) post(this.owner, "/api/projects/create", Map.of("name", "RNA run 7"))
			.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("project");
		assertThat(project).containsEntry("name", "RNA run 7").containsEntry("submitted_processes", 0)
			.containsEntry("completed_processes", 0).containsEntry("is_scheduled", false).containsEntry("nextflow_project", null)
			.containsEntry("workflow_arguments", Map.of());
		int id = (Integer) project.get("id");
		post(this.owner, "/api/projects/create", Map.of("name", "")).expectStatus().isEqualTo(422).expectBody()
			.jsonPath("$.errors.name[0]").exists();
		post(this.owner, "/api/projects/create", Map.of("name", "x".repeat(513))).expectStatus().isEqualTo(422);

		get(this.owner, "/api/projects?offset=0&limit=10").expectStatus().isOk().expectBody()
			.jsonPath("$.projects[0].id").isEqualTo(id);
		get(this.owner, "/api/projects/count").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(1);
		get(this.owner, "/api/projects?limit=0").expectStatus().isBadRequest();

		// The pipeline and its arguments, by the document's names and by the code's.
		post(this.owner, "/api/projects/" + id + "/update",
				Map.of("nextflow_project", "rnaseq", "workflow_arguments", Map.of("cutoff", "0.05")))
			.expectStatus().isOk().expectBody().json("{}");
		get(this.owner, "/api/projects/" + id).expectStatus().isOk().expectBody()
			.jsonPath("$.project.nextflow_project").isEqualTo("rnaseq").jsonPath("$.project.workflow").isEqualTo("rnaseq")
			.jsonPath("$.project.workflow_arguments.cutoff").isEqualTo("0.05");
		post(this.owner, "/api/projects/" + id + "/update", Map.of("workflow", "unknown-pipeline"))
			.expectStatus().isEqualTo(422).expectBody().jsonPath("$.errors.nextflow_project[0]").exists();

		// Another user's project does not exist for them.
		for (String path : List.of("/api/projects/" + id, "/api/projects/" + id + "/files")) {
			get(this.stranger, path).expectStatus().isNotFound();
		}
		post(this.stranger, "/api/projects/" + id + "/delete", Map.of()).expectStatus().isNotFound();
		post(this.stranger, "/api/projects/" + id + "/create-folder", Map.of("path", "mine")).expectStatus().isNotFound();
		get(this.stranger, "/api/projects/count").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(0);
		get(this.owner, "/api/projects/not-a-number").expectStatus().isNotFound();

		post(this.owner, "/api/projects/" + id + "/create-folder", Map.of("path", "raw")).expectStatus().isOk();
		assertThat(projects.resolve(id + "/raw")).isDirectory();
		post(this.owner, "/api/projects/" + id + "/delete", Map.of()).expectStatus().isOk().expectBody().json("{}");
		get(this.owner, "/api/projects/" + id).expectStatus().isNotFound();
		assertThat(projects.resolve(Integer.toString(id))).doesNotExist();
	}

	@Test
	void theFileAreaHoldsEverythingInsideTheProjectAndNothingLeadsOutOfIt() throws IOException {
		int id = projectOf(this.owner, "Files");
		post(this.owner, "/api/projects/" + id + "/create-folder", Map.of("path", "raw/run1")).expectStatus().isOk();
		upload(id, "raw/run1", "reads_1.fq", "@r1\nACGT\n+\nIIII\n").expectStatus().isOk().expectBody()
			.jsonPath("$.directory").isEqualTo("raw/run1").jsonPath("$.file").isEqualTo("reads_1.fq");
		// A name that tries to climb is only a name.
		upload(id, "raw", "../../evil.sh", "echo owned").expectStatus().isOk().expectBody()
			.jsonPath("$.file").isEqualTo("evil.sh");
		get(this.owner, "/api/projects/" + id + "/files?dir=raw").expectStatus().isOk().expectBody()
			.json("{\"folders\": [\"run1\"], \"files\": [\"evil.sh\"]}");
		get(this.owner, "/api/projects/" + id + "/files").expectStatus().isOk().expectBody()
			.json("{\"folders\": [\"raw\"], \"files\": []}");
		assertThat(Files.exists(projects.resolve("evil.sh"))).isFalse();

		// A link planted in the project, pointing out of it.
		Path root = projects.resolve(Integer.toString(id));
		Files.createSymbolicLink(root.resolve("raw").resolve("etc"), Path.of("/etc"));
		get(this.owner, "/api/projects/" + id + "/files?dir=raw").expectStatus().isOk().expectBody()
			.jsonPath("$.folders").isEqualTo(List.of("run1"));
		for (String dir : List.of("..", "../..", "....//....//etc", "/etc", "raw/../..", "raw/etc", "raw//run1",
				"raw\\..\\..")) {
			this.client.get().uri((uri) -> uri.path("/api/projects/" + id + "/files").queryParam("dir", "{dir}").build(dir))
				.header("x-access-token", this.owner.token()).exchange().expectStatus().isBadRequest();
		}
		// Encoded separators and dots are decoded once, then refused like the rest, or name nothing there.
		for (String dir : List.of("%2e%2e", "%2E%2E%2F%2E%2E", "raw%2F..%2F..", "..%252F..")) {
			this.client.get().uri("/api/projects/" + id + "/files?dir=" + dir).header("x-access-token", this.owner.token())
				.exchange().expectStatus().value((status) -> assertThat(status).as(dir).isBetween(400, 404));
		}
		this.client.get().uri((uri) -> uri.path("/api/projects/" + id + "/download").queryParam("path", "{p}")
			.build("raw/etc/passwd")).header("x-access-token", this.owner.token()).exchange().expectStatus().isBadRequest();
		post(this.owner, "/api/projects/" + id + "/delete-path", Map.of("path", "../" + id)).expectStatus().isBadRequest();
		post(this.owner, "/api/projects/" + id + "/delete-path", Map.of("path", "raw/etc/hosts")).expectStatus().isBadRequest();
		post(this.owner, "/api/projects/" + id + "/create-folder", Map.of("path", "/tmp/out")).expectStatus().isBadRequest();
		upload(id, "raw/etc", "x.txt", "x").expectStatus().isBadRequest();
		assertThat(Files.exists(Path.of("/etc/x.txt"))).isFalse();

		// A file as it is; a folder as a zip, without the link.
		byte[] file = get(this.owner, "/api/projects/" + id + "/download?path=raw/run1/reads_1.fq").expectStatus().isOk()
			.expectBody(byte[].class).returnResult().getResponseBody();
		assertThat(new String(file, StandardCharsets.UTF_8)).isEqualTo("@r1\nACGT\n+\nIIII\n");
		byte[] zip = get(this.owner, "/api/projects/" + id + "/download?path=raw").expectStatus().isOk()
			.expectHeader().contentType("application/zip").expectBody(byte[].class).returnResult().getResponseBody();
		List<String> entries = new ArrayList<>();
		try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
			for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
				entries.add(entry.getName());
			}
		}
		assertThat(entries).containsExactlyInAnyOrder("run1/", "run1/reads_1.fq", "evil.sh");

		// Deleting removes a link as a link, never what it points at.
		post(this.owner, "/api/projects/" + id + "/delete-path", Map.of("path", "raw")).expectStatus().isOk();
		assertThat(Files.exists(Path.of("/etc/hostname")) || Files.exists(Path.of("/etc/passwd"))).isTrue();
		get(this.owner, "/api/projects/" + id + "/files").expectStatus().isOk().expectBody()
			.json("{\"folders\": [], \"files\": []}");
		post(this.owner, "/api/projects/" + id + "/delete-path", Map.of("path", "raw")).expectStatus().isNotFound();
	}

	@Test
	void theConfiguredPipelinesAndTheirArgumentsAreListed() {
		for (String base : List.of("/api/nextflow-projects", "/api/workflows")) {
			get(this.owner, base).expectStatus().isOk().expectBody().json("{\"nextflow_projects\": [\"rnaseq\"]}");
			get(this.owner, base + "/rnaseq/arguments").expectStatus().isOk().expectBody()
				.jsonPath("$.arguments.reads.type").isEqualTo("file-glob").jsonPath("$.arguments.reads.label").isEqualTo("Reads")
				.jsonPath("$.arguments.cutoff.type").isEqualTo("number");
			get(this.owner, base + "/nope/arguments").expectStatus().isNotFound();
		}
		this.client.get().uri("/api/nextflow-projects").exchange().expectStatus().isUnauthorized();
	}

	@Test
	void withoutANextflowConfiguredSchedulingSaysSoAndFinishedIsForAdministrators() {
		int id = projectOf(this.owner, "Nowhere to run");
		post(this.owner, "/api/projects/" + id + "/update",
				Map.of("nextflow_project", "rnaseq", "workflow_arguments", Map.of("reads", "*.fq", "cutoff", 1)))
			.expectStatus().isOk();
		post(this.owner, "/api/projects/" + id + "/schedule", Map.of()).expectStatus().isEqualTo(409).expectBody()
			.jsonPath("$.error.message").value((message) -> assertThat((String) message)
				.contains("sciport.workflow.nextflow.command"));
		get(this.owner, "/api/projects/" + id).expectStatus().isOk().expectBody().jsonPath("$.project.is_scheduled")
			.isEqualTo(false);
		post(this.stranger, "/api/projects/" + id + "/schedule", Map.of()).expectStatus().isNotFound();
		post(this.owner, "/api/projects/" + id + "/finished", Map.of()).expectStatus().isForbidden();
		post(TestTokens.admin(), "/api/projects/" + id + "/finished", Map.of()).expectStatus().isOk();
		post(TestTokens.admin(), "/api/projects/999999/finished", Map.of()).expectStatus().isNotFound();
	}

	private int projectOf(User user, String name) {
		return this.calls.create(user, name);
	}

	private WebTestClient.ResponseSpec upload(int id, String directory, String filename, String content) {
		return this.calls.upload(this.owner, id, directory, filename, content);
	}

	private WebTestClient.ResponseSpec get(User user, String path) {
		return this.calls.get(user, path);
	}

	private WebTestClient.ResponseSpec post(User user, String path, Map<String, Object> body) {
		return this.calls.post(user, path, body);
	}

}
