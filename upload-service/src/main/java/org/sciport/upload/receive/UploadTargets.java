package org.sciport.upload.receive;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.calls.ServiceCalls;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.commons.error.ServiceUnavailableException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.upload.UploadProperties;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Where an upload may go, as dataset-service decides it: the caller's credentials are passed on
 * unchanged, so dataset-service applies its own permission rules to the caller. An existing
 * dataset must be writable by the caller (invisible is 404, read-only is 403); a new dataset is
 * created on the caller's behalf; a project must be the caller's.
 */
@Component
public class UploadTargets {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final WebClient client;

	private final ServiceCalls.Guard catalogue;

	UploadTargets(UploadProperties properties, WebClient.Builder client, ServiceCalls calls) {
		// Boot's builder: the call carries the request's trace and is measured.
		this.client = client.baseUrl(properties.datasetService().toString()).build();
		this.catalogue = calls.to("dataset-service", TIMEOUT);
	}

	/**
	 * The dataset an upload goes into: {@code datasetId} if given and writable, otherwise a new
	 * dataset called {@code datasetName} (in {@code folderId}, if given).
	 */
	public Mono<UUID> dataset(ServerHttpRequest request, @Nullable String datasetId, @Nullable String datasetName,
			@Nullable String folderId) {
		if (datasetId != null && !datasetId.isBlank()) {
			UUID id = uuid(datasetId, "dataset_id");
			return this.client.get()
				.uri("/v1/datasets/{id}", id)
				.headers((headers) -> credentials(request, headers))
				.exchangeToMono((response) -> readOrFail(response, "dataset_id", "No such dataset"))
				.map((dataset) -> {
					if ("read".equals(dataset.path("access").asString(""))) {
						throw new PermissionDeniedException("You may read this dataset but not upload into it");
					}
					return id;
				})
				.transform(this::guarded);
		}
		if (datasetName == null || datasetName.isBlank()) {
			throw new ValidationException("dataset_name", "dataset_name or dataset_id is required");
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", datasetName);
		if (folderId != null && !folderId.isBlank()) {
			body.put("folder_id", uuid(folderId, "folder_id").toString());
		}
		return this.client.post()
			.uri("/v1/datasets")
			.headers((headers) -> credentials(request, headers))
			.bodyValue(body)
			.exchangeToMono((response) -> readOrFail(response, "dataset_name", "No such folder"))
			.map((dataset) -> UUID.fromString(dataset.path("id").asString()))
			.transform(this::guarded);
	}

	/** Completes if the caller may upload into the project, errors otherwise. */
	public Mono<Void> project(ServerHttpRequest request, String projectId) {
		return this.client.get()
			.uri("/v1/projects/{id}", projectId)
			.headers((headers) -> credentials(request, headers))
			.exchangeToMono((response) -> readOrFail(response, "project_id", "No such project"))
			.then()
			.transform(this::guarded);
	}

	private static Mono<JsonNode> readOrFail(ClientResponse response, String field, String notFound) {
		HttpStatusCode status = response.statusCode();
		if (status.is2xxSuccessful()) {
			return response.bodyToMono(JsonNode.class);
		}
		return response.bodyToMono(JsonNode.class).defaultIfEmpty(tools.jackson.databind.node.NullNode.getInstance())
			.flatMap((body) -> {
				String message = body.path("error").path("message").asString("");
				if (status.value() == HttpStatus.NOT_FOUND.value()) {
					return Mono.error(new NotFoundException(notFound));
				}
				if (status.value() == HttpStatus.FORBIDDEN.value()) {
					return Mono.error(new PermissionDeniedException(message.isEmpty() ? "Not permitted" : message));
				}
				if (status.value() == HttpStatus.BAD_REQUEST.value()) {
					String named = body.path("error").path("field").asString("");
					return Mono.error(new ValidationException(named.equals("name") || named.isEmpty() ? field : named,
							message.isEmpty() ? "Invalid " + field : message));
				}
				return Mono.error(new ServiceUnavailableException("The catalogue could not be reached"));
			});
	}

	private <T> Mono<T> guarded(Mono<T> call) {
		return this.catalogue.guard(call);
	}

	private static void credentials(ServerHttpRequest request, HttpHeaders headers) {
		String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
		if (authorization != null) {
			headers.set(HttpHeaders.AUTHORIZATION, authorization);
		}
		String accessToken = request.getHeaders().getFirst(AccessTokenFilter.ACCESS_TOKEN_HEADER);
		if (accessToken != null) {
			headers.set(AccessTokenFilter.ACCESS_TOKEN_HEADER, accessToken);
		}
		String requestId = request.getHeaders().getFirst("X-Request-Id");
		if (requestId != null) {
			headers.set("X-Request-Id", requestId);
		}
	}

	static UUID uuid(String value, String field) {
		try {
			return UUID.fromString(value.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException(field, field + " is not a valid id");
		}
	}

}
