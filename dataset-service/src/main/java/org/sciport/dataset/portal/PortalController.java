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
import org.sciport.dataset.folders.Folder;
import org.sciport.dataset.folders.FolderService;
import org.sciport.dataset.teams.Paths;
import org.sciport.dataset.teams.Team;
import org.sciport.dataset.teams.TeamService;
import org.sciport.commons.calls.AccountDirectory;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.dataset.web.JsonFields;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
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
			"folder_id", "folder_uuid", "folder", "metadata", "team_uuid", "sensor", "dimensions", "preferred_dashboard",
			"is_public");

	private static final Set<String> SHARE_DATASET = Set.of("dataset_id", "dataset_uuid", "team_id", "team_uuid",
			"team_name", "user_email", "level");

	private static final Set<String> CREATE_TEAM = Set.of("name", "team_name", "members", "emails", "owner_email",
			"parents");

	private static final Set<String> UPDATE_TEAM = Set.of("team_id", "team_uuid", "teamId", "name", "team_name", "newName",
			"add_members", "update_members", "remove_members", "new_member_email", "newMemberEmail", "emails");

	private final DatasetService datasets;

	private final FolderService folders;

	private final TeamService teams;

	private final JsonMapper json;

	private final AccountDirectory directory;

	PortalController(DatasetService datasets, FolderService folders, TeamService teams, JsonMapper json,
			AccountDirectory directory) {
		this.directory = directory;
		this.datasets = datasets;
		this.folders = folders;
		this.teams = teams;
		this.json = json;
	}

	/** The page size of a list that names none, as the portal's documents give it. */
	private static final int DEFAULT_LIMIT = 50;

	/**
	 * The caller's datasets (own and shared): {@code datasets}, {@code total}, {@code page} and
	 * {@code limit} at the top level as the portal's clients read them, and the same in
	 * {@code data} with the pagination. Filters: {@code folder} (a name), {@code team_uuid},
	 * {@code status} in the portal's words, {@code tag}, {@code q}; {@code limit} defaults to 50.
	 */
	@GetMapping("/portal/api/datasets")
	Mono<Map<String, Object>> list(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			MultiValueMap<String, String> portal = exchange.getRequest().getQueryParams();
			PageRequest.requireKnown(portal, List.of("page", "limit", "sort", "order", "status", "tag", "q", "folder",
					"cursor", "team_uuid", "team_id"));
			MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
			copy(portal, query, "page", "page");
			copy(portal, query, "limit", "per_page");
			query.putIfAbsent("per_page", List.of(String.valueOf(DEFAULT_LIMIT)));
			copy(portal, query, "sort", "sort");
			copy(portal, query, "order", "order");
			copy(portal, query, "tag", "tag");
			copy(portal, query, "q", "q");
			copy(portal, query, "cursor", "cursor");
			copy(portal, query, "team_id", "team_id");
			copy(portal, query, "team_uuid", "team_id");
			String status = PortalViews.statusFilter(portal.getFirst("status"));
			if (status != null && !status.isEmpty()) {
				query.set("status", status);
			}
			String folder = portal.getFirst("folder");
			Mono<MultiValueMap<String, String>> resolved = (folder == null || folder.isBlank()) ? Mono.just(query)
					: this.folders.findByName(caller, folder.trim()).map((id) -> {
						query.set("folder_id", id.toString());
						return query;
					}).defaultIfEmpty(noMatch(query));
			if ("".equals(status)) {
				// Datasets are never cancelled (jobs are): nothing matches.
				resolved = resolved.map(PortalController::noMatch);
			}
			return resolved.flatMap((q) -> this.datasets.list(caller, portalQuery(q), Paths.withQuery(exchange)));
		}).map((page) -> listAnswer("Datasets", page));
	}

	/** Public datasets, readable by every signed-in user; {@code page} and {@code limit}. */
	@GetMapping("/portal/api/public-datasets")
	Mono<Map<String, Object>> publicDatasets(ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.listPublic(AccessTokenFilter.requireCaller(exchange),
				portalPage(exchange, DEFAULT_LIMIT), Paths.withQuery(exchange)))
			.map((page) -> listAnswer("Public datasets", page));
	}

	private static Map<String, Object> listAnswer(String message, Page<Dataset> page) {
		List<Map<String, Object>> views = PortalViews.datasets(page.data());
		Map<String, Object> body = answer(message, Map.of("datasets", views, "pagination", portalPagination(page)));
		body.put("datasets", views);
		body.put("total", page.pagination().total());
		body.put("page", page.pagination().page());
		body.put("limit", page.pagination().perPage());
		return body;
	}

	/** The portal's envelope, open for the fields its clients read at the top level. */
	private static Map<String, Object> answer(String message, @Nullable Object data) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("success", true);
		body.put("message", message);
		body.put("data", data);
		return body;
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

	/** {@code page} and {@code limit} (default {@code defaultLimit}), and no other parameter. */
	private static PageRequest portalPage(ServerWebExchange exchange, int defaultLimit) {
		MultiValueMap<String, String> portal = exchange.getRequest().getQueryParams();
		PageRequest.requireKnown(portal, List.of("page", "limit"));
		MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
		copy(portal, query, "page", "page");
		copy(portal, query, "limit", "per_page");
		query.putIfAbsent("per_page", List.of(String.valueOf(defaultLimit)));
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
	Mono<Map<String, Object>> details(ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.get(AccessTokenFilter.requireCaller(exchange), datasetId(exchange, null)))
			.map((dataset) -> withDataset("Dataset details", dataset));
	}

	/** Where the dataset stands: {@code status}, {@code progress_percentage}, {@code message}. */
	@GetMapping("/portal/api/dataset-status")
	Mono<Map<String, Object>> status(ServerWebExchange exchange) {
		return Mono.defer(() -> this.datasets.status(AccessTokenFilter.requireCaller(exchange), datasetId(exchange, null)))
			.map((status) -> {
				Map<String, Object> portal = PortalViews.status(status);
				Map<String, Object> body = answer((String) portal.get("message"), status);
				body.putAll(portal);
				body.put("dataset_uuid", status.datasetId());
				return body;
			});
	}

	/**
	 * The dataset's files, registered as upload-service reports completed uploads, in the
	 * portal's {@code upload} and {@code converted} directories ({@code directory} picks one).
	 */
	@GetMapping("/portal/api/dataset-files")
	Mono<Map<String, Object>> files(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			Paths.only(exchange, "dataset_id", "dataset_uuid", "directory");
			String directory = exchange.getRequest().getQueryParams().getFirst("directory");
			if (directory != null && !directory.equals("upload") && !directory.equals("converted")) {
				throw new ValidationException("directory", "directory must be upload or converted");
			}
			UUID id = datasetId(exchange, null);
			return this.datasets.files(caller, id).map((files) -> {
				Map<String, Object> portal = PortalViews.files(files, directory);
				Map<String, Object> data = new LinkedHashMap<>(portal);
				data.put("dataset_id", id);
				data.put("file_count", ((List<?>) portal.get("files")).size());
				Map<String, Object> body = answer("Dataset files", data);
				body.putAll(portal);
				body.put("dataset_uuid", id);
				return body;
			});
		});
	}

	/**
	 * Changes a dataset's metadata with the portal's fields: {@code tags} as a list or a
	 * comma-separated text, {@code folder} by name (created if missing) or {@code folder_uuid},
	 * {@code team_uuid} (shares it with that team, read-only), {@code dimensions},
	 * {@code preferred_dashboard}, {@code is_public}, {@code sensor}.
	 */
	@PostMapping("/portal/api/update-dataset")
	Mono<Map<String, Object>> update(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			JsonFields.known(body, UPDATE_DATASET);
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			UUID id = datasetId(exchange, body);
			ObjectNode change = ((ObjectNode) body).deepCopy();
			change.remove(List.of("dataset_id", "dataset_uuid", "team_uuid"));
			if (change.has("folder_uuid")) {
				change.set("folder_id", change.remove("folder_uuid"));
			}
			if (change.path("folder").isString() && change.path("folder").asString().isBlank()) {
				change.putNull("folder");
			}
			if (change.path("tags").isString()) {
				change.set("tags", tagList(change.path("tags").asString()));
			}
			UUID team = JsonFields.uuid(body, "team_uuid");
			Mono<Dataset> updated = change.isEmpty() ? this.datasets.get(caller, id) : this.datasets.update(caller, id, change);
			return (team == null) ? updated : updated.then(this.datasets.share(caller, id, team, "read"));
		}).map((dataset) -> withDataset("Dataset updated successfully", dataset));
	}

	@PostMapping("/portal/api/delete-dataset")
	Mono<Map<String, Object>> delete(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			JsonFields.known(body, DATASET_ONLY);
			return this.datasets.delete(AccessTokenFilter.requireCaller(exchange), datasetId(exchange, body));
		})
			.then(Mono.fromSupplier(() -> answer("Dataset deleted successfully", null)));
	}

	private static Map<String, Object> withDataset(String message, Dataset dataset) {
		Map<String, Object> view = PortalViews.dataset(dataset);
		Map<String, Object> body = answer(message, view);
		body.put("dataset", view);
		return body;
	}

	/** Tags as the portal's forms send them: one text, comma-separated. */
	private ArrayNode tagList(String text) {
		ArrayNode tags = this.json.createArrayNode();
		for (String tag : text.split(",")) {
			if (!tag.isBlank()) {
				tags.add(tag.trim());
			}
		}
		return tags;
	}

	@GetMapping("/portal/api/get-folders")
	Mono<Map<String, Object>> folders(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Paths.only(exchange);
			return this.folders.tree(AccessTokenFilter.requireCaller(exchange));
		}).map((tree) -> {
			List<Map<String, Object>> folders = tree.stream().map(PortalController::folder).toList();
			Map<String, Object> body = answer("Folders", Map.of("folders", folders));
			body.put("folders", folders);
			return body;
		});
	}

	@GetMapping("/portal/api/get-teams")
	Mono<Map<String, Object>> teams(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			return this.teams.listMine(caller, portalPage(exchange, PageRequest.MAX_PER_PAGE), Paths.withQuery(exchange));
		}).map((page) -> {
			List<Map<String, Object>> teams = page.data().stream().map(PortalController::team).toList();
			Map<String, Object> body = answer("Teams", Map.of("teams", teams, "pagination", portalPagination(page)));
			body.put("teams", teams);
			return body;
		});
	}

	/** A folder with the portal's {@code uuid}, its sub-folders likewise. */
	private static Map<String, Object> folder(Folder folder) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("uuid", folder.id());
		view.put("id", folder.id());
		view.put("name", folder.name());
		view.put("parent_id", folder.parentId());
		view.put("dataset_count", folder.datasetCount());
		view.put("children", folder.children().stream().map(PortalController::folder).toList());
		view.put("created_at", folder.createdAt());
		view.put("updated_at", folder.updatedAt());
		return view;
	}

	/** A team with the portal's {@code uuid} and {@code team_name}. */
	private static Map<String, Object> team(Team team) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("uuid", team.id());
		view.put("id", team.id());
		view.put("team_name", team.name());
		view.put("name", team.name());
		view.put("members", team.members());
		view.put("created_by", team.createdBy());
		view.put("created_at", team.createdAt());
		view.put("updated_at", team.updatedAt());
		return view;
	}

	@PostMapping("/portal/api/create-team")
	Mono<Map<String, Object>> createTeam(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			JsonFields.known(body, CREATE_TEAM);
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			String name = (text(body, "team_name") != null) ? text(body, "team_name") : text(body, "name");
			if (!strings(body.get("parents"), "parents").isEmpty()) {
				throw new ValidationException("parents", "Teams are not nested here: send no parents");
			}
			String owner = text(body, "owner_email");
			if (owner != null && !owner.isBlank() && !owner.trim().equalsIgnoreCase(caller.email())) {
				throw new PermissionDeniedException("A team is created for yourself: owner_email must be your own address");
			}
			List<Team.Member> byId = members(body.get("members"), "members");
			return byEmail(exchange, strings(body.get("emails"), "emails"), "emails").flatMap((invited) -> {
				List<Team.Member> all = new java.util.ArrayList<>((byId != null) ? byId : List.of());
				invited.stream()
					.filter((id) -> !id.toString().equals(caller.userId()))
					.filter((id) -> all.stream().noneMatch((m) -> m.userId().equals(id)))
					.forEach((id) -> all.add(new Team.Member(id, "member")));
				return this.teams.create(caller, name, all);
			});
		})
			.map((team) -> {
				Map<String, Object> view = team(team);
				Map<String, Object> answer = answer("Team created successfully", view);
				answer.put("team", view);
				return answer;
			});
	}

	@PostMapping("/portal/api/update-team")
	Mono<Map<String, Object>> updateTeam(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			JsonFields.known(body, UPDATE_TEAM);
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			String teamField = body.has("team_uuid") ? "team_uuid" : body.has("teamId") ? "teamId" : "team_id";
			UUID team = Paths.uuid(teamField, required(body, teamField));
			String name = (text(body, "team_name") != null) ? text(body, "team_name")
					: (text(body, "newName") != null) ? text(body, "newName") : text(body, "name");
			List<Team.Member> listed = members(body.get("add_members"), "add_members");
			List<String> emails = new java.util.ArrayList<>(strings(body.get("emails"), "emails"));
			for (String field : new String[] { "new_member_email", "newMemberEmail" }) {
				if (text(body, field) != null && !text(body, field).isBlank()) {
					emails.add(text(body, field));
				}
			}
			List<Team.Member> roles = roles(body.get("update_members"));
			List<UUID> remove = strings(body.get("remove_members"), "remove_members").stream()
				.map((user) -> Paths.uuid("remove_members", user))
				.toList();
			return byEmail(exchange, emails, "new_member_email").flatMap((invited) -> this.teams.get(caller, team)
				.flatMap((current) -> {
					List<Team.Member> add = new java.util.ArrayList<>((listed != null) ? listed : List.of());
					invited.stream()
						.filter((id) -> current.members().stream().noneMatch((m) -> m.userId().equals(id)))
						.filter((id) -> add.stream().noneMatch((m) -> m.userId().equals(id)))
						.forEach((id) -> add.add(new Team.Member(id, "member")));
					return this.teams.update(caller, team, name, add, (roles != null) ? roles : List.of(), remove);
				}));
		}).map((team) -> {
			Map<String, Object> view = team(team);
			Map<String, Object> answer = answer("Team updated successfully", view);
			answer.put("team", view);
			return answer;
		});
	}

	@PostMapping("/portal/api/share-dataset")
	Mono<Map<String, Object>> share(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			JsonFields.known(body, SHARE_DATASET);
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			String level = (text(body, "level") != null) ? text(body, "level") : "read";
			UUID dataset = datasetId(exchange, body);
			String email = text(body, "user_email");
			String teamName = text(body, "team_name");
			String teamField = body.has("team_uuid") ? "team_uuid" : body.has("team_id") ? "team_id" : null;
			int named = ((email != null) ? 1 : 0) + ((teamName != null) ? 1 : 0) + ((teamField != null) ? 1 : 0);
			if (named != 1) {
				throw new ValidationException("team_uuid", "Name exactly one of user_email, team_name and team_uuid");
			}
			if (email != null) {
				return this.directory.idOf(authorization(exchange), email, "user_email")
					.flatMap((user) -> this.datasets.shareWithUser(caller, dataset, user, level));
			}
			Mono<UUID> team = (teamName != null) ? this.teams.mineNamed(caller, teamName)
					: Mono.just(Paths.uuid(teamField, required(body, teamField)));
			return team.flatMap((id) -> this.datasets.share(caller, dataset, id, level));
		}).map((dataset) -> withDataset("Dataset shared successfully", dataset));
	}

	/** The accounts of these email addresses, in order; a 404 for one that has none. */
	private Mono<List<UUID>> byEmail(ServerWebExchange exchange, List<String> emails, String field) {
		if (emails.isEmpty()) {
			return Mono.just(List.of());
		}
		if (emails.size() > 100) {
			return Mono.error(new ValidationException(field, "at most 100 addresses at once"));
		}
		String authorization = authorization(exchange);
		return reactor.core.publisher.Flux.fromIterable(emails)
			.concatMap((email) -> this.directory.idOf(authorization, email, field))
			.distinct()
			.collectList();
	}

	private static String authorization(ServerWebExchange exchange) {
		String header = exchange.getRequest().getHeaders().getFirst(org.springframework.http.HttpHeaders.AUTHORIZATION);
		if (header != null) {
			return header;
		}
		String token = exchange.getRequest().getHeaders().getFirst(AccessTokenFilter.ACCESS_TOKEN_HEADER);
		return (token != null) ? "Bearer " + token : "";
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
				throw new ValidationException(field, field + " must be a list of strings");
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

		/** Where people named by email are looked up. */
		@Bean
		AccountDirectory accountDirectory(
				@org.springframework.beans.factory.annotation.Value("${sciport.dataset.auth-service:http://127.0.0.1:8081}") java.net.URI authService,
				org.springframework.web.reactive.function.client.WebClient.Builder client,
				org.sciport.commons.calls.ServiceCalls calls) {
			return new AccountDirectory(authService, client, calls);
		}

	}

}
