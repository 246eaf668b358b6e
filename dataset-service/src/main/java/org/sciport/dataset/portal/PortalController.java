package org.sciport.dataset.portal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ErrorRenderer;
import org.sciport.commons.error.PortalErrorRenderer;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.page.Page;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.sciport.dataset.catalogue.Dataset;
import org.sciport.dataset.catalogue.DatasetQuery;
import org.sciport.dataset.catalogue.DatasetService;
import org.sciport.dataset.folders.FolderService;
import org.sciport.dataset.teams.Paths;
import org.sciport.dataset.teams.Team;
import org.sciport.dataset.teams.TeamService;
import org.sciport.dataset.web.JsonFields;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
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

	private static final Set<String> DATASET_ONLY = Set.of("dataset_id", "dataset_uuid");

	private static final Set<String> UPDATE_DATASET = Set.of("dataset_id", "dataset_uuid", "name", "description", "tags",
			"folder_id", "metadata");

	private static final Set<String> SHARE_DATASET = Set.of("dataset_id", "dataset_uuid", "team_id", "level");

	private static final Set<String> CREATE_TEAM = Set.of("name", "members");

	private static final Set<String> UPDATE_TEAM = Set.of("team_id", "name", "add_members", "update_members",
			"remove_members");

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
		copy(portal, query, "cursor", "cursor");
		PageRequest.requireKnown(portal, List.of("page", "limit", "sort", "order", "status", "tag", "q", "folder", "cursor"));
		String folder = portal.getFirst("folder");
		Mono<MultiValueMap<String, String>> resolved = (folder == null || folder.isBlank()) ? Mono.just(query)
				: this.folders.findByName(caller, folder.trim()).map((id) -> {
					query.set("folder_id", id.toString());
					return query;
				}).defaultIfEmpty(noMatch(query));
		return resolved.flatMap((q) -> this.datasets.list(caller, portalQuery(q), Paths.withQuery(exchange)))
			.map((page) -> new Envelope(true, "Datasets", Map.of("datasets", page.data(), "pagination", portalPagination(page))));
	}

	/** A page in the portal's terms: {@code limit} for the page size. */
	private static Map<String, Object> portalPagination(Page<?> page) {
		Map<String, Object> pagination = new LinkedHashMap<>();
		pagination.put("page", page.pagination().page());
		pagination.put("limit", page.pagination().perPage());
		pagination.put("total", page.pagination().total());
		pagination.put("pages", page.pagination().totalPages());
		if (page.pagination().nextCursor() != null) {
			pagination.put("next_cursor", page.pagination().nextCursor());
		}
		return pagination;
	}

	/** {@code page} and {@code limit} (default 100 here), and no other parameter. */
	private static PageRequest portalPage(ServerWebExchange exchange) {
		MultiValueMap<String, String> portal = exchange.getRequest().getQueryParams();
		PageRequest.requireKnown(portal, List.of("page", "limit"));
		MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
		copy(portal, query, "page", "page");
		copy(portal, query, "limit", "per_page");
		query.putIfAbsent("per_page", List.of(String.valueOf(PageRequest.MAX_PER_PAGE)));
		return inPortalTerms(() -> PageRequest.from(query));
	}

	/** The native list query, in the portal's terms. */
	private static DatasetQuery portalQuery(MultiValueMap<String, String> query) {
		return inPortalTerms(() -> DatasetQuery.from(query));
	}

	/** What the portal calls {@code limit} is named so in the errors of a native read. */
	private static <T> T inPortalTerms(java.util.function.Supplier<T> read) {
		try {
			return read.get();
		}
		catch (ValidationException ex) {
			if ("per_page".equals(ex.field())) {
				throw new ValidationException("limit", ex.getMessage().replace("per_page", "limit"));
			}
			throw ex;
		}
	}

	@GetMapping("/portal/api/dataset-details")
	Mono<Envelope> details(ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.get(AccessTokenFilter.requireCaller(exchange), datasetId(exchange, null)))
			.map((dataset) -> new Envelope(true, "Dataset details", dataset));
	}

	@GetMapping("/portal/api/dataset-status")
	Mono<Envelope> status(ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.status(AccessTokenFilter.requireCaller(exchange), datasetId(exchange, null)))
			.map((status) -> new Envelope(true, "Dataset status", status));
	}

	/** The dataset's files, registered as upload-service reports completed uploads. */
	@GetMapping("/portal/api/dataset-files")
	Mono<Envelope> files(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			Paths.only(exchange, "dataset_id", "dataset_uuid");
			UUID id = datasetId(exchange, null);
			return this.datasets.files(caller, id)
				.map((files) -> new Envelope(true, "Dataset files",
						Map.of("dataset_id", id, "files", files, "file_count", files.size())));
		});
	}

	@PostMapping("/portal/api/update-dataset")
	Mono<Envelope> update(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			JsonFields.known(body, UPDATE_DATASET);
			UUID id = datasetId(exchange, body);
			ObjectNode change = ((ObjectNode) body).deepCopy();
			change.remove(List.of("dataset_id", "dataset_uuid"));
			return this.datasets.update(AccessTokenFilter.requireCaller(exchange), id, change);
		}).map((dataset) -> new Envelope(true, "Dataset updated", dataset));
	}

	@PostMapping("/portal/api/delete-dataset")
	Mono<Envelope> delete(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			JsonFields.known(body, DATASET_ONLY);
			return this.datasets.delete(AccessTokenFilter.requireCaller(exchange), datasetId(exchange, body));
		})
			.thenReturn(new Envelope(true, "Dataset deleted", null));
	}

	@GetMapping("/portal/api/get-folders")
	Mono<Envelope> folders(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Paths.only(exchange);
			return this.folders.tree(AccessTokenFilter.requireCaller(exchange));
		}).map((tree) -> new Envelope(true, "Folders", Map.of("folders", tree)));
	}

	@GetMapping("/portal/api/get-teams")
	Mono<Envelope> teams(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			return this.teams.listMine(caller, portalPage(exchange), Paths.withQuery(exchange));
		}).map((page) -> new Envelope(true, "Teams", Map.of("teams", page.data(), "pagination", portalPagination(page))));
	}

	@PostMapping("/portal/api/create-team")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Envelope> createTeam(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			JsonFields.known(body, CREATE_TEAM);
			return this.teams.create(AccessTokenFilter.requireCaller(exchange), text(body, "name"),
					members(body.get("members"), "members"));
		})
			.map((team) -> new Envelope(true, "Team created", team));
	}

	@PostMapping("/portal/api/update-team")
	Mono<Envelope> updateTeam(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			JsonFields.known(body, UPDATE_TEAM);
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			UUID team = Paths.uuid("team_id", required(body, "team_id"));
			List<Team.Member> add = members(body.get("add_members"), "add_members");
			List<Team.Member> roles = roles(body.get("update_members"));
			List<UUID> remove = strings(body.get("remove_members"), "remove_members").stream()
				.map((user) -> Paths.uuid("remove_members", user))
				.toList();
			return this.teams.update(caller, team, text(body, "name"), (add != null) ? add : List.of(),
					(roles != null) ? roles : List.of(), remove);
		}).map((team) -> new Envelope(true, "Team updated", team));
	}

	@PostMapping("/portal/api/share-dataset")
	Mono<Envelope> share(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			JsonFields.known(body, SHARE_DATASET);
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

	private static @Nullable List<Team.Member> members(@Nullable JsonNode members, String field) {
		if (members == null || members.isNull()) {
			return null;
		}
		if (!members.isArray()) {
			throw new ValidationException(field, field + " must be a list");
		}
		List<Team.Member> list = new java.util.ArrayList<>();
		for (JsonNode member : members) {
			if (member.isString()) {
				list.add(new Team.Member(Paths.uuid(field, member.asString()), "member"));
			}
			else if (member.isObject() && member.path("user_id").isString()) {
				list.add(new Team.Member(Paths.uuid(field, member.path("user_id").asString()),
						member.path("role").isString() ? member.path("role").asString() : "member"));
			}
			else {
				throw new ValidationException(field, "each member is a user id or {user_id, role}");
			}
		}
		return list;
	}

	/** Role changes: each {@code {user_id, role}}, the role named. */
	private static @Nullable List<Team.Member> roles(@Nullable JsonNode changes) {
		if (changes == null || changes.isNull()) {
			return null;
		}
		if (!changes.isArray()) {
			throw new ValidationException("update_members", "update_members must be a list");
		}
		List<Team.Member> list = new java.util.ArrayList<>();
		for (JsonNode change : changes) {
			if (!change.isObject() || !change.path("user_id").isString() || !change.path("role").isString()) {
				throw new ValidationException("update_members", "each entry of update_members is {user_id, role}");
			}
			list.add(new Team.Member(Paths.uuid("update_members", change.path("user_id").asString()),
					change.path("role").asString()));
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
		for (JsonNode value : values) {
			if (!value.isString()) {
				throw new ValidationException(field, field + " must be a list of user ids");
			}
			list.add(value.asString());
		}
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
