package org.sciport.dataset.portal;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.sciport.dataset.DatasetServiceIntegrationTest;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TestInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data portal's dataset, folder and team endpoints in the portal's own shapes, on top of
 * the same catalogue and the same access checks as the native API.
 */
@DatasetServiceIntegrationTest
class PortalIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "dataset_portal");
	}

	@Autowired
	WebTestClient client;

	@Test
	void listsDetailsUpdatesAndDeletesInThePortalEnvelope() {
		User owner = TestTokens.user();
		String folder = (String) data(call(owner, HttpMethod.POST, "/v1/folders", Map.of("name", "CHESS_4D")), false)
			.get("id");
		String inFolder = (String) data(call(owner, HttpMethod.POST, "/v1/datasets",
				Map.of("name", "Run 1", "folder_id", folder)), false).get("id");
		call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "Run 2")).expectStatus().isCreated();

		call(owner, HttpMethod.GET, "/portal/api/datasets?folder=chess_4d&page=1&limit=50", null).expectStatus().isOk()
			.expectBody()
			.jsonPath("$.success").isEqualTo(true)
			.jsonPath("$.data.datasets.length()").isEqualTo(1)
			.jsonPath("$.data.datasets[0].id").isEqualTo(inFolder)
			.jsonPath("$.data.pagination.limit").isEqualTo(50)
			.jsonPath("$.data.pagination.total").isEqualTo(1);
		call(owner, HttpMethod.GET, "/portal/api/datasets?sort=name&order=desc", null).expectStatus().isOk()
			.expectBody().jsonPath("$.data.datasets[0].name").isEqualTo("Run 2");
		call(owner, HttpMethod.GET, "/portal/api/datasets?folder=nowhere", null).expectStatus().isOk()
			.expectBody().jsonPath("$.data.datasets.length()").isEqualTo(0);
		call(owner, HttpMethod.GET, "/portal/api/dataset-details?dataset_uuid=" + inFolder, null).expectStatus().isOk()
			.expectBody().jsonPath("$.data.name").isEqualTo("Run 1");
		call(owner, HttpMethod.GET, "/portal/api/dataset-status?dataset_id=" + inFolder, null).expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("uploading").jsonPath("$.progress_percentage").isEqualTo(0)
			.jsonPath("$.data.status").isEqualTo("uploading");
		call(owner, HttpMethod.GET, "/portal/api/dataset-files?dataset_id=" + inFolder, null).expectStatus().isOk()
			.expectBody().jsonPath("$.data.file_count").isEqualTo(0);
		call(owner, HttpMethod.POST, "/portal/api/update-dataset", Map.of("dataset_id", inFolder, "description", "first"))
			.expectStatus().isOk()
			.expectBody().jsonPath("$.data.description").isEqualTo("first");
		call(owner, HttpMethod.GET, "/portal/api/get-folders", null).expectStatus().isOk()
			.expectBody().jsonPath("$.data.folders[0].name").isEqualTo("CHESS_4D");
		call(owner, HttpMethod.POST, "/portal/api/delete-dataset", Map.of("dataset_id", inFolder)).expectStatus().isOk()
			.expectBody().jsonPath("$.success").isEqualTo(true);
		call(owner, HttpMethod.GET, "/portal/api/dataset-details?dataset_id=" + inFolder, null).expectStatus().isNotFound()
			.expectBody().jsonPath("$.success").isEqualTo(false).jsonPath("$.code").isEqualTo("DATASET_NOT_FOUND");
	}

	@Test
	void answersTheDatasetsPageFieldsAtTheTopLevelAndInData() {
		User owner = TestTokens.user();
		User stranger = TestTokens.user();
		String team = (String) data(call(owner, HttpMethod.POST, "/portal/api/create-team",
				Map.of("team_name", "Beamline 7")), true).get("uuid");
		String id = (String) data(call(owner, HttpMethod.POST, "/v1/datasets",
				Map.of("name", "My Dataset", "sensor", "4D_NEXUS", "folder", "CHESS_4D", "tags", List.of("nexus", "4d"))),
				false).get("id");
		// Only an administrator creates a dataset in another account's name.
		call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "Theirs", "owner_id", stranger.id().toString()))
			.expectStatus().isForbidden();
		// The list, read as the documents' clients read it.
		call(owner, HttpMethod.GET, "/portal/api/datasets.php?folder=CHESS_4D&t=1712345678", null).expectStatus().isOk()
			.expectBody()
			.jsonPath("$.datasets.length()").isEqualTo(1)
			.jsonPath("$.datasets[0].uuid").isEqualTo(id)
			.jsonPath("$.datasets[0].sensor").isEqualTo("4D_NEXUS")
			.jsonPath("$.datasets[0].folder").isEqualTo("CHESS_4D")
			.jsonPath("$.datasets[0].status").isEqualTo("uploading")
			.jsonPath("$.datasets[0].tags[1]").isEqualTo("4d")
			.jsonPath("$.total").isEqualTo(1)
			.jsonPath("$.page").isEqualTo(1)
			.jsonPath("$.limit").isEqualTo(50)
			.jsonPath("$.data.datasets[0].uuid").isEqualTo(id);
		call(owner, HttpMethod.GET, "/portal/api/datasets?status=completed", null).expectStatus().isOk()
			.expectBody().jsonPath("$.total").isEqualTo(0);
		call(owner, HttpMethod.GET, "/portal/api/datasets?status=uploading", null).expectStatus().isOk()
			.expectBody().jsonPath("$.total").isEqualTo(1);
		call(owner, HttpMethod.GET, "/portal/api/datasets?status=done-ish", null).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.field").isEqualTo("status");
		// The documented update body: tags as text, a folder by name, a team, the viewer's fields.
		call(owner, HttpMethod.POST, "/portal/api/update-dataset", Map.of("dataset_uuid", id, "name", "Updated Dataset Name",
				"tags", "tag1, tag2, tag3", "folder", "New_Folder", "team_uuid", team, "dimensions", "1024x1024x100",
				"preferred_dashboard", "4D_Dashboard"))
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.message").isEqualTo("Dataset updated successfully")
			.jsonPath("$.dataset.uuid").isEqualTo(id)
			.jsonPath("$.dataset.name").isEqualTo("Updated Dataset Name")
			.jsonPath("$.dataset.tags.length()").isEqualTo(3)
			.jsonPath("$.dataset.tags[2]").isEqualTo("tag3");
		call(owner, HttpMethod.GET, "/portal/api/dataset-details?dataset_uuid=" + id, null).expectStatus().isOk()
			.expectBody()
			.jsonPath("$.dataset.folder").isEqualTo("New_Folder")
			.jsonPath("$.dataset.team_uuid").isEqualTo(team)
			.jsonPath("$.dataset.dimensions").isEqualTo("1024x1024x100")
			.jsonPath("$.dataset.preferred_dashboard").isEqualTo("4D_Dashboard")
			.jsonPath("$.dataset.is_public").isEqualTo(false)
			.jsonPath("$.dataset.file_count").isEqualTo(0)
			.jsonPath("$.dataset.total_size").isEqualTo(0)
			.jsonPath("$.data.uuid").isEqualTo(id);
		call(owner, HttpMethod.GET, "/portal/api/datasets?team_uuid=" + team, null).expectStatus().isOk()
			.expectBody().jsonPath("$.datasets[0].uuid").isEqualTo(id);
		call(owner, HttpMethod.GET, "/portal/api/dataset-files?dataset_uuid=" + id + "&directory=upload", null)
			.expectStatus().isOk()
			.expectBody().jsonPath("$.files.length()").isEqualTo(0)
			.jsonPath("$.directories.upload.file_count").isEqualTo(0)
			.jsonPath("$.directories.converted.file_count").isEqualTo(0);
		call(owner, HttpMethod.GET, "/portal/api/dataset-files?dataset_uuid=" + id + "&directory=elsewhere", null)
			.expectStatus().isBadRequest().expectBody().jsonPath("$.field").isEqualTo("directory");
		// Public: readable by a stranger, listed as public, never writable by them.
		call(stranger, HttpMethod.GET, "/portal/api/dataset-details?dataset_uuid=" + id, null).expectStatus().isNotFound()
			.expectBody().jsonPath("$.code").isEqualTo("DATASET_NOT_FOUND");
		call(stranger, HttpMethod.POST, "/portal/api/update-dataset", Map.of("dataset_uuid", id, "is_public", true))
			.expectStatus().isNotFound();
		call(owner, HttpMethod.POST, "/portal/api/update-dataset", Map.of("dataset_uuid", id, "is_public", true))
			.expectStatus().isOk().expectBody().jsonPath("$.dataset.is_public").isEqualTo(true);
		call(stranger, HttpMethod.GET, "/portal/api/dataset-details?dataset_uuid=" + id, null).expectStatus().isOk()
			.expectBody().jsonPath("$.dataset.access").isEqualTo("public");
		call(stranger, HttpMethod.GET, "/portal/api/public-datasets?limit=100", null).expectStatus().isOk()
			.expectBody().jsonPath("$.datasets[?(@.uuid == '" + id + "')]").exists();
		call(stranger, HttpMethod.GET, "/portal/api/datasets", null).expectStatus().isOk()
			.expectBody().jsonPath("$.total").isEqualTo(0);
		call(stranger, HttpMethod.POST, "/portal/api/update-dataset", Map.of("dataset_uuid", id, "name", "Taken"))
			.expectStatus().isForbidden().expectBody().jsonPath("$.code").isEqualTo("ACCESS_DENIED");
		call(stranger, HttpMethod.POST, "/portal/api/delete-dataset", Map.of("dataset_uuid", id))
			.expectStatus().isForbidden();
		call(owner, HttpMethod.POST, "/portal/api/delete-dataset", Map.of("dataset_uuid", id)).expectStatus().isOk()
			.expectBody().jsonPath("$.message").isEqualTo("Dataset deleted successfully");
	}

	@Test
	void createsUpdatesListsTeamsAndSharesThroughThePortal() {
		User owner = TestTokens.user();
		User colleague = TestTokens.user();
		User newcomer = TestTokens.user();
		String team = (String) data(call(owner, HttpMethod.POST, "/portal/api/create-team",
				Map.of("name", "Beamline", "members", List.of(colleague.id().toString()))), true).get("id");
		call(owner, HttpMethod.POST, "/portal/api/update-team", Map.of("team_id", team, "name", "Beamline 3",
				"add_members", List.of(Map.of("user_id", newcomer.id().toString())),
				"remove_members", List.of(colleague.id().toString())))
			.expectStatus().isOk()
			.expectBody().jsonPath("$.data.name").isEqualTo("Beamline 3").jsonPath("$.data.members.length()").isEqualTo(2);
		call(newcomer, HttpMethod.GET, "/portal/api/get-teams", null).expectStatus().isOk()
			.expectBody().jsonPath("$.data.teams[0].name").isEqualTo("Beamline 3");
		String dataset = (String) data(call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "Shared run")), false)
			.get("id");
		call(newcomer, HttpMethod.GET, "/portal/api/dataset-details?dataset_id=" + dataset, null).expectStatus()
			.isNotFound();
		call(owner, HttpMethod.POST, "/portal/api/share-dataset", Map.of("dataset_id", dataset, "team_id", team))
			.expectStatus().isOk()
			.expectBody().jsonPath("$.data.shares[0].level").isEqualTo("read");
		call(newcomer, HttpMethod.GET, "/portal/api/dataset-details?dataset_id=" + dataset, null).expectStatus().isOk();
		call(newcomer, HttpMethod.POST, "/portal/api/update-dataset", Map.of("dataset_id", dataset, "name", "mine"))
			.expectStatus().isForbidden()
			.expectBody().jsonPath("$.success").isEqualTo(false).jsonPath("$.code").isEqualTo("ACCESS_DENIED");
		call(colleague, HttpMethod.GET, "/portal/api/dataset-details?dataset_id=" + dataset, null).expectStatus()
			.isNotFound();
	}

	@Test
	void refusesBadPortalInputInThePortalShape() {
		User owner = TestTokens.user();
		call(owner, HttpMethod.GET, "/portal/api/dataset-details", null).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.success").isEqualTo(false).jsonPath("$.code").isEqualTo("VALIDATION_ERROR")
			.jsonPath("$.error").value((String error) -> assertThat(error).contains("dataset_id"));
		call(owner, HttpMethod.GET, "/portal/api/dataset-details?dataset_id=42", null).expectStatus().isBadRequest();
		call(owner, HttpMethod.GET, "/portal/api/datasets?limit=1000", null).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.code").isEqualTo("VALIDATION_ERROR");
		call(owner, HttpMethod.GET, "/portal/api/datasets?colour=red", null).expectStatus().isBadRequest();
		call(owner, HttpMethod.POST, "/portal/api/share-dataset", Map.of("dataset_id", UUID.randomUUID().toString()))
			.expectStatus().isBadRequest();
		this.client.get().uri("/portal/api/datasets").exchange().expectStatus().isUnauthorized()
			.expectBody().jsonPath("$.success").isEqualTo(false).jsonPath("$.code").isEqualTo("AUTH_REQUIRED");
	}

	@Test
	void changesMembersRolesAllOrNothing() {
		User owner = TestTokens.user();
		User colleague = TestTokens.user();
		User outsider = TestTokens.user();
		String team = (String) data(call(owner, HttpMethod.POST, "/portal/api/create-team",
				Map.of("name", "Detectors", "members", List.of(colleague.id().toString()))).expectStatus().isOk(), true)
			.get("id");
		// A member is not an owner: renaming is refused until the owner makes them one.
		call(colleague, HttpMethod.POST, "/portal/api/update-team", Map.of("team_id", team, "name", "Mine"))
			.expectStatus().isForbidden().expectBody().jsonPath("$.code").isEqualTo("ACCESS_DENIED");
		call(owner, HttpMethod.POST, "/portal/api/update-team", Map.of("team_id", team,
				"update_members", List.of(Map.of("user_id", colleague.id().toString(), "role", "owner"))))
			.expectStatus().isOk()
			.expectBody().jsonPath("$.data.members[?(@.user_id == '" + colleague.id() + "')].role").isEqualTo(List.of("owner"));
		call(colleague, HttpMethod.POST, "/portal/api/update-team", Map.of("team_id", team, "name", "Detector group"))
			.expectStatus().isOk().expectBody().jsonPath("$.data.name").isEqualTo("Detector group");
		// Several changes in one request are applied together or not at all: the colleague is
		// a member already, so neither the rename nor the role change stays.
		call(owner, HttpMethod.POST, "/portal/api/update-team", Map.of("team_id", team, "name", "Renamed",
				"update_members", List.of(Map.of("user_id", owner.id().toString(), "role", "member")),
				"add_members", List.of(colleague.id().toString())))
			.expectStatus().isEqualTo(409).expectBody().jsonPath("$.success").isEqualTo(false);
		call(owner, HttpMethod.GET, "/v1/teams/" + team, null).expectStatus().isOk().expectBody()
			.jsonPath("$.name").isEqualTo("Detector group")
			.jsonPath("$.members[?(@.user_id == '" + owner.id() + "')].role").isEqualTo(List.of("owner"));
		// The native API: a role change, the last owner cannot step down, an unknown member.
		call(owner, HttpMethod.PATCH, "/v1/teams/" + team + "/members/" + colleague.id(), Map.of("role", "member"))
			.expectStatus().isOk();
		call(owner, HttpMethod.PATCH, "/v1/teams/" + team + "/members/" + owner.id(), Map.of("role", "member"))
			.expectStatus().isEqualTo(409);
		call(owner, HttpMethod.PATCH, "/v1/teams/" + team + "/members/" + outsider.id(), Map.of("role", "owner"))
			.expectStatus().isNotFound();
		call(owner, HttpMethod.PATCH, "/v1/teams/" + team + "/members/" + colleague.id(), Map.of("role", "captain"))
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("role");
		call(colleague, HttpMethod.PATCH, "/v1/teams/" + team + "/members/" + colleague.id(), Map.of("role", "owner"))
			.expectStatus().isForbidden();
		call(outsider, HttpMethod.PATCH, "/v1/teams/" + team + "/members/" + colleague.id(), Map.of("role", "owner"))
			.expectStatus().isNotFound();
		// An owner may leave once another owner remains; the answer is the team as it now is.
		call(owner, HttpMethod.PATCH, "/v1/teams/" + team + "/members/" + colleague.id(), Map.of("role", "owner"))
			.expectStatus().isOk();
		call(owner, HttpMethod.POST, "/portal/api/update-team", Map.of("team_id", team,
				"remove_members", List.of(owner.id().toString())))
			.expectStatus().isOk()
			.expectBody().jsonPath("$.data.members.length()").isEqualTo(1)
			.jsonPath("$.data.members[0].user_id").isEqualTo(colleague.id().toString());
		call(owner, HttpMethod.GET, "/v1/teams/" + team, null).expectStatus().isNotFound();
	}

	@Test
	void twoOwnersDemotingEachOtherAtOnceLeaveOneOwner() throws Exception {
		for (int round = 0; round < 5; round++) {
			User first = TestTokens.user();
			User second = TestTokens.user();
			String team = (String) data(call(first, HttpMethod.POST, "/v1/teams", Map.of("name", "Pair " + round,
					"members", List.of(Map.of("user_id", second.id().toString(), "role", "owner")))), false).get("id");
			java.util.concurrent.CompletableFuture<Integer> one = java.util.concurrent.CompletableFuture.supplyAsync(() -> call(
					first, HttpMethod.PATCH, "/v1/teams/" + team + "/members/" + second.id(), Map.of("role", "member"))
				.returnResult(String.class).getStatus().value());
			java.util.concurrent.CompletableFuture<Integer> other = java.util.concurrent.CompletableFuture.supplyAsync(() -> call(
					second, HttpMethod.PATCH, "/v1/teams/" + team + "/members/" + first.id(), Map.of("role", "member"))
				.returnResult(String.class).getStatus().value());
			// One demotion wins; the other then finds its caller no owner any more (403), or no
			// other owner left (409). Never both: the team keeps an owner.
			List<Integer> statuses = List.of(one.get(30, java.util.concurrent.TimeUnit.SECONDS),
					other.get(30, java.util.concurrent.TimeUnit.SECONDS));
			assertThat(statuses).containsOnlyOnce(200);
			assertThat(statuses).filteredOn((status) -> status != 200).singleElement()
				.satisfies((status) -> assertThat(status).isIn(403, 409));
			Map<String, Object> now = data(call(first, HttpMethod.GET, "/v1/teams/" + team, null), false);
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> members = (List<Map<String, Object>>) now.get("members");
			assertThat(members).filteredOn((member) -> "owner".equals(member.get("role"))).hasSize(1);
		}
	}

	@Test
	void refusesBadPortalBodiesInThePortalShape() {
		User owner = TestTokens.user();
		User stranger = TestTokens.user();
		String dataset = (String) data(call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "Kept")), false).get("id");
		String team = (String) data(call(owner, HttpMethod.POST, "/portal/api/create-team", Map.of("name", "Mine")), true)
			.get("id");
		String foreignTeam = (String) data(call(stranger, HttpMethod.POST, "/portal/api/create-team",
				Map.of("name", "Theirs")), true).get("id");
		Map<String, Map<String, Object>> unknownFields = Map.of(
				"/portal/api/update-dataset", Map.of("dataset_id", dataset, "colour", "blue"),
				"/portal/api/delete-dataset", Map.of("dataset_id", dataset, "colour", "blue"),
				"/portal/api/share-dataset", Map.of("dataset_id", dataset, "team_id", team, "colour", "blue"),
				"/portal/api/create-team", Map.of("name", "x", "colour", "blue"),
				"/portal/api/update-team", Map.of("team_id", team, "colour", "blue"));
		unknownFields.forEach((path, body) -> call(owner, HttpMethod.POST, path, body).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.success").isEqualTo(false).jsonPath("$.code").isEqualTo("VALIDATION_ERROR")
			.jsonPath("$.error").value((String error) -> assertThat(error).as(path).contains("colour")));
		for (String path : List.of("/portal/api/update-dataset", "/portal/api/create-team", "/portal/api/share-dataset")) {
			this.client.post().uri(path).headers((h) -> h.setBearerAuth(owner.token()))
				.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\": ").exchange()
				.expectStatus().isBadRequest().expectBody().jsonPath("$.success").isEqualTo(false);
			call(owner, HttpMethod.POST, path + "?dataset_id=" + dataset, List.of("not", "an", "object"))
				.expectStatus().isBadRequest().expectBody().jsonPath("$.code").isEqualTo("VALIDATION_ERROR");
		}
		call(owner, HttpMethod.POST, "/portal/api/create-team", Map.of("name", "n".repeat(201))).expectStatus()
			.isBadRequest().expectBody().jsonPath("$.error").value((String error) -> assertThat(error).contains("name"));
		call(owner, HttpMethod.POST, "/portal/api/update-dataset", Map.of("dataset_id", dataset, "name", "n".repeat(201)))
			.expectStatus().isBadRequest();
		call(owner, HttpMethod.POST, "/portal/api/update-team", Map.of("team_id", "42")).expectStatus().isBadRequest();
		call(owner, HttpMethod.POST, "/portal/api/update-team", Map.of("team_id", team,
				"remove_members", List.of(Map.of("user_id", owner.id().toString()))))
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error").value((String error) -> assertThat(error)
				.contains("remove_members"));
		call(owner, HttpMethod.POST, "/portal/api/update-team", Map.of("team_id", team,
				"update_members", List.of(owner.id().toString())))
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error").value((String error) -> assertThat(error)
				.contains("update_members"));
		call(owner, HttpMethod.POST, "/portal/api/update-team", Map.of("team_id", team,
				"add_members", List.of(owner.id().toString()))).expectStatus().isEqualTo(409)
			.expectBody().jsonPath("$.success").isEqualTo(false);
		// Sharing with a team one is not in.
		call(owner, HttpMethod.POST, "/portal/api/share-dataset", Map.of("dataset_id", dataset, "team_id", foreignTeam))
			.expectStatus().isNotFound().expectBody().jsonPath("$.success").isEqualTo(false);
		call(owner, HttpMethod.GET, "/portal/api/datasets?limit=1000", null).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error").value((String error) -> assertThat(error).contains("limit"));
		// None of it changed the dataset.
		call(owner, HttpMethod.GET, "/portal/api/dataset-details?dataset_id=" + dataset, null).expectStatus().isOk()
			.expectBody().jsonPath("$.data.name").isEqualTo("Kept").jsonPath("$.data.shares.length()").isEqualTo(0);
	}

	private Map<String, Object> data(WebTestClient.ResponseSpec response, boolean enveloped) {
		Map<String, Object> body = response.expectStatus().is2xxSuccessful()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		@SuppressWarnings("unchecked")
		Map<String, Object> data = enveloped ? (Map<String, Object>) body.get("data") : body;
		return data;
	}

	private WebTestClient.ResponseSpec call(User user, HttpMethod method, String path, Object body) {
		WebTestClient.RequestBodySpec request = this.client.method(method).uri(path).headers((h) -> h.setBearerAuth(user.token()));
		return (body != null) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
				: request.exchange();
	}

}
