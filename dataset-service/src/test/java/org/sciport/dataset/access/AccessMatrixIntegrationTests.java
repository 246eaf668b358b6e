package org.sciport.dataset.access;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.dataset.DatasetServiceIntegrationTest;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TopicWriter;
import org.sciport.testsupport.TestTokens.User;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who reaches what, across every object endpoint of dataset-service, native and portal: the
 * owner, a member of a team the dataset is shared with for reading, a member of a team it is
 * shared with for writing, a stranger and an administrator each call every endpoint on the
 * owner's dataset, folder, team, project and data record. Invisible objects are 404, visible
 * but forbidden actions 403. Destructive calls run last, everyone else's first.
 */
@DatasetServiceIntegrationTest
class AccessMatrixIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "dataset_access");
	}

	@Autowired
	WebTestClient client;

	/** One endpoint and the status each caller gets: owner, reader, writer, stranger, admin. */
	private record Row(HttpMethod method, String path, Object body, int owner, int reader, int writer, int stranger,
			int admin) {
	}

	/** A list and whether each caller's shows the object: owner, reader, writer, stranger, admin. */
	private record Listed(String path, String id, boolean owner, boolean reader, boolean writer, boolean stranger,
			boolean admin) {
	}

	@Test
	void everyCallerGetsExactlyWhatTheyMayHave() throws Exception {
		User owner = TestTokens.user();
		User reader = TestTokens.user();
		User writer = TestTokens.user();
		User stranger = TestTokens.user();
		User admin = TestTokens.admin();
		List<User> everyone = List.of(owner, reader, writer, stranger, admin);
		List<String> names = List.of("owner", "reader", "writer", "stranger", "admin");
		for (int i = 0; i < everyone.size(); i++) {
			this.slots.put(everyone.get(i).id(), i);
			this.roles.put(everyone.get(i).id(), names.get(i));
		}
		String readers = id(call(owner, HttpMethod.POST, "/v1/teams",
				Map.of("name", "Readers", "members", List.of(Map.of("user_id", reader.id().toString())))));
		String writers = id(call(owner, HttpMethod.POST, "/v1/teams",
				Map.of("name", "Writers", "members", List.of(Map.of("user_id", writer.id().toString())))));
		String folder = id(call(owner, HttpMethod.POST, "/v1/folders", Map.of("name", "Runs")));
		String dataset = id(call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "Shared run", "folder_id", folder)));
		String spare = id(call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "For the administrator")));
		call(owner, HttpMethod.PUT, "/v1/datasets/" + dataset + "/shares/" + readers, Map.of("level", "read"))
			.expectStatus().isOk();
		call(owner, HttpMethod.PUT, "/v1/datasets/" + dataset + "/shares/" + writers, Map.of("level", "write"))
			.expectStatus().isOk();
		String project = id(call(owner, HttpMethod.POST, "/v1/projects", Map.of("name", "Beamtime")));
		String data = "data_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		publish(data, "{\"data_id\":\"" + data + "\",\"project_id\":\"" + project + "\",\"owner_id\":\"" + owner.id()
				+ "\",\"filename\":\"d.csv\",\"size_bytes\":10}");
		awaitVisible(owner, "/v1/data/" + data);

		String d = "/v1/datasets/" + dataset;
		List<Row> reads = List.of(
				new Row(HttpMethod.GET, d, null, 200, 200, 200, 404, 200),
				new Row(HttpMethod.GET, d + "/files", null, 200, 200, 200, 404, 200),
				new Row(HttpMethod.GET, d + "/status", null, 200, 200, 200, 404, 200),
				new Row(HttpMethod.PATCH, d, Map.of("description", "edited"), 200, 403, 200, 404, 200),
				new Row(HttpMethod.PUT, d + "/shares/" + readers, Map.of("level", "read"), 200, 403, 403, 404, 200),
				new Row(HttpMethod.GET, "/portal/api/dataset-details?dataset_id=" + dataset, null, 200, 200, 200, 404, 200),
				new Row(HttpMethod.GET, "/portal/api/dataset-status?dataset_uuid=" + dataset, null, 200, 200, 200, 404, 200),
				new Row(HttpMethod.GET, "/portal/api/dataset-files?dataset_id=" + dataset, null, 200, 200, 200, 404, 200),
				new Row(HttpMethod.POST, "/portal/api/update-dataset", Map.of("dataset_id", dataset, "description", "again"),
						200, 403, 200, 404, 200),
				new Row(HttpMethod.POST, "/portal/api/share-dataset", Map.of("dataset_id", dataset, "team_id", readers),
						200, 403, 403, 404, 200),
				new Row(HttpMethod.PATCH, "/v1/folders/" + folder, Map.of("name", "Runs 2026"), 200, 404, 404, 404, 404),
				new Row(HttpMethod.GET, "/v1/teams/" + readers, null, 200, 200, 404, 404, 200),
				new Row(HttpMethod.PATCH, "/v1/teams/" + readers, Map.of("name", "Readers 2026"), 200, 403, 404, 404, 200),
				new Row(HttpMethod.POST, "/portal/api/update-team", Map.of("team_id", readers, "name", "Readers 2027"),
						200, 403, 404, 404, 200),
				new Row(HttpMethod.GET, "/v1/projects/" + project, null, 200, 404, 404, 404, 200),
				new Row(HttpMethod.PUT, "/v1/projects/" + project, Map.of("description", "x"), 200, 404, 404, 404, 200),
				new Row(HttpMethod.GET, "/v1/data/" + data, null, 200, 404, 404, 404, 200),
				new Row(HttpMethod.POST, "/v1/folders", Map.of("name", "Inside", "parent_id", folder), 201, 400, 400, 400, 400));
		List<String> failures = new ArrayList<>();
		for (Row row : reads) {
			check(row, everyone, failures);
		}
		// Lists: each caller's shows exactly what they may reach (owner, reader, writer, stranger, admin).
		List<Listed> lists = List.of(
				new Listed("/v1/datasets?per_page=100", dataset, true, true, true, false, true),
				new Listed("/v1/datasets?per_page=100&team_id=" + readers, dataset, true, true, false, false, true),
				new Listed("/portal/api/datasets?limit=100", dataset, true, true, true, false, true),
				new Listed("/v1/folders", folder, true, false, false, false, false),
				new Listed("/portal/api/get-folders", folder, true, false, false, false, false),
				new Listed("/v1/teams", readers, true, true, false, false, false),
				new Listed("/portal/api/get-teams", writers, true, false, true, false, false),
				new Listed("/v1/projects", project, true, false, false, false, true));
		for (Listed list : lists) {
			boolean[] sees = { list.owner(), list.reader(), list.writer(), list.stranger(), list.admin() };
			for (User user : everyone) {
				String body = call(user, HttpMethod.GET, list.path(), null).expectStatus().isOk()
					.expectBody(String.class).returnResult().getResponseBody();
				if (body.contains(list.id()) != sees[this.slots.get(user.id())]) {
					failures.add("GET " + list.path() + " as " + role(user) + (sees[this.slots.get(user.id())]
							? ": does not list " : ": lists ") + list.id());
				}
			}
		}
		// Destructive calls: everyone who may not, first; then whoever may.
		User newcomer = TestTokens.user();
		List<Row> removals = List.of(
				new Row(HttpMethod.POST, "/v1/teams/" + readers + "/members", Map.of("user_id", newcomer.id().toString()),
						201, 403, 404, 404, 0),
				new Row(HttpMethod.DELETE, "/v1/teams/" + readers + "/members/" + newcomer.id(), null, 200, 403, 404, 404, 0),
				new Row(HttpMethod.POST, "/portal/api/delete-dataset", Map.of("dataset_id", dataset), 0, 403, 403, 404, 0),
				new Row(HttpMethod.DELETE, d + "/shares/" + readers, null, 204, 403, 403, 404, 0),
				// The reader's share is gone now: the dataset is invisible to them.
				new Row(HttpMethod.DELETE, d, null, 204, 404, 403, 404, 0),
				new Row(HttpMethod.DELETE, "/v1/folders/" + folder + "?force=true", null, 204, 404, 404, 404, 0),
				new Row(HttpMethod.DELETE, "/v1/projects/" + project, null, 200, 404, 404, 404, 0),
				new Row(HttpMethod.POST, "/portal/api/delete-dataset", Map.of("dataset_id", spare), 0, 404, 404, 404, 200));
		for (Row row : removals) {
			check(row, List.of(reader, writer, stranger), failures);
			if (row.owner() != 0) {
				check(row, List.of(owner), failures);
			}
			if (row.admin() != 0) {
				check(row, List.of(admin), failures);
			}
		}
		assertThat(failures).isEmpty();
		// After all that, what was removed is gone for its owner too.
		call(owner, HttpMethod.GET, d, null).expectStatus().isNotFound();
		call(owner, HttpMethod.GET, "/v1/datasets/" + spare, null).expectStatus().isNotFound();
		call(owner, HttpMethod.GET, "/v1/projects/" + project, null).expectStatus().isNotFound();
		// Usage is per caller: everyone sees only their own.
		for (User user : List.of(owner, reader, stranger)) {
			call(user, HttpMethod.GET, "/v1/analytics/usage", null).expectStatus().isOk()
				.expectBody().jsonPath("$.summary.total_projects").isEqualTo(0);
		}
	}

	private void check(Row row, List<User> callers, List<String> failures) {
		for (User user : callers) {
			int expected = expectedFor(row, user);
			int actual = call(user, row.method(), row.path(), row.body()).returnResult(String.class).getStatus().value();
			if (expected != actual) {
				failures.add(row.method() + " " + row.path() + " as " + role(user) + ": expected " + expected + ", got " + actual);
			}
		}
	}

	private final Map<java.util.UUID, String> roles = new java.util.HashMap<>();

	private final Map<java.util.UUID, Integer> slots = new java.util.HashMap<>();

	private int expectedFor(Row row, User user) {
		int slot = this.slots.get(user.id());
		int[] statuses = { row.owner(), row.reader(), row.writer(), row.stranger(), row.admin() };
		return statuses[slot];
	}

	private String role(User user) {
		return this.roles.get(user.id());
	}

	@Test
	void aScopedTokenReachesOnlyWhatItsScopesNameEvenOnTheOwnersOwnData() {
		User owner = TestTokens.user();
		String dataset = id(call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "Scoped")));
		User reader = TestTokens.tokenFor(owner.id(), "datasets:read");
		call(reader, HttpMethod.GET, "/v1/datasets/" + dataset, null).expectStatus().isOk();
		call(reader, HttpMethod.GET, "/portal/api/dataset-details?dataset_id=" + dataset, null).expectStatus().isOk();
		call(reader, HttpMethod.PATCH, "/v1/datasets/" + dataset, Map.of("name", "Renamed")).expectStatus().isForbidden();
		call(reader, HttpMethod.POST, "/portal/api/update-dataset", Map.of("dataset_id", dataset, "name", "Renamed"))
			.expectStatus().isForbidden();
		call(reader, HttpMethod.DELETE, "/v1/datasets/" + dataset, null).expectStatus().isForbidden();
		call(reader, HttpMethod.GET, "/v1/projects", null).expectStatus().isForbidden();
		call(owner, HttpMethod.GET, "/v1/datasets/" + dataset, null).expectStatus().isOk()
			.expectBody().jsonPath("$.name").isEqualTo("Scoped");
		// An administrator's token without the admin scope sees what any user sees.
		User admin = TestTokens.scoped(true, "datasets:read");
		call(admin, HttpMethod.GET, "/v1/datasets/" + dataset, null).expectStatus().isNotFound();
		call(TestTokens.scoped(true, "datasets:read", "admin"), HttpMethod.GET, "/v1/datasets/" + dataset, null)
			.expectStatus().isOk();
	}

	private WebTestClient.ResponseSpec call(User user, HttpMethod method, String path, Object body) {
		WebTestClient.RequestBodySpec request = this.client.method(method).uri(path).headers((h) -> h.setBearerAuth(user.token()));
		return (body != null) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange() : request.exchange();
	}

	private static String id(WebTestClient.ResponseSpec response) {
		return (String) response.expectStatus().isCreated().expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
		}).returnResult().getResponseBody().get("id");
	}

	private void awaitVisible(User user, String path) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline) {
			if (call(user, HttpMethod.GET, path, null).returnResult(String.class).getStatus().value() == 200) {
				return;
			}
			Thread.sleep(100);
		}
		throw new AssertionError(path + " never appeared");
	}

	private static void publish(String key, String data) throws Exception {
		TopicWriter.publish(Topics.UPLOAD, key,
				TopicWriter.event("/sciport/upload-service", "sciport.upload.completed", key, data));
	}

}
