package org.sciport.dataset.portal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ErrorRenderer;
import org.sciport.commons.error.PortalErrorRenderer;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.sciport.dataset.catalogue.Dataset;
import org.sciport.dataset.catalogue.DatasetService;
import org.sciport.dataset.folders.FolderService;
import org.sciport.dataset.teams.Paths;
import org.sciport.dataset.teams.Team;
import org.sciport.dataset.teams.TeamService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The portal's dataset, folder and team endpoints. Answers are wrapped as
 * {@code {success, message, data}}; errors as {@code {success: false, error, code}}. A dataset
 * is named by {@code dataset_id} or {@code dataset_uuid} (query or body), a team by
 * {@code team_id}; lists take {@code page} and {@code limit}, {@code folder} (a folder name),
 * {@code sort} and {@code order}.
 */
@RestController
class PortalController {

	private final DatasetService datasets;

	private final FolderService folders;

	private final TeamService teams;

	private final JsonMapper json;

	PortalController(DatasetService datasets, FolderService folders, TeamService teams, JsonMapper json) {
		this.datasets = datasets;
		this.folders = folders;
		this.teams = teams;
		this.json = json;
	}

	/**
	 * The portal's envelope.
	 *
	 * @param success always {@code true} here
	 * @param message what happened
	 * @param data the payload
	 */
	record Envelope(boolean success, String message, @Nullable Object data) {
	}

	@GetMapping("/portal/api/datasets")
	Mono<Envelope> list(ServerWebExchange exchange) {
		Caller caller = AccessTokenFilter.requireCaller(exchange);
		MultiValueMap<String, String> portal = exchange.getRequest().getQueryParams();
		MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
		copy(portal, query, "page", "page");
		copy(portal, query, "limit", "per_page");
		copy(portal, query, "sort", "sort");
		copy(portal, query, "order", "order");
		copy(portal, query, "status", "status");
		copy(portal, query, "tag", "tag");
		copy(portal, query, "q", "q");
		for (String name : portal.keySet()) {
			if (!List.of("page", "limit", "sort", "order", "status", "tag", "q", "folder").contains(name)) {
				return Mono.error(new ValidationException(name, "unknown parameter '" + name + "'"));
			}
		}
		String folder = portal.getFirst("folder");
		Mono<MultiValueMap<String, String>> resolved = (folder == null || folder.isBlank()) ? Mono.just(query)
				: this.folders.findByName(caller, folder.trim()).map((id) -> {
					query.set("folder_id", id.toString());
					return query;
				}).defaultIfEmpty(noMatch(query));
		return resolved.flatMap((q) -> this.datasets.list(caller, org.sciport.dataset.catalogue.DatasetQuery.from(q),
				Paths.withQuery(exchange)))
			.map((page) -> {
				Map<String, Object> pagination = new LinkedHashMap<>();
				pagination.put("page", page.pagination().page());
				pagination.put("limit", page.pagination().perPage());
				pagination.put("total", page.pagination().total());
				pagination.put("pages", page.pagination().totalPages());
				return new Envelope(true, "Datasets", Map.of("datasets", page.data(), "pagination", pagination));
			});
	}

	@GetMapping("/portal/api/dataset-details")
	Mono<Envelope> details(ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.get(AccessTokenFilter.requireCaller(exchange), datasetId(exchange, null)))
			.map((dataset) -> new Envelope(true, "Dataset details", dataset));
	}

	@GetMapping("/portal/api/dataset-status")
	Mono<Envelope> status(ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.get(AccessTokenFilter.requireCaller(exchange), datasetId(exchange, null)))
			.map((dataset) -> new Envelope(true, "Dataset status",
					Map.of("dataset_id", dataset.id(), "status", dataset.status(), "updated_at", dataset.updatedAt())));
	}

	/** The dataset's files, registered as upload-service reports completed uploads. */
	@GetMapping("/portal/api/dataset-files")
	Mono<Envelope> files(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			UUID id = datasetId(exchange, null);
			return this.datasets.files(caller, id)
				.map((files) -> new Envelope(true, "Dataset files",
						Map.of("dataset_id", id, "files", files, "file_count", files.size())));
		});
	}

	@PostMapping("/portal/api/update-dataset")
	Mono<Envelope> update(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			UUID id = datasetId(exchange, body);
			ObjectNode change = ((ObjectNode) body).deepCopy();
			change.remove(List.of("dataset_id", "dataset_uuid"));
			return this.datasets.update(AccessTokenFilter.requireCaller(exchange), id, change);
		}).map((dataset) -> new Envelope(true, "Dataset updated", dataset));
	}

	@PostMapping("/portal/api/delete-dataset")
	Mono<Envelope> delete(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.delete(AccessTokenFilter.requireCaller(exchange), datasetId(exchange, body)))
			.thenReturn(new Envelope(true, "Dataset deleted", null));
	}

	@GetMapping("/portal/api/get-folders")
	Mono<Envelope> folders(ServerWebExchange exchange) {
		return this.folders.tree(AccessTokenFilter.requireCaller(exchange))
			.map((tree) -> new Envelope(true, "Folders", Map.of("folders", tree)));
	}

	@GetMapping("/portal/api/get-teams")
	Mono<Envelope> teams(ServerWebExchange exchange) {
		Caller caller = AccessTokenFilter.requireCaller(exchange);
		return this.teams.listMine(caller, new org.sciport.commons.page.PageRequest(1, 100), "/v1/teams")
			.map((page) -> new Envelope(true, "Teams", Map.of("teams", page.data())));
	}

	@PostMapping("/portal/api/create-team")
	Mono<Envelope> createTeam(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.teams.create(AccessTokenFilter.requireCaller(exchange), text(body, "name"),
				members(body.get("members"))))
			.map((team) -> new Envelope(true, "Team created", team));
	}

	@PostMapping("/portal/api/update-team")
	Mono<Envelope> updateTeam(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			UUID team = Paths.uuid("team_id", required(body, "team_id"));
			String name = text(body, "name");
			Mono<Team> renamed = (name != null) ? this.teams.rename(caller, team, name) : this.teams.get(caller, team);
			List<Team.Member> add = members(body.get("add_members"));
			List<String> remove = strings(body.get("remove_members"), "remove_members");
			return renamed.thenMany(Flux.fromIterable((add != null) ? add : List.<Team.Member>of())
				.concatMap((member) -> this.teams.addMember(caller, team, member)))
				.thenMany(Flux.fromIterable(remove)
					.concatMap((user) -> this.teams.removeMember(caller, team, Paths.uuid("remove_members", user))))
				.then(this.teams.get(caller, team));
		}).map((team) -> new Envelope(true, "Team updated", team));
	}

	@PostMapping("/portal/api/share-dataset")
	Mono<Envelope> share(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			String level = (text(body, "level") != null) ? text(body, "level") : "read";
			return this.datasets.share(AccessTokenFilter.requireCaller(exchange), datasetId(exchange, body),
					Paths.uuid("team_id", required(body, "team_id")), level);
		}).map((dataset) -> new Envelope(true, "Dataset shared", dataset));
	}

	private static UUID datasetId(ServerWebExchange exchange, @Nullable JsonNode body) {
		String value = exchange.getRequest().getQueryParams().getFirst("dataset_id");
		if (value == null) {
			value = exchange.getRequest().getQueryParams().getFirst("dataset_uuid");
		}
		if (value == null && body != null) {
			value = (body.path("dataset_id").isString()) ? body.path("dataset_id").asString()
					: (body.path("dataset_uuid").isString() ? body.path("dataset_uuid").asString() : null);
		}
		if (value == null || value.isBlank()) {
			throw new ValidationException("dataset_id", "dataset_id (or dataset_uuid) is required");
		}
		return Paths.uuid("dataset_id", value.trim());
	}

	private static @Nullable String text(JsonNode body, String field) {
		JsonNode value = body.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw new ValidationException(field, field + " must be a string");
		}
		return value.asString();
	}

	private static String required(JsonNode body, String field) {
		String value = text(body, field);
		if (value == null || value.isBlank()) {
			throw new ValidationException(field, field + " is required");
		}
		return value;
	}

	private static @Nullable List<Team.Member> members(@Nullable JsonNode members) {
		if (members == null || members.isNull()) {
			return null;
		}
		if (!members.isArray()) {
			throw new ValidationException("members", "members must be a list");
		}
		List<Team.Member> list = new java.util.ArrayList<>();
		for (JsonNode member : members) {
			if (member.isString()) {
				list.add(new Team.Member(Paths.uuid("members", member.asString()), "member"));
			}
			else if (member.isObject() && member.path("user_id").isString()) {
				list.add(new Team.Member(Paths.uuid("members", member.path("user_id").asString()),
						member.path("role").isString() ? member.path("role").asString() : "member"));
			}
			else {
				throw new ValidationException("members", "each member is a user id or {user_id, role}");
			}
		}
		return list;
	}

	private static List<String> strings(@Nullable JsonNode values, String field) {
		if (values == null || values.isNull()) {
			return List.of();
		}
		if (!values.isArray()) {
			throw new ValidationException(field, field + " must be a list");
		}
		List<String> list = new java.util.ArrayList<>();
		values.forEach((value) -> list.add(value.asString()));
		return list;
	}

	private static void copy(MultiValueMap<String, String> from, MultiValueMap<String, String> to, String name,
			String as) {
		String value = from.getFirst(name);
		if (value != null) {
			to.set(as, value);
		}
	}

	private static MultiValueMap<String, String> noMatch(MultiValueMap<String, String> query) {
		// No folder of that name: a filter nothing matches.
		query.set("folder_id", new UUID(0, 0).toString());
		return query;
	}

	/**
	 * Errors on the portal's paths in the portal's shape.
	 */
	@Configuration(proxyBeanMethods = false)
	static class PortalErrors {

		@Bean
		ErrorRenderer portalErrors() {
			return new PortalErrorRenderer("/portal/api/");
		}

	}

}
