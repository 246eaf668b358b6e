package org.sciport.dataset.catalogue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.event.CatalogueEvents;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.page.Page;
import org.sciport.commons.security.Caller;
import org.sciport.dataset.folders.FolderService;
import org.sciport.dataset.teams.TeamService;
import org.sciport.dataset.web.JsonFields;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Datasets and who may do what with them. The owner may do everything; members of a team the
 * dataset is shared with may read it, or also change it with a {@code write} share;
 * administrators may do everything. A dataset the caller may not see does not exist for them
 * (404), so ids cannot be probed.
 */
@Service
public class DatasetService {

	static final String SOURCE = "/sciport/dataset-service";

	private static final Set<String> CHANGEABLE = Set.of("name", "description", "tags", "folder_id", "folder", "metadata",
			"sensor", "dimensions", "preferred_dashboard", "is_public");

	/**
	 * A new dataset may also be shared with one of the creator's teams at once, and an
	 * administrator may create one for another account.
	 */
	private static final Set<String> CREATABLE = union(CHANGEABLE, Set.of("team_id", "owner_id"));

	/** A public dataset is readable ({@code public}) by everyone who has no better access. */
	private static final String ACCESS = "CASE WHEN d.owner_id = :me THEN 'owner' ELSE coalesce((SELECT max(l.level) FROM "
			+ "(SELECT s.level FROM dataset_share s JOIN team_member m ON m.team_id = s.team_id AND m.user_id = :me "
			+ "WHERE s.dataset_id = d.id UNION ALL SELECT u.level FROM dataset_user_share u WHERE u.dataset_id = d.id "
			+ "AND u.user_id = :me) l), CASE WHEN d.is_public THEN 'public' END) END AS access, "
			+ "(SELECT f.name FROM folder f WHERE f.id = d.folder_id) AS folder_name";

	/** The dataset's shares as {@code team_id:level} texts, oldest first. */
	private static final String SHARES = "ARRAY(SELECT s.team_id::text || ':' || s.level FROM dataset_share s "
			+ "WHERE s.dataset_id = d.id ORDER BY s.shared_at, s.team_id) AS share_list, "
			+ "ARRAY(SELECT u.user_id::text || ':' || u.level FROM dataset_user_share u "
			+ "WHERE u.dataset_id = d.id ORDER BY u.shared_at, u.user_id) AS user_share_list";

	/**
	 * The datasets shared with one of the (non-administrator) caller's teams that they do not
	 * own. With the caller's own ({@code d.owner_id = :me}) these are all they may see; a list
	 * reads the two apart, each along an index, so that it touches only the caller's rows
	 * however large the catalogue.
	 */
	private static final String SHARED_NOT_OWNED = "d.owner_id <> :me AND d.id IN (SELECT s.dataset_id FROM dataset_share s "
			+ "JOIN team_member m ON m.team_id = s.team_id WHERE m.user_id = :me UNION SELECT u.dataset_id "
			+ "FROM dataset_user_share u WHERE u.user_id = :me)";

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	private final JsonMapper json;

	private final TeamService teams;

	private final FolderService folders;

	DatasetService(DatabaseClient database, TransactionalOperator transactions, OutboxWriter outbox,
			CloudEventCodec codec, JsonMapper json, TeamService teams, FolderService folders) {
		this.folders = folders;
		this.database = database;
		this.transactions = transactions;
		this.outbox = outbox;
		this.codec = codec;
		this.json = json;
		this.teams = teams;
	}

	/**
	 * A new dataset of the caller's. Besides the native fields, {@code folder} names a folder
	 * (found or created) and {@code team_id} shares it read-only with one of the caller's teams,
	 * in the same transaction; {@code owner_id} (administrators only) makes it another
	 * account's.
	 */
	public Mono<Dataset> create(Caller caller, JsonNode body) {
		DatasetChange change = DatasetChange.from(body, true);
		UUID team = JsonFields.uuid(body, "team_id");
		UUID id = UUID.randomUUID();
		UUID owner = JsonFields.uuid(body, "owner_id");
		UUID me = (owner != null) ? owner : UUID.fromString(caller.userId());
		if (!me.toString().equals(caller.userId()) && !caller.isAdmin()) {
			return Mono.error(new PermissionDeniedException("Only an administrator creates a dataset for another account"));
		}
		Instant now = Instant.now();
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("id", id);
		values.put("owner", me);
		values.put("name", change.name());
		values.put("description", (change.description() != null) ? change.description() : "");
		values.put("tags", (change.tags() != null) ? change.tags().toArray(String[]::new) : new String[0]);
		values.put("metadata", Json.of((change.metadata() != null) ? change.metadata().toString() : "{}"));
		values.put("sensor", nullableText(change.sensor()));
		values.put("dimensions", nullableText(change.dimensions()));
		values.put("dashboard", nullableText(change.preferredDashboard()));
		values.put("public", Boolean.TRUE.equals(change.isPublic()));
		values.put("now", now);
		Mono<Void> teamCheck = (team == null) ? Mono.empty() : memberOf(caller, team);
		Mono<Void> insert = teamCheck.then(folderOf(me, change))
			.flatMap((folder) -> {
				values.put("folder", folder.id() != null ? folder.id() : NullUuid.INSTANCE);
				return bindAll(this.database.sql("INSERT INTO dataset (id, owner_id, name, description, tags, folder_id, "
						+ "metadata, sensor, dimensions, preferred_dashboard, is_public, created_at, updated_at) VALUES (:id, "
						+ ":owner, :name, :description, :tags, :folder, :metadata, :sensor, :dimensions, :dashboard, :public, "
						+ ":now, :now)"), values).then();
			})
			.then(announce(id, new CatalogueEvents.DatasetCreated(id.toString(), me.toString(), change.name())))
			.then((team == null) ? Mono.empty() : insertShare(id, team, "read", UUID.fromString(caller.userId())));
		return this.transactions.transactional(insert).then(Mono.defer(() -> get(caller, id)));
	}

	/** Public datasets, newest first, for every signed-in caller. */
	public Mono<Page<Dataset>> listPublic(Caller caller, org.sciport.commons.page.PageRequest page, String basePath) {
		Mono<List<Dataset>> rows = this.database
			.sql("SELECT d.*, " + ACCESS + ", " + SHARES + " FROM dataset d WHERE d.is_public AND d.deleted_at IS NULL "
					+ "ORDER BY d.created_at DESC, d.id LIMIT :limit OFFSET :offset")
			.bind("me", UUID.fromString(caller.userId()))
			.bind("limit", page.perPage())
			.bind("offset", page.offset())
			.map((row) -> row(row, caller))
			.all()
			.collectList();
		Mono<Long> total = this.database.sql("SELECT count(*) AS n FROM dataset d WHERE d.is_public AND d.deleted_at IS NULL")
			.map((row) -> row.get("n", Long.class))
			.one();
		return rows.zipWith(total, (data, count) -> Page.of(data, count, page, basePath));
	}

	public Mono<Dataset> get(Caller caller, UUID id) {
		return this.database
			.sql("SELECT d.*, " + ACCESS + ", " + SHARES + " FROM dataset d WHERE d.id = :id AND d.deleted_at IS NULL")
			.bind("id", id)
			.bind("me", UUID.fromString(caller.userId()))
			.map((row) -> row(row, caller))
			.one()
			.filter((dataset) -> dataset.access() != null)
			.switchIfEmpty(Mono.error(() -> NotFoundException.of("dataset", "Dataset not found")));
	}

	/** The dataset's files, oldest first, for whoever may see the dataset. */
	public Mono<List<DatasetFile>> files(Caller caller, UUID id) {
		return get(caller, id).flatMap((dataset) -> this.database
			.sql("SELECT * FROM dataset_file WHERE dataset_id = :id ORDER BY created_at, id")
			.bind("id", id)
			.map((row) -> {
				Json metadata = row.get("metadata", Json.class);
				return new DatasetFile(row.get("id", UUID.class), row.get("filename", String.class),
						row.get("size_bytes", Long.class), emptyToNull(row.get("content_type", String.class)),
						row.get("format", String.class), emptyToNull(row.get("sha256", String.class)),
						emptyToNull(row.get("xxhash64", String.class)), row.get("status", String.class),
						row.get("conversion", String.class), (metadata != null) ? this.json.readTree(metadata.asString()) : null,
						row.get("created_at", Instant.class));
			})
			.all()
			.collectList());
	}

	/**
	 * Where the dataset stands, with its files' conversions counted, for whoever may see it.
	 */
	public Mono<DatasetStatus> status(Caller caller, UUID id) {
		return get(caller, id).flatMap((dataset) -> this.database
			.sql("SELECT count(*) AS files, count(*) FILTER (WHERE conversion = 'queued') AS queued, "
					+ "count(*) FILTER (WHERE conversion = 'converting') AS converting, "
					+ "count(*) FILTER (WHERE conversion = 'converted') AS converted, "
					+ "count(*) FILTER (WHERE conversion = 'failed') AS failed FROM dataset_file WHERE dataset_id = :id")
			.bind("id", id)
			.map((row) -> new DatasetStatus(dataset.id(), dataset.status(), dataset.updatedAt(),
					new DatasetStatus.Files(count(row, "files"), count(row, "queued"), count(row, "converting"),
							count(row, "converted"), count(row, "failed"))))
			.one());
	}

	private static long count(Readable row, String column) {
		Long value = row.get(column, Long.class);
		return (value != null) ? value : 0;
	}

	private static @Nullable String emptyToNull(@Nullable String value) {
		return (value == null || value.isEmpty()) ? null : value;
	}

	public Mono<Page<Dataset>> list(Caller caller, DatasetQuery query, String basePath) {
		List<String> where = new ArrayList<>(List.of("d.deleted_at IS NULL"));
		Map<String, Object> binds = new LinkedHashMap<>();
		binds.put("me", UUID.fromString(caller.userId()));
		if (query.folderId() != null) {
			where.add("d.folder_id = :folder");
			binds.put("folder", query.folderId());
		}
		if (query.status() != null) {
			where.add("d.status = ANY(:status)");
			binds.put("status", query.status().split(","));
		}
		if (query.teamId() != null) {
			// Only a team the caller is in (any team, for an administrator): a list says nothing
			// about teams one cannot see.
			where.add(caller.isAdmin()
					? "EXISTS (SELECT 1 FROM dataset_share t WHERE t.dataset_id = d.id AND t.team_id = :team)"
					: "EXISTS (SELECT 1 FROM dataset_share t JOIN team_member tm ON tm.team_id = t.team_id "
							+ "AND tm.user_id = :me WHERE t.dataset_id = d.id AND t.team_id = :team)");
			binds.put("team", query.teamId());
		}
		if (query.ownerId() != null) {
			where.add("d.owner_id = :owner");
			binds.put("owner", query.ownerId());
		}
		if (query.tag() != null) {
			where.add("d.tags @> ARRAY[:tag]::text[]");
			binds.put("tag", query.tag());
		}
		if (query.createdFrom() != null) {
			where.add("d.created_at >= :from");
			binds.put("from", query.createdFrom());
		}
		if (query.createdTo() != null) {
			where.add("d.created_at < :to");
			binds.put("to", query.createdTo());
		}
		if (query.text() != null) {
			where.add("(d.name ILIKE :text ESCAPE '\\' OR d.description ILIKE :text ESCAPE '\\')");
			binds.put("text", "%" + query.text().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
		}
		String condition = String.join(" AND ", where);
		// A cursor pages by key (no rows skipped, as fast on the last page as on the first);
		// otherwise page and per_page give an offset.
		String after = (query.cursor() != null) ? query.afterCursor() : null;
		Map<String, Object> pageBinds = new LinkedHashMap<>(binds);
		if (query.cursor() != null) {
			pageBinds.put("afterKey", query.cursorKey());
			pageBinds.put("afterId", query.cursor().id());
		}
		String pageCondition = (after != null) ? condition + " AND " + after : condition;
		String order = " ORDER BY " + query.orderBy();
		String keyOrder = " ORDER BY " + query.orderByKey("");
		String keyed = "SELECT d.id, " + query.sortKey() + " AS sort_key FROM dataset d WHERE ";
		long offset = (query.cursor() != null) ? 0 : query.page().offset();
		String candidates;
		String total;
		String with;
		Map<String, Object> countBinds = new LinkedHashMap<>(binds);
		if (caller.isAdmin()) {
			with = "";
			candidates = "(" + keyed + pageCondition + order + " LIMIT :window) c";
			total = "(SELECT count(*) FROM dataset d WHERE " + condition + ")";
			// The count has no access column: nothing else names :me.
			countBinds.remove("me");
		}
		else {
			// Own and shared rows apart, each along its index and at most a page deep, then
			// merged; the shared ones are read once for the page and the count.
			with = "WITH shared AS MATERIALIZED (" + keyed + SHARED_NOT_OWNED + " AND " + condition + ") ";
			candidates = "((" + keyed + "d.owner_id = :me AND " + pageCondition + order
					+ " LIMIT :window) UNION ALL (SELECT id, sort_key FROM shared"
					+ ((after != null) ? " WHERE " + query.afterCursorByKey() : "") + keyOrder + " LIMIT :window)) c";
			total = "((SELECT count(*) FROM dataset d WHERE d.owner_id = :me AND " + condition
					+ ") + (SELECT count(*) FROM shared))";
		}
		pageBinds.put("window", offset + query.page().perPage());
		// One statement: the page's ids and keys first (from the indexes where they can be, the
		// rows skipped by an offset never fetched whole), then those rows with their access,
		// shares and the list's total (an empty page asks for the total apart).
		String page = "(SELECT id, sort_key FROM " + candidates + keyOrder + " LIMIT :limit OFFSET :offset) p";
		DatabaseClient.GenericExecuteSpec statement = bindAll(this.database.sql(with + "SELECT d.*, " + ACCESS + ", "
				+ SHARES + ", p.sort_key, " + total + " AS total FROM " + page + " JOIN dataset d ON d.id = p.id ORDER BY "
				+ query.orderByKey("p.")), pageBinds)
			.bind("limit", query.page().perPage())
			.bind("offset", offset);
		Mono<Long> totalApart = bindAll(this.database.sql(with + "SELECT " + total + " AS n"), countBinds)
			.map((row) -> row.get("n", Long.class))
			.one();
		List<String> keys = new ArrayList<>();
		long[] counted = { -1 };
		Mono<List<Dataset>> data = statement.map((row) -> {
			Object key = row.get("sort_key");
			keys.add((key instanceof java.time.OffsetDateTime time) ? time.toInstant().toString()
					: (key instanceof java.time.LocalDateTime local) ? local.toInstant(java.time.ZoneOffset.UTC).toString()
							: String.valueOf(key));
			counted[0] = row.get("total", Long.class);
			return row(row, caller);
		}).all().collectList();
		return data.flatMap((rows) -> (rows.isEmpty() ? totalApart : Mono.just(counted[0])).map((count) -> {
			String next = (rows.size() == query.page().perPage())
					? new DatasetQuery.Cursor(query.sort(), query.descending(), rows.get(rows.size() - 1).id(),
							keys.get(keys.size() - 1)).encode()
					: null;
			return Page.of(rows, count, query.page(), basePath, next, query.cursor() != null);
		}));
	}

	public Mono<Dataset> update(Caller caller, UUID id, JsonNode body) {
		DatasetChange change = DatasetChange.from(body, false);
		return get(caller, id).flatMap((dataset) -> {
			if (!dataset.writable()) {
				return Mono.error(new PermissionDeniedException("This dataset is shared with you read-only"));
			}
			List<String> sets = new ArrayList<>(List.of("updated_at = now()"));
			Map<String, Object> binds = new LinkedHashMap<>();
			binds.put("id", id);
			set(sets, binds, "name", change.name());
			set(sets, binds, "description", change.description());
			set(sets, binds, "tags", (change.tags() != null) ? change.tags().toArray(String[]::new) : null);
			set(sets, binds, "metadata", (change.metadata() != null) ? Json.of(change.metadata().toString()) : null);
			set(sets, binds, "sensor", change.sensor());
			set(sets, binds, "dimensions", change.dimensions());
			set(sets, binds, "preferred_dashboard", change.preferredDashboard());
			if (change.isPublic() != null) {
				if (!dataset.owned()) {
					return Mono.error(new PermissionDeniedException("Only the owner makes a dataset public or private"));
				}
				set(sets, binds, "is_public", change.isPublic());
			}
			Mono<Void> folder = Mono.empty();
			if (change.folderChanged()) {
				sets.add("folder_id = :folder");
				// A folder belongs to the dataset's owner's tree.
				folder = folderOf(dataset.ownerId(), change).doOnNext((chosen) -> binds.put("folder", nullable(chosen.id())))
					.then();
			}
			Mono<Void> write = folder
				.then(Mono.defer(() -> bindAll(this.database.sql("UPDATE dataset SET " + String.join(", ", sets) + " WHERE id = :id"), binds)
					.then()))
				.then(announce(id, new CatalogueEvents.DatasetUpdated(id.toString(), change.fields().toString())));
			return this.transactions.transactional(write).then(Mono.defer(() -> get(caller, id)));
		});
	}

	public Mono<Void> delete(Caller caller, UUID id) {
		return get(caller, id).flatMap((dataset) -> {
			if (!dataset.owned()) {
				return Mono.error(new PermissionDeniedException("Only the owner deletes a dataset"));
			}
			Mono<Void> delete = this.database
				.sql("UPDATE dataset SET deleted_at = now(), updated_at = now() WHERE id = :id AND deleted_at IS NULL")
				.bind("id", id)
				.then()
				.then(announce(id, new CatalogueEvents.DatasetDeleted(id.toString(), dataset.ownerId().toString())));
			return this.transactions.transactional(delete);
		});
	}

	public Mono<Dataset> share(Caller caller, UUID id, UUID teamId, @Nullable String level) {
		UUID me = UUID.fromString(caller.userId());
		return sharedByItsOwner(caller, id, level).flatMap((dataset) -> {
			return (caller.isAdmin() ? this.teams.get(caller, teamId).thenReturn(true) : this.teams.isMember(teamId, me))
				.flatMap((member) -> member ? Mono.<Void>empty()
						: Mono.error(new NotFoundException("No such team among yours: share with a team you are in")))
				.then(this.transactions.transactional(insertShare(id, teamId, level, me)))
				.then(Mono.defer(() -> get(caller, id)));
		});
	}

	/**
	 * Shares the dataset with one person, {@code read} or {@code write}; only its owner (or an
	 * administrator) may.
	 */
	public Mono<Dataset> shareWithUser(Caller caller, UUID id, UUID userId, @Nullable String level) {
		UUID me = UUID.fromString(caller.userId());
		return sharedByItsOwner(caller, id, level).flatMap((dataset) -> {
			if (dataset.ownerId().equals(userId)) {
				return Mono.error(new ValidationException("user_email", "The dataset is already theirs"));
			}
			return this.transactions.transactional(this.database
				.sql("INSERT INTO dataset_user_share (dataset_id, user_id, level, shared_by, shared_at) "
						+ "VALUES (:id, :user, :level, :me, now()) ON CONFLICT (dataset_id, user_id) "
						+ "DO UPDATE SET level = :level, shared_by = :me, shared_at = now()")
				.bind("id", id)
				.bind("user", userId)
				.bind("level", level)
				.bind("me", me)
				.then()
				.then(announce(id, new CatalogueEvents.DatasetShared(id.toString(), null, userId.toString(), level))))
				.then(Mono.defer(() -> get(caller, id)));
		});
	}

	/** The dataset, if {@code level} is one a share can have and the caller may share it (its owner). */
	private Mono<Dataset> sharedByItsOwner(Caller caller, UUID id, @Nullable String level) {
		if (!"read".equals(level) && !"write".equals(level)) {
			return Mono.error(new ValidationException("level", "level must be read or write"));
		}
		return get(caller, id).flatMap((dataset) -> dataset.owned() ? Mono.just(dataset)
				: Mono.error(new PermissionDeniedException("Only the owner shares a dataset")));
	}

	/** Ends a share with one person. */
	public Mono<Void> unshareUser(Caller caller, UUID id, UUID userId) {
		return endShare(caller, id, "dataset_user_share", "user_id", userId, "The dataset is not shared with that user",
				new CatalogueEvents.DatasetUnshared(id.toString(), null, userId.toString()));
	}

	public Mono<Void> unshare(Caller caller, UUID id, UUID teamId) {
		return endShare(caller, id, "dataset_share", "team_id", teamId, "The dataset is not shared with that team",
				new CatalogueEvents.DatasetUnshared(id.toString(), teamId.toString(), null));
	}

	/** Ends the owner's share of the dataset with a team or a person ({@code column} names which). */
	private Mono<Void> endShare(Caller caller, UUID id, String table, String column, UUID with, String missing,
			CatalogueEvents.DatasetUnshared ended) {
		return get(caller, id).flatMap((dataset) -> {
			if (!dataset.owned()) {
				return Mono.error(new PermissionDeniedException("Only the owner unshares a dataset"));
			}
			return this.transactions.transactional(this.database
				.sql("DELETE FROM " + table + " WHERE dataset_id = :id AND " + column + " = :with")
				.bind("id", id)
				.bind("with", with)
				.fetch()
				.rowsUpdated()
				.flatMap((deleted) -> (deleted == 0) ? Mono.error(new NotFoundException(missing))
						: announce(id, ended)));
		});
	}

	private Mono<Void> insertShare(UUID id, UUID teamId, String level, UUID me) {
		return this.database
			.sql("INSERT INTO dataset_share (dataset_id, team_id, level, shared_by, shared_at) "
					+ "VALUES (:id, :team, :level, :me, now()) ON CONFLICT (dataset_id, team_id) "
					+ "DO UPDATE SET level = :level, shared_by = :me, shared_at = now()")
			.bind("id", id)
			.bind("team", teamId)
			.bind("level", level)
			.bind("me", me)
			.then()
			.then(announce(id, new CatalogueEvents.DatasetShared(id.toString(), teamId.toString(), null, level)));
	}

	/** Completes if the caller is in the team (any team, for an administrator); 404 otherwise. */
	private Mono<Void> memberOf(Caller caller, UUID teamId) {
		return (caller.isAdmin() ? this.teams.get(caller, teamId).thenReturn(true)
				: this.teams.isMember(teamId, UUID.fromString(caller.userId())))
			.flatMap((member) -> member ? Mono.<Void>empty()
					: Mono.error(new NotFoundException("No such team among yours: share with a team you are in")));
	}

	/** A folder choice: none, or the folder's id. */
	private record FolderChoice(@Nullable UUID id) {
	}

	/**
	 * The folder a change puts the dataset in, in {@code owner}'s tree: by id (which must be
	 * theirs), by name (found or created), or none.
	 */
	private Mono<FolderChoice> folderOf(UUID owner, DatasetChange change) {
		if (change.folderName() != null) {
			return this.folders.findOrCreate(owner, change.folderName()).map(FolderChoice::new);
		}
		return ownFolder(owner, change.folderId()).thenReturn(new FolderChoice(change.folderId()));
	}

	private Mono<Void> ownFolder(UUID owner, @Nullable UUID folderId) {
		if (folderId == null) {
			return Mono.empty();
		}
		return this.database.sql("SELECT 1 FROM folder WHERE id = :id AND owner_id = :owner")
			.bind("id", folderId)
			.bind("owner", owner)
			.map((row) -> true)
			.one()
			.switchIfEmpty(Mono.error(() -> new ValidationException("folder_id", "no such folder of the dataset's owner")))
			.then();
	}

	/** Appends one of the catalogue's events about dataset {@code id} to the outbox. */
	private Mono<Void> announce(UUID id, CatalogueEvents.Event event) {
		return this.outbox.append(Topics.DATASET, CloudEvent.create(SOURCE, event.type(), id.toString(),
				this.codec.toData(event)));
	}

	private Dataset row(Readable row, Caller caller) {
		String access = row.get("access", String.class);
		if (access == null && caller.isAdmin()) {
			access = "admin";
		}
		Json metadata = row.get("metadata", Json.class);
		String[] tags = row.get("tags", String[].class);
		return new Dataset(row.get("id", UUID.class), row.get("name", String.class), row.get("description", String.class),
				(tags != null) ? Arrays.asList(tags) : List.of(), row.get("folder_id", UUID.class),
				row.get("folder_name", String.class), row.get("status", String.class),
				(metadata != null) ? this.json.readTree(metadata.asString()) : this.json.createObjectNode(),
				row.get("sensor", String.class), row.get("dimensions", String.class),
				row.get("preferred_dashboard", String.class), Boolean.TRUE.equals(row.get("is_public", Boolean.class)),
				row.get("size_bytes", Long.class), row.get("file_count", Integer.class), row.get("owner_id", UUID.class),
				access, shares(row.get("share_list", String[].class)), userShares(row.get("user_share_list", String[].class)),
				row.get("created_at", Instant.class),
				row.get("updated_at", Instant.class));
	}

	private static List<Dataset.UserShare> userShares(String @Nullable [] list) {
		return pairs(list, Dataset.UserShare::new);
	}

	private static List<Dataset.Share> shares(String @Nullable [] list) {
		return pairs(list, Dataset.Share::new);
	}

	/** {@code id:level} texts, as the share columns read them, made into shares. */
	private static <T> List<T> pairs(String @Nullable [] list, java.util.function.BiFunction<UUID, String, T> share) {
		if (list == null) {
			return List.of();
		}
		return Arrays.stream(list).map((pair) -> {
			int colon = pair.indexOf(':');
			return share.apply(UUID.fromString(pair.substring(0, colon)), pair.substring(colon + 1));
		}).toList();
	}

	private static DatabaseClient.GenericExecuteSpec bindAll(DatabaseClient.GenericExecuteSpec spec, Map<String, Object> binds) {
		DatabaseClient.GenericExecuteSpec bound = spec;
		for (Map.Entry<String, Object> bind : binds.entrySet()) {
			bound = (bind.getValue() instanceof NullUuid) ? bound.bindNull(bind.getKey(), UUID.class)
					: (bind.getValue() instanceof NullText) ? bound.bindNull(bind.getKey(), String.class)
							: bound.bind(bind.getKey(), bind.getValue());
		}
		return bound;
	}

	private static Object nullable(@Nullable UUID value) {
		return (value != null) ? value : NullUuid.INSTANCE;
	}

	/** Adds {@code column = :column} to an update when the change names a value for it. */
	private static void set(List<String> sets, Map<String, Object> binds, String column, @Nullable Object value) {
		if (value != null) {
			sets.add(column + " = :" + column);
			binds.put(column, value);
		}
	}

	private static Object nullableText(@Nullable String value) {
		return (value != null) ? value : NullText.INSTANCE;
	}

	private static Set<String> union(Set<String> a, Set<String> b) {
		Set<String> all = new java.util.HashSet<>(a);
		all.addAll(b);
		return Set.copyOf(all);
	}

	private enum NullUuid {

		INSTANCE

	}

	private enum NullText {

		INSTANCE

	}

	/**
	 * The fields of a create or update request, validated.
	 */
	record DatasetChange(@Nullable String name, @Nullable String description, @Nullable List<String> tags,
			@Nullable UUID folderId, @Nullable String folderName, boolean folderChanged, @Nullable ObjectNode metadata,
			@Nullable String sensor, @Nullable String dimensions, @Nullable String preferredDashboard,
			@Nullable Boolean isPublic, List<String> fields) {

		static DatasetChange from(JsonNode body, boolean creating) {
			List<String> fields = new ArrayList<>(JsonFields.known(body, creating ? CREATABLE : CHANGEABLE));
			fields.remove("team_id");
			fields.remove("owner_id");
			String name = text(body, "name", 200);
			if (creating && name == null) {
				throw new ValidationException("name", "name is required");
			}
			if (!creating && fields.isEmpty()) {
				throw new ValidationException(null, "nothing to change");
			}
			String description = body.has("description") ? textOrEmpty(body, "description", 10_000) : null;
			List<String> tags = tags(body);
			UUID folder = null;
			if (body.has("folder_id") && body.has("folder")) {
				throw new ValidationException("folder", "name a folder by folder_id or by folder, not both");
			}
			String folderName = null;
			if (body.has("folder") && !body.get("folder").isNull()) {
				folderName = text(body, "folder", 200);
				if (folderName != null && (folderName.contains("/") || folderName.chars().anyMatch(Character::isISOControl))) {
					throw new ValidationException("folder", "folder must be a name without '/' or control characters");
				}
			}
			boolean folderChanged = body.has("folder_id") || body.has("folder");
			if (body.has("folder_id") && !body.get("folder_id").isNull()) {
				if (!body.get("folder_id").isString()) {
					throw new ValidationException("folder_id", "folder_id must be a folder id or null");
				}
				try {
					folder = UUID.fromString(body.get("folder_id").asString());
				}
				catch (IllegalArgumentException ex) {
					throw new ValidationException("folder_id", "folder_id is not a valid id");
				}
			}
			ObjectNode metadata = null;
			if (body.has("metadata")) {
				if (!body.get("metadata").isObject()) {
					throw new ValidationException("metadata", "metadata must be a JSON object");
				}
				metadata = (ObjectNode) body.get("metadata");
				if (metadata.toString().length() > 65_536) {
					throw new ValidationException("metadata", "metadata must be at most 64 KiB");
				}
			}
			String sensor = text(body, "sensor", 64);
			String dimensions = body.has("dimensions") ? textOrEmpty(body, "dimensions", 200) : null;
			String dashboard = body.has("preferred_dashboard") ? textOrEmpty(body, "preferred_dashboard", 100) : null;
			Boolean isPublic = null;
			if (body.has("is_public")) {
				if (!body.get("is_public").isBoolean()) {
					throw new ValidationException("is_public", "is_public must be true or false");
				}
				isPublic = body.get("is_public").asBoolean();
			}
			return new DatasetChange(name, description, tags, folder, folderName, folderChanged, metadata, sensor,
					dimensions, dashboard, isPublic, List.copyOf(fields));
		}

		private static @Nullable String text(JsonNode body, String field, int max) {
			return JsonFields.name(body, field, max);
		}

		private static String textOrEmpty(JsonNode body, String field, int max) {
			JsonNode value = body.get(field);
			if (!value.isString()) {
				throw new ValidationException(field, field + " must be a string");
			}
			if (value.asString().length() > max) {
				throw new ValidationException(field, field + " must be at most " + max + " characters");
			}
			return value.asString();
		}

		private static @Nullable List<String> tags(JsonNode body) {
			if (!body.has("tags")) {
				return null;
			}
			JsonNode tags = body.get("tags");
			if (!tags.isArray() || tags.size() > 50) {
				throw new ValidationException("tags", "tags must be a list of at most 50 strings");
			}
			List<String> list = new ArrayList<>();
			for (JsonNode tag : tags) {
				if (!tag.isString() || tag.asString().isBlank() || tag.asString().length() > 64) {
					throw new ValidationException("tags", "each tag must be a string of 1 to 64 characters");
				}
				if (!list.contains(tag.asString().trim())) {
					list.add(tag.asString().trim());
				}
			}
			return list;
		}

	}

}
