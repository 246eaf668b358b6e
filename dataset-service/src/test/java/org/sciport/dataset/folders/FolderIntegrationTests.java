package org.sciport.dataset.folders;

import java.util.HashMap;
import java.util.Map;

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

/**
 * Each user's folder tree: create, nest, rename, move, delete, and what may not be done.
 */
@DatasetServiceIntegrationTest
class FolderIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "dataset_folders");
	}

	@Autowired
	WebTestClient client;

	@Test
	void buildsATreeAndKeepsDatasetsWhenAFolderGoes() {
		User owner = TestTokens.user();
		String projects = id(call(owner, HttpMethod.POST, "/v1/folders", Map.of("name", "Projects")).expectStatus().isCreated());
		String chess = id(call(owner, HttpMethod.POST, "/v1/folders", Map.of("name", "CHESS_4D", "parent_id", projects))
			.expectStatus().isCreated());
		call(owner, HttpMethod.POST, "/v1/folders", Map.of("name", "chess_4d", "parent_id", projects))
			.expectStatus().isEqualTo(409);
		String dataset = id(call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "Run 7", "folder_id", chess))
			.expectStatus().isCreated());
		call(owner, HttpMethod.GET, "/v1/folders", null).expectStatus().isOk()
			.expectBody()
			.jsonPath("$.data[0].name").isEqualTo("Projects")
			.jsonPath("$.data[0].children[0].name").isEqualTo("CHESS_4D")
			.jsonPath("$.data[0].children[0].dataset_count").isEqualTo(1);
		call(owner, HttpMethod.GET, "/v1/datasets?folder_id=" + chess, null).expectStatus().isOk()
			.expectBody().jsonPath("$.data[0].id").isEqualTo(dataset);

		// Rename and move to the top; a folder cannot go below itself.
		call(owner, HttpMethod.PATCH, "/v1/folders/" + chess, Map.of("name", "CHESS 4D")).expectStatus().isOk()
			.expectBody().jsonPath("$.name").isEqualTo("CHESS 4D");
		call(owner, HttpMethod.PATCH, "/v1/folders/" + projects, Map.of("parent_id", chess)).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("parent_id");
		Map<String, Object> toTop = new HashMap<>();
		toTop.put("parent_id", null);
		call(owner, HttpMethod.PATCH, "/v1/folders/" + chess, toTop).expectStatus().isOk()
			.expectBody().jsonPath("$.parent_id").doesNotExist();
		call(owner, HttpMethod.PATCH, "/v1/folders/" + chess, Map.of("parent_id", projects)).expectStatus().isOk();

		// Not empty: needs force; then the dataset survives at the top.
		call(owner, HttpMethod.DELETE, "/v1/folders/" + projects, null).expectStatus().isEqualTo(409);
		call(owner, HttpMethod.DELETE, "/v1/folders/" + projects + "?force=true", null).expectStatus().isNoContent();
		call(owner, HttpMethod.GET, "/v1/folders", null).expectBody().jsonPath("$.data.length()").isEqualTo(0);
		call(owner, HttpMethod.GET, "/v1/datasets/" + dataset, null).expectStatus().isOk()
			.expectBody().jsonPath("$.folder_id").doesNotExist().jsonPath("$.name").isEqualTo("Run 7");
	}

	@Test
	void foldersArePrivateToTheirOwner() {
		User owner = TestTokens.user();
		User other = TestTokens.user();
		String folder = id(call(owner, HttpMethod.POST, "/v1/folders", Map.of("name", "Mine")).expectStatus().isCreated());
		call(other, HttpMethod.PATCH, "/v1/folders/" + folder, Map.of("name", "Ours")).expectStatus().isNotFound();
		call(other, HttpMethod.DELETE, "/v1/folders/" + folder + "?force=true", null).expectStatus().isNotFound();
		call(other, HttpMethod.POST, "/v1/folders", Map.of("name", "Inside", "parent_id", folder)).expectStatus()
			.isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("parent_id");
		call(other, HttpMethod.POST, "/v1/datasets", Map.of("name", "x", "folder_id", folder)).expectStatus().isBadRequest();
		call(other, HttpMethod.GET, "/v1/folders", null).expectBody().jsonPath("$.data.length()").isEqualTo(0);
		call(owner, HttpMethod.POST, "/v1/folders", Map.of("name", "a/b")).expectStatus().isBadRequest();
		call(owner, HttpMethod.POST, "/v1/folders", Map.of("name", "x", "colour", "red")).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("colour");
	}

	private String id(WebTestClient.ResponseSpec response) {
		return (String) response.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
		}).returnResult().getResponseBody().get("id");
	}

	private WebTestClient.ResponseSpec call(User user, HttpMethod method, String path, Object body) {
		WebTestClient.RequestBodySpec request = this.client.method(method).uri(path).headers((h) -> h.setBearerAuth(user.token()));
		return (body != null) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
				: request.exchange();
	}

}
