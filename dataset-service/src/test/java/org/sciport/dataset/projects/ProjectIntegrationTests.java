package org.sciport.dataset.projects;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.dataset.DatasetServiceIntegrationTest;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TopicWriter;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TopicReader;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /v1/projects} in the documented shapes, private to their owner.
 */
@DatasetServiceIntegrationTest
class ProjectIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "dataset_projects");
	}

	@Autowired
	WebTestClient client;

	@Test
	void createsListsReadsUpdatesAndDeletesAndAnnouncesEachChange() {
		User owner = TestTokens.user();
		Map<String, Object> created = this.client.post().uri("/v1/projects").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "New Project", "description", "A new project", "settings", Map.of("visibility", "private")))
			.exchange()
			.expectStatus().isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		String id = (String) created.get("id");
		assertThat(id).matches("proj_[0-9a-f]{24}");
		assertThat(created).containsEntry("settings", Map.of("visibility", "private")).containsKeys("created_at", "updated_at");
		for (int i = 0; i < 3; i++) {
			call(owner, HttpMethod.POST, "/v1/projects", Map.of("name", "Project " + i)).expectStatus().isCreated();
		}
		call(owner, HttpMethod.GET, "/v1/projects?page=1&per_page=2&sort=name&order=asc", null).expectStatus().isOk()
			.expectBody()
			.jsonPath("$.data[0].name").isEqualTo("New Project")
			.jsonPath("$.pagination.total").isEqualTo(4)
			.jsonPath("$.pagination.per_page").isEqualTo(2)
			.jsonPath("$.pagination.total_pages").isEqualTo(2)
			.jsonPath("$.links.prev").doesNotExist()
			.jsonPath("$.links.next").isEqualTo("/v1/projects?sort=name&order=asc&page=2&per_page=2");
		call(owner, HttpMethod.PUT, "/v1/projects/" + id, Map.of("name", "Updated Project Name")).expectStatus().isOk()
			.expectBody().jsonPath("$.name").isEqualTo("Updated Project Name")
			.jsonPath("$.settings.visibility").isEqualTo("private");
		call(owner, HttpMethod.DELETE, "/v1/projects/" + id, null).expectStatus().isOk()
			.expectBody().jsonPath("$.success").isEqualTo(true).jsonPath("$.message").isEqualTo("Project deleted successfully");
		call(owner, HttpMethod.GET, "/v1/projects/" + id, null).expectStatus().isNotFound();
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.DATASET)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords((record) -> id.equals(record.key()), 3,
					Duration.ofSeconds(30));
			assertThat(events).extracting((record) -> record.value().replaceAll(".*\"type\":\"([^\"]+)\".*", "$1"))
				.containsExactly("sciport.project.created", "sciport.project.updated", "sciport.project.deleted");
		}
	}

	@Test
	void projectsArePrivateAndBadInputIsNamed() {
		User owner = TestTokens.user();
		User other = TestTokens.user();
		String id = (String) call(owner, HttpMethod.POST, "/v1/projects", Map.of("name", "Mine")).expectStatus().isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody().get("id");
		call(other, HttpMethod.GET, "/v1/projects/" + id, null).expectStatus().isNotFound();
		call(other, HttpMethod.PUT, "/v1/projects/" + id, Map.of("name", "Ours")).expectStatus().isNotFound();
		call(other, HttpMethod.DELETE, "/v1/projects/" + id, null).expectStatus().isNotFound();
		call(other, HttpMethod.GET, "/v1/projects", null).expectBody().jsonPath("$.pagination.total").isEqualTo(0);
		call(TestTokens.admin(), HttpMethod.GET, "/v1/projects/" + id, null).expectStatus().isOk();
		call(owner, HttpMethod.POST, "/v1/projects", Map.of("description", "no name")).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("name");
		call(owner, HttpMethod.POST, "/v1/projects", Map.of("name", "x", "settings", "loud")).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("settings");
		call(owner, HttpMethod.POST, "/v1/projects", Map.of("name", "x", "owner", "me")).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("owner");
		call(owner, HttpMethod.GET, "/v1/projects?sort=colour", null).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("sort");
		call(owner, HttpMethod.GET, "/v1/projects?per_page=101", null).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("per_page");
	}

	@Test
	void keepsDataRecordsFromUploadEventsForTheProjectsOwnerOnly() throws Exception {
		User owner = TestTokens.user();
		String project = (String) call(owner, HttpMethod.POST, "/v1/projects", Map.of("name", "Data")).expectStatus()
			.isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody().get("id");
		String dataId = "data_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		publish(dataId, "sciport.upload.completed", "{\"data_id\":\"" + dataId + "\",\"project_id\":\"" + project
				+ "\",\"owner_id\":\"" + owner.id() + "\",\"filename\":\"data.csv\",\"size_bytes\":1024000}");
		awaitData(owner, dataId, "processing");
		call(owner, HttpMethod.GET, "/v1/data/" + dataId, null).expectBody()
			.jsonPath("$.project_id").isEqualTo(project)
			.jsonPath("$.filename").isEqualTo("data.csv")
			.jsonPath("$.size").isEqualTo(1024000)
			.jsonPath("$.rows").doesNotExist();
		String processed = TopicWriter.event("/sciport/upload-service", "sciport.data.processed", dataId,
				"{\"data_id\":\"" + dataId + "\",\"rows\":5000}");
		TopicWriter.publish(Topics.UPLOAD, dataId, processed);
		awaitData(owner, dataId, "processed");
		// Replayed, it neither changes the record nor announces it again. A marker after it, on
		// its key, shows when the replay has been handled.
		TopicWriter.publish(Topics.UPLOAD, dataId, processed);
		String marker = "data_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		publish(dataId, "sciport.upload.completed", "{\"data_id\":\"" + marker + "\",\"project_id\":\"" + project
				+ "\",\"owner_id\":\"" + owner.id() + "\",\"filename\":\"marker.csv\",\"size_bytes\":1}");
		awaitData(owner, marker, "processing");
		call(owner, HttpMethod.GET, "/v1/data/" + dataId, null).expectBody().jsonPath("$.rows").isEqualTo(5000);
		call(TestTokens.user(), HttpMethod.GET, "/v1/data/" + dataId, null).expectStatus().isNotFound();
		call(owner, HttpMethod.GET, "/v1/data/data_nothing", null).expectStatus().isNotFound();
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.DATASET)) {
			reader.awaitRecords((record) -> marker.equals(record.key()), 1, Duration.ofSeconds(30));
			assertThat(reader.awaitRecords((record) -> dataId.equals(record.key()), 3, Duration.ofSeconds(2)))
				.extracting((record) -> record.value().replaceAll(".*\"type\":\"([^\"]+)\".*", "$1"))
				.containsExactly("sciport.data.uploaded", "sciport.data.processed");
		}
	}

	@Test
	void reportsUsageFromWhatTheGatewayServedAndWhatWasCreated() throws Exception {
		User owner = TestTokens.user();
		java.time.Instant hour = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
		String usage = "{\"user_id\":\"" + owner.id() + "\",\"hour\":\"" + hour + "\",\"api_calls\":";
		String batch = TopicWriter.event("/sciport/gateway", "sciport.gateway.usage", owner.id().toString(), usage + "1200}");
		TopicWriter.publish(Topics.GATEWAY, owner.id().toString(), batch);
		// The same batch replayed is counted once.
		TopicWriter.publish(Topics.GATEWAY, owner.id().toString(), batch);
		publishTo(Topics.GATEWAY, owner.id().toString(), "sciport.gateway.usage", usage + "50}");
		// Someone else's calls do not count.
		publishTo(Topics.GATEWAY, "x", "sciport.gateway.usage",
				"{\"user_id\":\"" + java.util.UUID.randomUUID() + "\",\"hour\":\"" + hour + "\",\"api_calls\":7}");
		for (int i = 0; i < 3; i++) {
			call(owner, HttpMethod.POST, "/v1/projects", Map.of("name", "P" + i)).expectStatus().isCreated();
		}
		String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
		String path = "/v1/analytics/usage?start_date=" + today + "&end_date=" + today + "&granularity=day";
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		Map<String, Object> answer = null;
		while (System.nanoTime() < deadline) {
			answer = call(owner, HttpMethod.GET, path, null).expectStatus().isOk()
				.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
				}).returnResult().getResponseBody();
			if (((Map<?, ?>) answer.get("summary")).get("total_api_calls").equals(1250)) {
				break;
			}
			Thread.sleep(100);
		}
		assertThat(answer.get("data")).asList().hasSize(1);
		@SuppressWarnings("unchecked")
		Map<String, Object> bucket = (Map<String, Object>) ((List<?>) answer.get("data")).get(0);
		assertThat(bucket).containsEntry("date", today)
			.containsEntry("api_calls", 1250)
			.containsEntry("projects_created", 3)
			.containsEntry("data_processed", 0);
		@SuppressWarnings("unchecked")
		Map<String, Object> summary = (Map<String, Object>) answer.get("summary");
		assertThat(summary).containsEntry("total_api_calls", 1250).containsEntry("total_projects", 3);
		call(owner, HttpMethod.GET, "/v1/analytics/usage?start_date=" + hour + "&end_date=" + hour.plusSeconds(7200)
				+ "&granularity=hour", null)
			.expectStatus().isOk()
			.expectBody().jsonPath("$.data.length()").isEqualTo(2).jsonPath("$.data[0].api_calls").isEqualTo(1250)
			.jsonPath("$.data[0].date").isEqualTo(hour.toString());
		for (String bad : List.of("granularity=minute", "start_date=yesterday", "start_date=2026-02-01&end_date=2026-01-01",
				"start_date=2020-01-01&end_date=2026-01-01&granularity=hour")) {
			call(owner, HttpMethod.GET, "/v1/analytics/usage?" + bad, null).expectStatus().isBadRequest()
				.expectBody().jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR");
		}
	}

	@Test
	void countsDataOnceProcessedAndKeepsADeletedProjectsPartInTheHistory() throws Exception {
		User owner = TestTokens.user();
		String kept = projectId(owner, "Kept");
		String gone = projectId(owner, "Gone");
		String processed = dataInto(owner, gone, 1000);
		String unfinished = dataInto(owner, gone, 500);
		publish(processed, "sciport.data.processed", "{\"data_id\":\"" + processed + "\",\"rows\":10}");
		awaitData(owner, processed, "processed");
		java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
		String day = "/v1/analytics/usage?start_date=" + today + "&end_date=" + today + "&granularity=";
		// Only data whose processing finished counts as processed.
		call(owner, HttpMethod.GET, day + "day", null).expectStatus().isOk().expectBody()
			.jsonPath("$.data[0].data_processed").isEqualTo(1000)
			.jsonPath("$.data[0].projects_created").isEqualTo(2)
			.jsonPath("$.summary.total_projects").isEqualTo(2);

		call(owner, HttpMethod.DELETE, "/v1/projects/" + gone, null).expectStatus().isOk();
		call(owner, HttpMethod.GET, "/v1/projects/" + gone, null).expectStatus().isNotFound();
		call(owner, HttpMethod.PUT, "/v1/projects/" + gone, Map.of("name", "Back")).expectStatus().isNotFound();
		call(owner, HttpMethod.DELETE, "/v1/projects/" + gone, null).expectStatus().isNotFound();
		call(owner, HttpMethod.GET, "/v1/data/" + processed, null).expectStatus().isNotFound();
		call(owner, HttpMethod.GET, "/v1/projects", null).expectStatus().isOk().expectBody()
			.jsonPath("$.data.length()").isEqualTo(1).jsonPath("$.data[0].id").isEqualTo(kept)
			.jsonPath("$.pagination.total").isEqualTo(1);
		// The past is what it was; only what the caller has now is one project.
		for (String granularity : List.of("day", "week", "month")) {
			java.time.LocalDate start = switch (granularity) {
				case "week" -> today.with(java.time.DayOfWeek.MONDAY);
				case "month" -> today.withDayOfMonth(1);
				default -> today;
			};
			call(owner, HttpMethod.GET, day + granularity, null).expectStatus().isOk().expectBody()
				.jsonPath("$.data.length()").isEqualTo(1)
				.jsonPath("$.data[0].date").isEqualTo(start.toString())
				.jsonPath("$.data[0].data_processed").isEqualTo(1000)
				.jsonPath("$.data[0].projects_created").isEqualTo(2)
				.jsonPath("$.summary.total_data_processed").isEqualTo(1000)
				.jsonPath("$.summary.total_projects").isEqualTo(1);
		}
		// Data of the deleted project does not finish now, and data uploaded into it is not
		// recorded. (The marker, on the same key and so after them, shows both were handled.)
		String late = "data_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		String marker = "data_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		publish(late, "sciport.data.processed", "{\"data_id\":\"" + unfinished + "\",\"rows\":3}");
		publish(late, "sciport.upload.completed", "{\"data_id\":\"" + late + "\",\"project_id\":\"" + gone
				+ "\",\"owner_id\":\"" + owner.id() + "\",\"filename\":\"late.csv\",\"size_bytes\":77}");
		publish(late, "sciport.upload.completed", "{\"data_id\":\"" + marker + "\",\"project_id\":\"" + kept
				+ "\",\"owner_id\":\"" + owner.id() + "\",\"filename\":\"marker.csv\",\"size_bytes\":1}");
		awaitData(owner, marker, "processing");
		call(owner, HttpMethod.GET, day + "day", null).expectBody()
			.jsonPath("$.summary.total_data_processed").isEqualTo(1000);
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.DATASET)) {
			reader.awaitRecords((record) -> marker.equals(record.key()), 1, Duration.ofSeconds(30));
			assertThat(reader.awaitRecords((record) -> late.equals(record.key()) || unfinished.equals(record.key())
					&& record.value().contains("sciport.data.processed"), 1, Duration.ofSeconds(2))).isEmpty();
		}
	}

	private String projectId(User owner, String name) {
		return (String) call(owner, HttpMethod.POST, "/v1/projects", Map.of("name", name)).expectStatus().isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody().get("id");
	}

	/** A file uploaded into the project, once its record is there. */
	private String dataInto(User owner, String project, long size) throws Exception {
		String id = "data_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		publish(id, "sciport.upload.completed", "{\"data_id\":\"" + id + "\",\"project_id\":\"" + project
				+ "\",\"owner_id\":\"" + owner.id() + "\",\"filename\":\"f.csv\",\"size_bytes\":" + size + "}");
		awaitData(owner, id, "processing");
		return id;
	}

	private static void publish(String key, String type, String data) throws Exception {
		publishTo(Topics.UPLOAD, key, type, data);
	}

	private static void publishTo(String topic, String key, String type, String data) throws Exception {
		TopicWriter.publish(topic, key, TopicWriter.event("/sciport/upload-service", type, key, data));
	}

	private void awaitData(User user, String id, String status) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline) {
			Map<String, Object> body = call(user, HttpMethod.GET, "/v1/data/" + id, null)
				.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
				}).returnResult().getResponseBody();
			if (body != null && status.equals(body.get("status"))) {
				return;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("data " + id + " did not reach " + status);
	}

	private WebTestClient.ResponseSpec call(User user, HttpMethod method, String path, Object body) {
		WebTestClient.RequestBodySpec request = this.client.method(method).uri(path).headers((h) -> h.setBearerAuth(user.token()));
		return (body != null) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
				: request.exchange();
	}

}
