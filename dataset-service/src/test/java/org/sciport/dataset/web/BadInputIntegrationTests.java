package org.sciport.dataset.web;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sciport.dataset.DatasetServiceIntegrationTest;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Bad input on the folder, team and project endpoints (the catalogue's own are in its tests):
 * each refused with a 400 in the native shape, naming the field or parameter where there is
 * one, and nothing written.
 */
@DatasetServiceIntegrationTest
class BadInputIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "dataset_bad_input");
	}

	@Autowired
	WebTestClient client;

	private final User owner = TestTokens.user();

	@Test
	void malformedJsonIsRefusedEverywhere() {
		String team = id(call(HttpMethod.POST, "/v1/teams", Map.of("name", "Optics")).expectStatus().isCreated());
		for (String[] target : List.of(new String[] { "POST", "/v1/projects" }, new String[] { "POST", "/v1/folders" },
				new String[] { "POST", "/v1/teams" }, new String[] { "PATCH", "/v1/teams/" + team },
				new String[] { "POST", "/v1/teams/" + team + "/members" })) {
			this.client.method(HttpMethod.valueOf(target[0])).uri(target[1]).headers((h) -> h.setBearerAuth(this.owner.token()))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"name\": \"unfinished")
				.exchange()
				.expectStatus().isBadRequest()
				.expectBody()
				.jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR")
				.jsonPath("$.error.message").isEqualTo("Request body is not valid JSON for this operation")
				.jsonPath("$.error.request_id").isNotEmpty();
		}
		call(HttpMethod.GET, "/v1/projects", null).expectBody().jsonPath("$.pagination.total").isEqualTo(0);
		call(HttpMethod.GET, "/v1/folders", null).expectBody().jsonPath("$.data.length()").isEqualTo(0);
	}

	@Test
	void overLongNamesUnknownFieldsAndValuesOfTheWrongKindNameTheirField() {
		String longName = "n".repeat(201);
		String team = id(call(HttpMethod.POST, "/v1/teams", Map.of("name", "Optics")).expectStatus().isCreated());
		expectField(call(HttpMethod.POST, "/v1/folders", Map.of("name", longName)), "name");
		expectField(call(HttpMethod.POST, "/v1/projects", Map.of("name", longName)), "name");
		expectField(call(HttpMethod.POST, "/v1/teams", Map.of("name", longName)), "name");
		expectField(call(HttpMethod.PATCH, "/v1/teams/" + team, Map.of("name", longName)), "name");
		expectField(call(HttpMethod.POST, "/v1/folders", Map.of("name", "a", "colour", "red")), "colour");
		expectField(call(HttpMethod.POST, "/v1/teams", Map.of("name", "b", "colour", "red")), "colour");
		expectField(call(HttpMethod.PATCH, "/v1/teams/" + team, Map.of("colour", "red")), "colour");
		expectField(call(HttpMethod.POST, "/v1/teams/" + team + "/members", Map.of("user_id", this.owner.id().toString(),
				"role", "member", "colour", "red")), "colour");
		expectField(call(HttpMethod.POST, "/v1/projects", Map.of("name", "c", "colour", "red")), "colour");
		// A member whose id is no UUID, in a new team or added to one.
		expectField(call(HttpMethod.POST, "/v1/teams", Map.of("name", "d", "members", List.of(Map.of("user_id", "bob")))),
				"members[0].user_id");
		expectField(call(HttpMethod.POST, "/v1/teams/" + team + "/members", Map.of("user_id", "bob")), "user_id");
		expectField(call(HttpMethod.POST, "/v1/projects", Map.of("name", "e", "settings", "all")), "settings");
		// None of it was written.
		call(HttpMethod.GET, "/v1/teams", null).expectBody().jsonPath("$.data.length()").isEqualTo(1)
			.jsonPath("$.data[0].name").isEqualTo("Optics").jsonPath("$.data[0].members.length()").isEqualTo(1);
		call(HttpMethod.GET, "/v1/projects", null).expectBody().jsonPath("$.pagination.total").isEqualTo(0);
		call(HttpMethod.GET, "/v1/folders", null).expectBody().jsonPath("$.data.length()").isEqualTo(0);
	}

	@Test
	void invalidIdsAreRefusedAndUnknownObjectsAreNotFound() {
		String team = id(call(HttpMethod.POST, "/v1/teams", Map.of("name", "Optics")).expectStatus().isCreated());
		String dataset = id(call(HttpMethod.POST, "/v1/datasets", Map.of("name", "run")).expectStatus().isCreated());
		expectField(call(HttpMethod.GET, "/v1/teams/not-a-uuid", null), "id");
		expectField(call(HttpMethod.PATCH, "/v1/teams/not-a-uuid", Map.of("name", "x")), "id");
		expectField(call(HttpMethod.PATCH, "/v1/teams/" + team + "/members/bob", Map.of("role", "owner")), "user_id");
		expectField(call(HttpMethod.DELETE, "/v1/teams/" + team + "/members/bob", null), "user_id");
		expectField(call(HttpMethod.PATCH, "/v1/folders/not-a-uuid", Map.of("name", "x")), "id");
		expectField(call(HttpMethod.DELETE, "/v1/folders/not-a-uuid", null), "id");
		expectField(call(HttpMethod.POST, "/v1/folders", Map.of("name", "x", "parent_id", "root")), "parent_id");
		expectField(call(HttpMethod.PUT, "/v1/datasets/" + dataset + "/shares/not-a-uuid", Map.of("level", "read")),
				"team_id");
		expectField(call(HttpMethod.PUT, "/v1/datasets/" + dataset + "/shares/" + team, Map.of("level", "admin")), "level");
		call(HttpMethod.GET, "/v1/teams/" + java.util.UUID.randomUUID(), null).expectStatus().isNotFound()
			.expectBody().jsonPath("$.error.code").isEqualTo("RESOURCE_NOT_FOUND");
		call(HttpMethod.GET, "/v1/projects/proj_nothing", null).expectStatus().isNotFound();
	}

	@Test
	void listsRefuseParametersTheyDoNotKnow() {
		String dataset = id(call(HttpMethod.POST, "/v1/datasets", Map.of("name", "run")).expectStatus().isCreated());
		for (String path : List.of("/v1/projects?per_page=5&colour=red", "/v1/teams?colour=red", "/v1/folders?colour=red",
				"/v1/datasets/" + dataset + "/files?colour=red", "/portal/api/get-teams?colour=red",
				"/portal/api/get-folders?colour=red", "/portal/api/dataset-files?dataset_id=" + dataset + "&colour=red")) {
			WebTestClient.BodyContentSpec body = call(HttpMethod.GET, path, null).expectStatus().isBadRequest().expectBody();
			if (path.startsWith("/portal")) {
				body.jsonPath("$.success").isEqualTo(false).jsonPath("$.code").isEqualTo("VALIDATION_ERROR")
					.jsonPath("$.error").value((message) -> org.assertj.core.api.Assertions.assertThat((String) message)
						.contains("colour"));
			}
			else {
				body.jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR").jsonPath("$.error.field").isEqualTo("colour");
			}
		}
		expectField(call(HttpMethod.GET, "/v1/teams?per_page=101", null), "per_page");
		expectField(call(HttpMethod.GET, "/v1/projects?page=0", null), "page");
		call(HttpMethod.GET, "/portal/api/get-teams?limit=101", null).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.success").isEqualTo(false);
	}

	@Test
	void thePortalsTeamListPages() {
		for (String name : List.of("A", "B", "C")) {
			call(HttpMethod.POST, "/v1/teams", Map.of("name", name)).expectStatus().isCreated();
		}
		call(HttpMethod.GET, "/portal/api/get-teams?limit=2", null).expectStatus().isOk().expectBody()
			.jsonPath("$.success").isEqualTo(true)
			.jsonPath("$.data.teams.length()").isEqualTo(2)
			.jsonPath("$.data.pagination.total").isEqualTo(3)
			.jsonPath("$.data.pagination.pages").isEqualTo(2)
			.jsonPath("$.data.pagination.limit").isEqualTo(2);
		call(HttpMethod.GET, "/portal/api/get-teams?limit=2&page=2", null).expectStatus().isOk().expectBody()
			.jsonPath("$.data.teams.length()").isEqualTo(1).jsonPath("$.data.pagination.page").isEqualTo(2);
		call(HttpMethod.GET, "/portal/api/get-teams", null).expectStatus().isOk().expectBody()
			.jsonPath("$.data.teams.length()").isEqualTo(3).jsonPath("$.data.pagination.limit").isEqualTo(100);
	}

	private static void expectField(WebTestClient.ResponseSpec response, String field) {
		response.expectStatus().isBadRequest()
			.expectBody()
			.jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR")
			.jsonPath("$.error.field").isEqualTo(field);
	}

	private WebTestClient.ResponseSpec call(HttpMethod method, String path, Object body) {
		WebTestClient.RequestBodySpec request = this.client.method(method).uri(path)
			.headers((h) -> h.setBearerAuth(this.owner.token()));
		return (body != null) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
				: request.exchange();
	}

	private static String id(WebTestClient.ResponseSpec response) {
		return (String) response.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
		}).returnResult().getResponseBody().get("id");
	}

}
