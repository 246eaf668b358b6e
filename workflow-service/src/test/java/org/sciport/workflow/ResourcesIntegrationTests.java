package org.sciport.workflow;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resource API on real PostgreSQL and Kafka: the seed's own manifests applied as YAML and
 * JSON, listed, read, applied again as new revisions and deleted; manifests refused where they
 * are wrong; workspaces and who sees what in them; the resource events.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.config.name=workflow-service")
@AutoConfigureWebTestClient
@Import(TestTokens.class)
class ResourcesIntegrationTests {

	/** The seed's create example, as its users send it. */
	private static final String SEED_YAML = """
			name: %s
			version: v1
			type: workflow
			workflow:
			  dag:
			    - name: task
			      spec:
			        stack: flare:7.0
			""";

	/** The seed's complete Python example, as JSON, in a workspace. */
	private static final String SEED_JSON = """
			{"name": "%s", "version": "v1", "type": "workflow", "workspace": "%s",
			 "workflow": {"schedule": {"cron": "0 2 * * *"},
			              "dag": [{"name": "extract", "spec": {"stack": "flare:7.0"}}]}}
			""";

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "workflow");
	}

	@Autowired
	WebTestClient client;

	@Test
	void theSeedsManifestsAreAppliedListedReadRevisedAndDeleted() {
		User owner = TestTokens.user();
		String workspace = "analytics-" + suffix();
		String yamlName = "my-workflow-" + suffix();
		String jsonName = "sales-pipeline-" + suffix();
		call(owner, "POST", "/v1/workspaces", MediaType.APPLICATION_JSON,
				"{\"name\": \"" + workspace + "\", \"description\": \"Analytics team workspace\"}")
			.expectStatus().isCreated().expectBody()
			.jsonPath("$.message").isEqualTo("Workspace created successfully")
			.jsonPath("$.workspace.name").isEqualTo(workspace)
			.jsonPath("$.workspace.members[0].role").isEqualTo("owner");

		call(owner, "POST", "/v1/resources", MediaType.parseMediaType("application/yaml"), SEED_YAML.formatted(yamlName))
			.expectStatus().isCreated().expectBody()
			.jsonPath("$.message").isEqualTo("Resource created successfully")
			.jsonPath("$.resource.name").isEqualTo(yamlName)
			.jsonPath("$.resource.version").isEqualTo("v1")
			.jsonPath("$.resource.type").isEqualTo("workflow")
			.jsonPath("$.resource.workspace").isEqualTo("public")
			.jsonPath("$.resource.status").isEqualTo("pending");
		call(owner, "POST", "/v1/resources", MediaType.APPLICATION_JSON, SEED_JSON.formatted(jsonName, workspace))
			.expectStatus().isCreated().expectBody().jsonPath("$.resource.workspace").isEqualTo(workspace);
		call(owner, "POST", "/v1/resources", MediaType.APPLICATION_JSON, SEED_JSON.formatted(jsonName, workspace))
			.expectStatus().isEqualTo(409).expectBody()
			.jsonPath("$.error.code").isEqualTo("CONFLICT")
			.jsonPath("$.error.details.name").isEqualTo(jsonName);

		call(owner, "GET", "/v1/resources?type=workflow&workspace=" + workspace, null, null).expectStatus().isOk()
			.expectBody()
			.jsonPath("$.data.length()").isEqualTo(1)
			.jsonPath("$.data[0].name").isEqualTo(jsonName)
			.jsonPath("$.data[0].version").isEqualTo("v1")
			.jsonPath("$.data[0].type").isEqualTo("workflow")
			.jsonPath("$.data[0].workspace").isEqualTo(workspace)
			// Valid and scheduled: active (the apply's answer said pending).
			.jsonPath("$.data[0].status").isEqualTo("active")
			.jsonPath("$.data[0].created").isNotEmpty()
			.jsonPath("$.meta.total").isEqualTo(1)
			.jsonPath("$.meta.limit").isEqualTo(20)
			.jsonPath("$.meta.offset").isEqualTo(0);
		String path = "/v1/resources/workflow/" + jsonName + "?workspace=" + workspace;
		call(owner, "GET", path, null, null).expectStatus().isOk().expectBody()
			.jsonPath("$.name").isEqualTo(jsonName)
			.jsonPath("$.tags.length()").isEqualTo(0)
			.jsonPath("$.spec.workflow.schedule.cron").isEqualTo("0 2 * * *")
			.jsonPath("$.spec.workflow.dag[0].spec.stack").isEqualTo("flare:7.0")
			.jsonPath("$.revision").isEqualTo(1);

		String revised = """
				name: %s
				version: v2
				type: workflow
				workspace: %s
				tags: [production, daily]
				description: Daily ETL pipeline
				workflow:
				  schedule:
				    cron: "0 3 * * *"
				    timezone: Europe/Berlin
				    concurrencyPolicy: Forbid
				  dag:
				    - name: extract
				      spec: {stack: flare:7.0}
				    - name: load
				      dependencies: [extract]
				      spec: {stack: flare:7.0}
				""".formatted(jsonName, workspace);
		call(owner, "PUT", "/v1/resources/workflow/" + jsonName, MediaType.parseMediaType("application/yaml"), revised)
			.expectStatus().isOk().expectBody()
			.jsonPath("$.message").isEqualTo("Resource updated successfully")
			.jsonPath("$.resource.version").isEqualTo("v2");
		call(owner, "GET", path, null, null).expectStatus().isOk().expectBody()
			.jsonPath("$.version").isEqualTo("v2")
			.jsonPath("$.revision").isEqualTo(2)
			.jsonPath("$.tags[1]").isEqualTo("daily")
			.jsonPath("$.description").isEqualTo("Daily ETL pipeline")
			.jsonPath("$.spec.workflow.dag[1].dependencies[0]").isEqualTo("extract");
		String revisions = "/v1/resources/workflow/" + jsonName + "/revisions";
		call(owner, "GET", revisions + "?workspace=" + workspace, null, null).expectStatus().isOk().expectBody()
			.jsonPath("$.data[0].revision").isEqualTo(2)
			.jsonPath("$.data[1].version").isEqualTo("v1")
			.jsonPath("$.meta.total").isEqualTo(2);
		call(owner, "GET", revisions + "/1?workspace=" + workspace, null, null).expectStatus().isOk().expectBody()
			.jsonPath("$.manifest").isEqualTo(SEED_JSON.formatted(jsonName, workspace))
			.jsonPath("$.spec.workflow.schedule.cron").isEqualTo("0 2 * * *");

		call(owner, "DELETE", path, null, null).expectStatus().isOk().expectBody()
			.jsonPath("$.message").isEqualTo("Resource deleted successfully")
			.jsonPath("$.resource.name").isEqualTo(jsonName)
			.jsonPath("$.resource.type").isEqualTo("workflow");
		call(owner, "GET", path, null, null).expectStatus().isNotFound().expectBody()
			.jsonPath("$.error.code").isEqualTo("RESOURCE_NOT_FOUND")
			.jsonPath("$.error.message").isEqualTo("Workflow '" + jsonName + "' not found")
			.jsonPath("$.error.details.type").isEqualTo("workflow")
			.jsonPath("$.error.details.name").isEqualTo(jsonName)
			.jsonPath("$.error.details.workspace").isEqualTo(workspace);

		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.WORKFLOW)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords(
					(record) -> record.value().contains("\"name\":\"" + jsonName + "\""), 3, Duration.ofSeconds(30));
			assertThat(events).extracting((record) -> record.value().replaceAll(".*\"type\":\"(sciport[^\"]+)\".*", "$1"))
				.containsExactly("sciport.workflow.resource.created", "sciport.workflow.resource.updated",
						"sciport.workflow.resource.deleted");
			assertThat(events.get(1).value()).contains("\"revision\":2").contains("\"version\":\"v2\"");
		}
	}

	@Test
	void aManifestIsRefusedSayingWhereItIsWrong() {
		User user = TestTokens.user();
		String name = "broken-" + suffix();
		refused(user, MediaType.parseMediaType("application/yaml"), "name: " + name + "\ntype: workflow\nworkflow:\n  dag: [\n",
				"manifest", "YAML syntax error at line");
		refused(user, MediaType.APPLICATION_JSON, "{\"name\": \"" + name + "\", \"type\": ", "manifest", "JSON syntax error");
		refused(user, null, "name: " + name + "\ntype: tapestry\n", "type", "known types: workflow");
		refused(user, null, "type: workflow\n", "name", "name is required");
		refused(user, null, "name: Not_A_Name\ntype: workflow\n", "name", "lower-case");
		refused(user, null, "name: " + name + "\ntype: workflow\n", "workflow", "dag");
		String dag = "name: " + name + "\ntype: workflow\nworkflow:\n  dag:\n";
		refused(user, null, dag + "    - name: a\n      spec: {stack: shell:1}\n"
				+ "    - name: b\n      dependencies: [a, c]\n      spec: {stack: shell:1}\n",
				"workflow.dag[1].dependencies[1]", "no task named 'c'");
		refused(user, null, dag + "    - name: a\n      spec: {stack: shell:1}\n    - name: a\n      spec: {stack: shell:1}\n",
				"workflow.dag[1].name", "already at workflow.dag[0]");
		refused(user, null, dag + "    - name: a\n      dependencies: [c]\n      spec: {stack: shell:1}\n"
				+ "    - name: b\n      dependencies: [a]\n      spec: {stack: shell:1}\n"
				+ "    - name: c\n      dependencies: [b]\n      spec: {stack: shell:1}\n",
				"workflow.dag", "a -> c -> b -> a");
		refused(user, null, dag + "    - name: a\n      spec: {}\n", "workflow.dag[0].spec.stack", "stack");
		refused(user, null, "name: " + name + "\ntype: workflow\nworkflow:\n  schedule: {cron: \"every night\"}\n"
				+ "  dag:\n    - name: a\n      spec: {stack: shell:1}\n", "workflow.schedule.cron", "5 fields");
		refused(user, null, "name: " + name + "\ntype: workflow\nworkflow:\n  schedule: {cron: \"0 2 * * *\", timezone: Mars/Olympus}\n"
				+ "  dag:\n    - name: a\n      spec: {stack: shell:1}\n", "workflow.schedule.timezone", "time zone");
		refused(user, null, "name: " + name + "\ntype: workflow\nworkflow:\n  schedule: {cron: \"0 2 * * *\", concurrencyPolicy: Sometimes}\n"
				+ "  dag:\n    - name: a\n      spec: {stack: shell:1}\n", "workflow.schedule.concurrencyPolicy", "Forbid");
		// The shell stack runs commands on the service's host: administrators only, by default.
		String shell = "name: " + name + "\ntype: workflow\nworkflow:\n  dag:\n    - name: a\n      spec: {stack: shell, command: id}\n";
		call(user, "POST", "/v1/resources", null, shell).expectStatus().isForbidden().expectBody()
			.jsonPath("$.error.code").isEqualTo("INSUFFICIENT_PERMISSIONS")
			.jsonPath("$.error.message").value((String message) -> assertThat(message).contains("shell"));
		call(user, "POST", "/v1/resources", MediaType.APPLICATION_XML, "<workflow/>").expectStatus().isEqualTo(415)
			.expectBody().jsonPath("$.error.code").isEqualTo("UNSUPPORTED_MEDIA_TYPE");
		// Nothing was stored by any of them.
		call(user, "GET", "/v1/resources/workflow/" + name, null, null).expectStatus().isNotFound();
	}

	@Test
	void aWorkspacesResourcesAreItsMembersAndEveryoneElseIsToldNothingExists() {
		User owner = TestTokens.user();
		User colleague = TestTokens.user();
		User stranger = TestTokens.user();
		String workspace = "optics-" + suffix();
		String name = "private-" + suffix();
		String shared = "shared-" + suffix();
		call(owner, "POST", "/v1/workspaces", MediaType.APPLICATION_JSON, "{\"name\": \"" + workspace + "\"}")
			.expectStatus().isCreated();
		call(owner, "POST", "/v1/workspaces", MediaType.APPLICATION_JSON, "{\"name\": \"" + workspace + "\"}")
			.expectStatus().isEqualTo(409);
		call(owner, "POST", "/v1/workspaces", MediaType.APPLICATION_JSON, "{\"name\": \"Bad Name\"}")
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("name");
		call(owner, "POST", "/v1/resources?workspace=" + workspace, MediaType.parseMediaType("application/yaml"),
				SEED_YAML.formatted(name)).expectStatus().isCreated();
		call(stranger, "POST", "/v1/resources", MediaType.parseMediaType("application/yaml"), SEED_YAML.formatted(shared))
			.expectStatus().isCreated();
		String path = "/v1/resources/workflow/" + name + "?workspace=" + workspace;

		for (User outsider : List.of(colleague, stranger)) {
			call(outsider, "GET", path, null, null).expectStatus().isNotFound();
			call(outsider, "DELETE", path, null, null).expectStatus().isNotFound();
			call(outsider, "PUT", "/v1/resources/workflow/" + name + "?workspace=" + workspace,
					MediaType.parseMediaType("application/yaml"), SEED_YAML.formatted(name)).expectStatus().isNotFound();
			call(outsider, "GET", "/v1/resources?workspace=" + workspace, null, null).expectStatus().isNotFound()
				.expectBody().jsonPath("$.error.details.workspace").isEqualTo(workspace);
			call(outsider, "GET", "/v1/workspaces/" + workspace, null, null).expectStatus().isNotFound();
			call(outsider, "POST", "/v1/resources?workspace=" + workspace, MediaType.parseMediaType("application/yaml"),
					SEED_YAML.formatted("intruder-" + suffix())).expectStatus().isNotFound();
			call(outsider, "GET", "/v1/resources?limit=100", null, null).expectStatus().isOk().expectBody()
				.jsonPath("$.data[?(@.name == '" + name + "')]").doesNotExist();
		}
		// Everyone sees what is in public.
		call(owner, "GET", "/v1/resources/workflow/" + shared, null, null).expectStatus().isOk();

		// A member sees and changes the workspace's resources, but does not manage the workspace.
		call(owner, "POST", "/v1/workspaces/" + workspace + "/members", MediaType.APPLICATION_JSON,
				"{\"user_id\": \"" + colleague.id() + "\"}").expectStatus().isOk().expectBody()
			.jsonPath("$.members.length()").isEqualTo(2);
		call(colleague, "GET", path, null, null).expectStatus().isOk();
		call(colleague, "PUT", "/v1/resources/workflow/" + name + "?workspace=" + workspace,
				MediaType.parseMediaType("application/yaml"), SEED_YAML.formatted(name)).expectStatus().isOk();
		call(colleague, "POST", "/v1/workspaces/" + workspace + "/members", MediaType.APPLICATION_JSON,
				"{\"user_id\": \"" + stranger.id() + "\"}").expectStatus().isForbidden();
		call(colleague, "DELETE", "/v1/workspaces/" + workspace, null, null).expectStatus().isForbidden();
		call(owner, "DELETE", "/v1/workspaces/" + workspace + "/members/" + owner.id(), null, null)
			.expectStatus().isEqualTo(409);

		// An administrator sees every workspace, and how many there are.
		call(TestTokens.admin(), "GET", "/v1/workspaces?limit=100", null, null).expectStatus().isOk().expectBody()
			.jsonPath("$.data[?(@.name == '" + workspace + "')]").exists()
			.jsonPath("$.meta.total").value((Integer total) -> assertThat(total).isGreaterThanOrEqualTo(2));

		// A workspace holding resources is deleted only when asked with force, and public never.
		call(owner, "DELETE", "/v1/workspaces/" + workspace, null, null).expectStatus().isEqualTo(409).expectBody()
			.jsonPath("$.error.details.resources").isEqualTo(1);
		call(owner, "DELETE", "/v1/workspaces/public", null, null).expectStatus().isEqualTo(409);
		call(owner, "DELETE", "/v1/workspaces/" + workspace + "?force=true", null, null).expectStatus().isOk()
			.expectBody().jsonPath("$.message").isEqualTo("Workspace deleted successfully");
		call(owner, "GET", path, null, null).expectStatus().isNotFound();
		call(owner, "GET", "/v1/workspaces", null, null).expectStatus().isOk().expectBody()
			.jsonPath("$.data[?(@.name == '" + workspace + "')]").doesNotExist()
			.jsonPath("$.data[?(@.name == 'public')]").exists();
	}

	@Test
	void anAdministratorMayApplyAShellWorkflow() {
		String name = "admin-shell-" + suffix();
		call(TestTokens.admin(), "POST", "/v1/resources", null,
				"name: " + name + "\ntype: workflow\nworkflow:\n  dag:\n    - name: a\n      spec: {stack: shell, command: \"true\"}\n")
			.expectStatus().isCreated();
	}

	private void refused(User user, MediaType type, String manifest, String field, String says) {
		call(user, "POST", "/v1/resources", type, manifest).expectStatus().isBadRequest().expectBody()
			.jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR")
			.jsonPath("$.error.field").isEqualTo(field)
			.jsonPath("$.error.message").value((String message) -> assertThat(message).contains(says));
	}

	private WebTestClient.ResponseSpec call(User user, String method, String path, MediaType type, String body) {
		WebTestClient.RequestBodySpec request = this.client.method(org.springframework.http.HttpMethod.valueOf(method))
			.uri(path)
			.headers((h) -> h.setBearerAuth(user.token()));
		if (body == null) {
			return request.exchange();
		}
		if (type != null) {
			request = request.contentType(type);
		}
		return request.bodyValue(body).exchange();
	}

	private static String suffix() {
		return UUID.randomUUID().toString().substring(0, 8);
	}

}
