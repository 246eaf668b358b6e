package org.sciport.workflow;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.sciport.testsupport.TestTokens.User;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * Seed 004's calls as its clients make them ({@code x-access-token}), for the tests of Nextflow
 * projects.
 */
final class ProjectCalls {

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private final WebTestClient client;

	ProjectCalls(WebTestClient client) {
		this.client = client;
	}

	WebTestClient.ResponseSpec get(User user, String path) {
		return this.client.get().uri(path).header("x-access-token", user.token()).exchange();
	}

	WebTestClient.ResponseSpec post(User user, String path, Map<String, Object> body) {
		return this.client.post().uri(path).header("x-access-token", user.token()).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body).exchange();
	}

	/** A new project of {@code user}'s; its id. */
	@SuppressWarnings("unchecked")
	int create(User user, String name) {
		return (Integer) ((Map<String, Object>) post(user, "/api/projects/create", Map.of("name", name)).expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody().get("project")).get("id");
	}

	/** {@code upload-file} of a file named {@code filename} into {@code directory}. */
	WebTestClient.ResponseSpec upload(User user, int id, String directory, String filename, String content) {
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("file", new ByteArrayResource(content.getBytes(StandardCharsets.UTF_8)) {
			@Override
			public String getFilename() {
				return filename;
			}
		});
		form.part("directory", directory);
		return this.client.post().uri("/api/projects/" + id + "/upload-file").header("x-access-token", user.token())
			.contentType(MediaType.MULTIPART_FORM_DATA).body(BodyInserters.fromMultipartData(form.build())).exchange();
	}

}
