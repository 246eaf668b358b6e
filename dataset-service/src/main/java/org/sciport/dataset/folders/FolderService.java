package org.sciport.dataset.folders;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.Caller;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Each user's folder tree. Sibling names are unique (ignoring case). A folder moves anywhere
 * in its owner's tree except into itself or below itself. A folder that holds sub-folders or
 * datasets is deleted only when asked to with {@code force}: its sub-folders go with it and its
 * datasets (at any depth) move to the top level, never deleted by a folder operation.
 */
@Service
public class FolderService {

	private static final String SUBTREE = "WITH RECURSIVE subtree AS (SELECT id FROM folder WHERE id = :id "
			+ "UNION ALL SELECT f.id FROM folder f JOIN subtree s ON f.parent_id = s.id) ";

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	FolderService(DatabaseClient database, TransactionalOperator transactions) {
		this.database = database;
		this.transactions = transactions;
	}

	public Mono<List<Folder>> tree(Caller caller) {
		return this.database
			.sql("SELECT f.*, (SELECT count(*) FROM dataset d WHERE d.folder_id = f.id AND d.deleted_at IS NULL) AS datasets "
					+ "FROM folder f WHERE f.owner_id = :me ORDER BY lower(f.name), f.id")
			.bind("me", UUID.fromString(caller.userId()))
			.map((row) -> new Folder(row.get("id", UUID.class), row.get("name", String.class),
					row.get("parent_id", UUID.class), row.get("datasets", Long.class), List.of(),
					row.get("created_at", Instant.class), row.get("updated_at", Instant.class)))
			.all()
			.collectList()
			.map(FolderService::nest);
	}

	/**
	 * The caller's folder with this name (ignoring case), the one nearest the top if several.
	 */
	public Mono<UUID> findByName(Caller caller, String name) {
		return this.database
			.sql("WITH RECURSIVE depth AS (SELECT id, parent_id, 0 AS level FROM folder WHERE owner_id = :me AND parent_id IS NULL "
					+ "UNION ALL SELECT f.id, f.parent_id, d.level + 1 FROM folder f JOIN depth d ON f.parent_id = d.id) "
					+ "SELECT f.id FROM folder f JOIN depth d ON d.id = f.id WHERE lower(f.name) = lower(:name) "
					+ "ORDER BY d.level, f.created_at LIMIT 1")
			.bind("me", UUID.fromString(caller.userId()))
			.bind("name", name)
			.map((row) -> row.get("id", UUID.class))
			.one();
	}

	/**
	 * The owner's folder called {@code name} (the shallowest, if several), created at the root
	 * of their tree if there is none: how the portal names folders. Two requests creating the
	 * same folder at once get the same one.
	 */
	public Mono<UUID> findOrCreate(UUID owner, String name) {
		String folderName = validName(name);
		Mono<UUID> existing = this.database
			.sql("WITH RECURSIVE depth AS (SELECT id, parent_id, 0 AS level FROM folder WHERE owner_id = :me AND parent_id IS NULL "
					+ "UNION ALL SELECT f.id, f.parent_id, d.level + 1 FROM folder f JOIN depth d ON f.parent_id = d.id) "
					+ "SELECT f.id FROM folder f JOIN depth d ON d.id = f.id WHERE lower(f.name) = lower(:name) "
					+ "ORDER BY d.level, f.created_at LIMIT 1")
			.bind("me", owner)
			.bind("name", folderName)
			.map((row) -> row.get("id", UUID.class))
			.one();
		Mono<Void> created = this.database
			.sql("INSERT INTO folder (id, owner_id, parent_id, name, created_at, updated_at) "
					+ "VALUES (:id, :me, NULL, :name, now(), now()) ON CONFLICT DO NOTHING")
			.bind("id", UUID.randomUUID())
			.bind("me", owner)
			.bind("name", folderName)
			.then();
		return existing.switchIfEmpty(created.then(existing));
	}

	public Mono<Folder> create(Caller caller, @Nullable String name, @Nullable UUID parentId) {
		String folderName = validName(name);
		UUID me = UUID.fromString(caller.userId());
		UUID id = UUID.randomUUID();
		Instant now = Instant.now();
		DatabaseClient.GenericExecuteSpec insert = this.database
			.sql("INSERT INTO folder (id, owner_id, parent_id, name, created_at, updated_at) "
					+ "VALUES (:id, :me, :parent, :name, :now, :now)")
			.bind("id", id)
			.bind("me", me)
			.bind("name", folderName)
			.bind("now", now);
		insert = (parentId != null) ? insert.bind("parent", parentId) : insert.bindNull("parent", UUID.class);
		Mono<Void> write = owned(me, parentId, "parent_id").then(insert.then());
		return this.transactions.transactional(write)
			.onErrorMap(DuplicateKeyException.class, (ex) -> new ConflictException("A folder with this name is already there"))
			.then(Mono.defer(() -> find(me, id)));
	}

	public Mono<Folder> update(Caller caller, UUID id, @Nullable String name, boolean moving, @Nullable UUID parentId) {
		UUID me = UUID.fromString(caller.userId());
		if (name == null && !moving) {
			return Mono.error(new ValidationException(null, "nothing to change"));
		}
		String folderName = (name != null) ? validName(name) : null;
		Mono<Void> checks = find(me, id).then(moving ? owned(me, parentId, "parent_id") : Mono.empty())
			.then((moving && parentId != null) ? insideOwnSubtree(id, parentId) : Mono.empty());
		List<String> sets = new ArrayList<>(List.of("updated_at = now()"));
		if (folderName != null) {
			sets.add("name = :name");
		}
		if (moving) {
			sets.add("parent_id = :parent");
		}
		DatabaseClient.GenericExecuteSpec update = this.database
			.sql("UPDATE folder SET " + String.join(", ", sets) + " WHERE id = :id AND owner_id = :me")
			.bind("id", id)
			.bind("me", me);
		if (folderName != null) {
			update = update.bind("name", folderName);
		}
		if (moving) {
			update = (parentId != null) ? update.bind("parent", parentId) : update.bindNull("parent", UUID.class);
		}
		Mono<Void> write = checks.then(update.then());
		return this.transactions.transactional(write)
			.onErrorMap(DuplicateKeyException.class, (ex) -> new ConflictException("A folder with this name is already there"))
			.then(Mono.defer(() -> find(me, id)));
	}

	public Mono<Void> delete(Caller caller, UUID id, boolean force) {
		UUID me = UUID.fromString(caller.userId());
		Mono<Void> delete = find(me, id).flatMap((folder) -> this.database
			.sql(SUBTREE + "SELECT (SELECT count(*) FROM subtree) - 1 AS folders, "
					+ "(SELECT count(*) FROM dataset WHERE folder_id IN (SELECT id FROM subtree) AND deleted_at IS NULL) AS datasets")
			.bind("id", id)
			.map((row) -> new long[] { row.get("folders", Long.class), row.get("datasets", Long.class) })
			.one()
			.flatMap((contents) -> {
				if ((contents[0] > 0 || contents[1] > 0) && !force) {
					return Mono.error(new ConflictException("The folder holds " + contents[0] + " folders and " + contents[1]
							+ " datasets; delete it with force=true to remove its folders and move its datasets to the top"));
				}
				return this.database.sql(SUBTREE + "UPDATE dataset SET folder_id = NULL, updated_at = now() "
						+ "WHERE folder_id IN (SELECT id FROM subtree)")
					.bind("id", id)
					.then()
					.then(this.database.sql(SUBTREE + ", ordered AS (SELECT id FROM subtree) "
							+ "DELETE FROM folder WHERE id IN (SELECT id FROM ordered)")
						.bind("id", id)
						.then());
			}));
		return this.transactions.transactional(delete);
	}

	private Mono<Folder> find(UUID me, UUID id) {
		return this.database
			.sql("SELECT f.*, (SELECT count(*) FROM dataset d WHERE d.folder_id = f.id AND d.deleted_at IS NULL) AS datasets "
					+ "FROM folder f WHERE f.id = :id AND f.owner_id = :me")
			.bind("id", id)
			.bind("me", me)
			.map((row) -> new Folder(row.get("id", UUID.class), row.get("name", String.class),
					row.get("parent_id", UUID.class), row.get("datasets", Long.class), List.of(),
					row.get("created_at", Instant.class), row.get("updated_at", Instant.class)))
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("No such folder")));
	}

	private Mono<Void> owned(UUID me, @Nullable UUID folderId, String field) {
		if (folderId == null) {
			return Mono.empty();
		}
		return this.database.sql("SELECT 1 FROM folder WHERE id = :id AND owner_id = :me")
			.bind("id", folderId)
			.bind("me", me)
			.map((row) -> true)
			.one()
			.switchIfEmpty(Mono.error(() -> new ValidationException(field, "no such folder of yours")))
			.then();
	}

	private Mono<Void> insideOwnSubtree(UUID id, UUID newParent) {
		return this.database.sql(SUBTREE + "SELECT 1 FROM subtree WHERE id = :parent")
			.bind("id", id)
			.bind("parent", newParent)
			.map((row) -> true)
			.one()
			.flatMap((cycle) -> Mono.<Void>error(new ValidationException("parent_id",
					"a folder cannot move into itself or one of its sub-folders")));
	}

	private static List<Folder> nest(List<Folder> flat) {
		Map<UUID, List<Folder>> byParent = new LinkedHashMap<>();
		for (Folder folder : flat) {
			byParent.computeIfAbsent(folder.parentId(), (key) -> new ArrayList<>()).add(folder);
		}
		return children(null, byParent);
	}

	private static List<Folder> children(@Nullable UUID parent, Map<UUID, List<Folder>> byParent) {
		List<Folder> result = new ArrayList<>();
		for (Folder folder : byParent.getOrDefault(parent, List.of())) {
			result.add(new Folder(folder.id(), folder.name(), folder.parentId(), folder.datasetCount(),
					children(folder.id(), byParent), folder.createdAt(), folder.updatedAt()));
		}
		return result;
	}

	static String validName(@Nullable String name) {
		if (name == null || name.isBlank()) {
			throw new ValidationException("name", "name is required");
		}
		String trimmed = name.trim();
		if (trimmed.length() > 200 || trimmed.chars().anyMatch(Character::isISOControl) || trimmed.contains("/")) {
			throw new ValidationException("name", "name must be at most 200 printable characters, without '/'");
		}
		return trimmed;
	}

}
