package org.sciport.upload.receive;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.calls.AccountDirectory;
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

	private final AccountDirectory accounts;

	UploadTargets(UploadProperties properties, WebClient.Builder client, ServiceCalls calls) {
		// Boot's builder: the call carries the request's trace and is measured.
		this.client = client.clone().baseUrl(properties.datasetService().toString()).build();
		this.catalogue = calls.to("dataset-service", TIMEOUT);
		this.accounts = new AccountDirectory(properties.authService(), client.clone(), calls);
	}

	/**
	 * The account an upload is for: the caller's, or, when the form names another address
	 * ({@code user_email}), that account, which only an administrator may choose.
	 */
	public Mono<UUID> uploader(ServerHttpRequest request, org.sciport.commons.security.Caller caller,
			@Nullable String email) {
		UUID self = UUID.fromString(caller.userId());
		if (email == null || email.isBlank() || email.trim().equalsIgnoreCase(caller.email())) {
			return Mono.just(self);
		}
		if (!caller.isAdmin()) {
			return Mono.error(new PermissionDeniedException(
					"user_email must be your own address (or be left out: the token says who uploads)"));
		}
		String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
		return this.accounts.idOf((authorization != null) ? authorization : "", email, "user_email");
	}

	/**
	 * What a new dataset is created with, as an upload's fields give it.
	 *
	 * @param name its name
	 * @param folderId a folder of the caller's, by id
	 * @param folder a folder by name, created if the caller has none of that name
	 * @param sensor the instrument's sensor type
	 * @param isPublic whether every signed-in user may read it
	 * @param tags its tags
	 * @param teamId a team of the caller's to share it with, read-only
	 * @param ownerId the account it is created for, when an administrator uploads in its name
	 */
	public record NewDataset(@Nullable String name, @Nullable String folderId, @Nullable String folder,
			@Nullable String sensor, @Nullable Boolean isPublic, @Nullable List<String> tags, @Nullable String teamId,
			@Nullable UUID ownerId) {

		public static NewDataset named(@Nullable String name, @Nullable String folderId) {
			return new NewDataset(name, folderId, null, null, null, null, null, null);
		}

	}

	/**
	 * The dataset an upload goes into.
	 *
	 * @param id its id
	 * @param name its name
	 */
	public record Target(UUID id, String name) {
	}

	/**
	 * The dataset an upload goes into: {@code datasetId} if given and writable, otherwise a new
	 * dataset called {@code datasetName} (in {@code folderId}, if given).
	 */
	public Mono<UUID> dataset(ServerHttpRequest request, @Nullable String datasetId, @Nullable String datasetName,
			@Nullable String folderId) {
		return target(request, datasetId, NewDataset.named(datasetName, folderId)).map(Target::id);
	}

	/**
	 * The dataset an upload goes into: {@code datasetId} if given and writable by the caller
	 * (invisible is 404, read-only 403), otherwise a new one made from {@code fresh}.
	 */
	public Mono<Target> target(ServerHttpRequest request, @Nullable String datasetId, NewDataset fresh) {
		if (datasetId != null && !datasetId.isBlank()) {
			UUID id = uuid(datasetId, "dataset_id");
			return this.client.get()
				.uri("/v1/datasets/{id}", id)
				.headers((headers) -> credentials(request, headers))
				.exchangeToMono((response) -> readOrFail(response, "dataset_id", "Dataset not found"))
				.map((dataset) -> {
					String access = dataset.path("access").asString("");
					if (!access.equals("owner") && !access.equals("write") && !access.equals("admin")) {
						throw new PermissionDeniedException("You may read this dataset but not upload into it");
					}
					return new Target(id, dataset.path("name").asString(""));
				})
				.transform(this::guarded);
		}
		if (fresh.name() == null || fresh.name().isBlank()) {
			throw new ValidationException("dataset_name", "dataset_name or dataset_id is required");
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", fresh.name());
		if (fresh.folderId() != null && !fresh.folderId().isBlank()) {
			body.put("folder_id", uuid(fresh.folderId(), "folder_id").toString());
		}
		else if (fresh.folder() != null && !fresh.folder().isBlank()) {
			body.put("folder", fresh.folder().trim());
		}
		if (fresh.sensor() != null && !fresh.sensor().isBlank()) {
			body.put("sensor", fresh.sensor().trim());
		}
		if (fresh.isPublic() != null) {
			body.put("is_public", fresh.isPublic());
		}
		if (fresh.tags() != null && !fresh.tags().isEmpty()) {
			body.put("tags", fresh.tags());
		}
		if (fresh.teamId() != null && !fresh.teamId().isBlank()) {
			body.put("team_id", uuid(fresh.teamId(), "team_uuid").toString());
		}
		if (fresh.ownerId() != null) {
			body.put("owner_id", fresh.ownerId().toString());
		}
		return this.client.post()
			.uri("/v1/datasets")
			.headers((headers) -> credentials(request, headers))
			.bodyValue(body)
			.exchangeToMono((response) -> readOrFail(response, "dataset_name", "No such team among yours"))
			.map((dataset) -> new Target(UUID.fromString(dataset.path("id").asString()), dataset.path("name").asString()))
			.transform(this::guarded);
	}

	/** Completes if the caller may read the dataset; a 404 ({@code DATASET_NOT_FOUND}) if not. */
	public Mono<Void> readable(ServerHttpRequest request, UUID datasetId) {
		return this.client.get()
			.uri("/v1/datasets/{id}", datasetId)
			.headers((headers) -> credentials(request, headers))
			.exchangeToMono((response) -> readOrFail(response, "dataset_id", "Dataset not found"))
			.then()
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
					return Mono.error("dataset_id".equals(field) ? NotFoundException.of("dataset", notFound)
							: new NotFoundException(notFound));
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
		// A service reading as a user (checked by this service's filter) asks as that user too.
		String actingFor = request.getHeaders().getFirst(AccessTokenFilter.ACTING_FOR_HEADER);
		if (actingFor != null) {
			headers.set(AccessTokenFilter.ACTING_FOR_HEADER, actingFor);
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
