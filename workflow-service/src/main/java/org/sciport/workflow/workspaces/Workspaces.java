package org.sciport.workflow.workspaces;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.commons.error.SciportException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.event.WorkflowEvents;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.security.Caller;
import org.sciport.workflow.web.Listing;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Workspaces and their members. {@code public} is every signed-in user's; any other workspace is
 * its members' (an {@code owner} also manages its members and may delete it) and the
 * administrators'. To anyone else a workspace does not exist: 404, whatever they ask.
 */
@Service
public class Workspaces {

	/** The workspace every signed-in user may use. */
	public static final String PUBLIC = "public";

	/** A workspace's name, as a DNS label: lower-case letters, digits and dashes, at most 63. */
	public static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	Workspaces(DatabaseClient database, TransactionalOperator transactions, OutboxWriter outbox, CloudEventCodec codec) {
		this.database = database;
		this.transactions = transactions;
		this.outbox = outbox;
		this.codec = codec;
	}

	/**
	 * A workspace the caller may use.
	 *
	 * @param id its id
	 * @param name its name
	 * @param ownerId who created it ({@code null} for {@code public})
	 * @param role the caller's role in it: {@code owner}, {@code member}, or {@code null} (an
	 * administrator who is neither, or anyone in {@code public})
	 */
	public record Workspace(UUID id, String name, @Nullable UUID ownerId, @Nullable String role) {

		/** Whether the caller manages it (its members, its deletion). */
		boolean managedBy(Caller caller) {
			return caller.isAdmin() || "owner".equals(this.role);
		}

	}

	/** The workspace named, if the caller may use it; a 404 naming it otherwise. */
	public Mono<Workspace> usable(Caller caller, String name) {
		return this.database
			.sql("SELECT w.id, w.name, w.owner_id, m.role FROM workspace w LEFT JOIN workspace_member m "
					+ "ON m.workspace_id = w.id AND m.user_id = :me WHERE w.name = :name AND w.deleted_at IS NULL")
			.bind("me", UUID.fromString(caller.userId()))
			.bind("name", name)
			.map((row) -> new Workspace(row.get("id", UUID.class), row.get("name", String.class),
					row.get("owner_id", UUID.class), row.get("role", String.class)))
			.one()
			.filter((workspace) -> PUBLIC.equals(workspace.name()) || workspace.role() != null || caller.isAdmin())
			.switchIfEmpty(Mono.error(() -> notFound(name)));
	}

	/** The 404 of a workspace that does not exist, or that the caller may not know of. */
	public static SciportException notFound(String name) {
		return new SciportException(ErrorCode.RESOURCE_NOT_FOUND, "Workspace '" + name + "' not found", null,
				Map.of("workspace", name), null);
	}

	/** The condition under which the caller uses workspace {@code w} (bind {@code :me}). */
	public static String visible(Caller caller) {
		return caller.isAdmin() ? "true"
				: "(w.name = 'public' OR EXISTS (SELECT 1 FROM workspace_member vm WHERE vm.workspace_id = w.id "
						+ "AND vm.user_id = :me))";
	}

	/** The workspaces the caller may use, by name. */
	public Mono<Map<String, Object>> list(Caller caller, Listing listing) {
		UUID me = UUID.fromString(caller.userId());
		DatabaseClient.GenericExecuteSpec count = this.database
			.sql("SELECT count(*) AS n FROM workspace w WHERE w.deleted_at IS NULL AND " + visible(caller));
		// An administrator's condition names no one: binding :me there is refused by the driver.
		Mono<Long> total = (caller.isAdmin() ? count : count.bind("me", me)).map((row) -> row.get("n", Long.class))
			.one();
		Mono<List<Map<String, Object>>> items = this.database
			.sql("SELECT w.*, m.role, (SELECT count(*) FROM resource r WHERE r.workspace_id = w.id AND r.deleted_at IS NULL) "
					+ "AS resources FROM workspace w LEFT JOIN workspace_member m ON m.workspace_id = w.id AND m.user_id = :me "
					+ "WHERE w.deleted_at IS NULL AND " + visible(caller) + " ORDER BY w.name LIMIT :limit OFFSET :offset")
			.bind("me", me)
			.bind("limit", listing.limit())
			.bind("offset", listing.offset())
			.map((row) -> {
				Map<String, Object> view = new LinkedHashMap<>();
				view.put("name", row.get("name", String.class));
				view.put("description", row.get("description", String.class));
				view.put("owner_id", row.get("owner_id", UUID.class));
				view.put("role", row.get("role", String.class));
				view.put("resources", row.get("resources", Long.class));
				view.put("created", row.get("created_at", Instant.class));
				return view;
			})
			.all()
			.collectList();
		return Mono.zip(items, total).map((page) -> listing.answer(page.getT1(), page.getT2()));
	}

	/** A workspace with its members, for one who may use it. */
	public Mono<Map<String, Object>> get(Caller caller, String name) {
		return usable(caller, name).flatMap((workspace) -> view(workspace.id()));
	}

	private Mono<Map<String, Object>> view(UUID id) {
		Mono<Map<String, Object>> row = this.database.sql("SELECT * FROM workspace WHERE id = :id")
			.bind("id", id)
			.map((r) -> {
				Map<String, Object> view = new LinkedHashMap<>();
				view.put("name", r.get("name", String.class));
				view.put("description", r.get("description", String.class));
				view.put("owner_id", r.get("owner_id", UUID.class));
				view.put("created", r.get("created_at", Instant.class));
				view.put("updated", r.get("updated_at", Instant.class));
				return view;
			})
			.one();
		Mono<List<Map<String, Object>>> members = this.database
			.sql("SELECT user_id, role FROM workspace_member WHERE workspace_id = :id ORDER BY added_at, user_id")
			.bind("id", id)
			.map((r) -> Map.<String, Object>of("user_id", r.get("user_id", UUID.class), "role", r.get("role", String.class)))
			.all()
			.collectList();
		return Mono.zip(row, members).map((both) -> {
			Map<String, Object> view = both.getT1();
			view.put("members", both.getT2());
			return view;
		});
	}

	/** A new workspace; its creator is its owner. */
	public Mono<Map<String, Object>> create(Caller caller, @Nullable String name, @Nullable String description) {
		if (name == null || !NAME.matcher(name).matches()) {
			return Mono.error(new ValidationException("name",
					"name must be 1 to 63 lower-case letters, digits and dashes, starting and ending with a letter or digit"));
		}
		if (description != null && description.length() > 2000) {
			return Mono.error(new ValidationException("description", "description must be at most 2000 characters"));
		}
		UUID id = UUID.randomUUID();
		UUID me = UUID.fromString(caller.userId());
		Mono<Void> insert = this.database
			.sql("INSERT INTO workspace (id, name, description, owner_id, created_at, updated_at) "
					+ "VALUES (:id, :name, :description, :owner, now(), now())")
			.bind("id", id)
			.bind("name", name)
			.bindValues(Map.of("description", (description != null) ? description
					: org.springframework.r2dbc.core.Parameter.empty(String.class)))
			.bind("owner", me)
			.then()
			.then(this.database.sql("INSERT INTO workspace_member (workspace_id, user_id, role, added_at) "
					+ "VALUES (:id, :me, 'owner', now())")
				.bind("id", id)
				.bind("me", me)
				.then());
		return this.transactions.transactional(insert)
			.onErrorMap(DataIntegrityViolationException.class,
					(ex) -> new ConflictException("A workspace named '" + name + "' exists"))
			.then(Mono.defer(() -> view(id)));
	}

	/** Adds a member (or changes their role), for the workspace's owners and administrators. */
	public Mono<Map<String, Object>> addMember(Caller caller, String name, @Nullable String user, @Nullable String role) {
		UUID userId = uuid("user_id", user);
		String memberRole = (role == null) ? "member" : role;
		if (!memberRole.equals("owner") && !memberRole.equals("member")) {
			return Mono.error(new ValidationException("role", "role must be owner or member"));
		}
		return managed(caller, name).flatMap((workspace) -> this.database
			.sql("INSERT INTO workspace_member (workspace_id, user_id, role, added_at) VALUES (:id, :user, :role, now()) "
					+ "ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = EXCLUDED.role")
			.bind("id", workspace.id())
			.bind("user", userId)
			.bind("role", memberRole)
			.then()
			.then(Mono.defer(() -> view(workspace.id()))));
	}

	/** Removes a member; the last owner stays. */
	public Mono<Map<String, Object>> removeMember(Caller caller, String name, String user) {
		UUID userId = uuid("user_id", user);
		return managed(caller, name).flatMap((workspace) -> this.transactions.transactional(this.database
			.sql("SELECT user_id, role FROM workspace_member WHERE workspace_id = :id FOR UPDATE")
			.bind("id", workspace.id())
			.map((row) -> Map.entry(row.get("user_id", UUID.class), row.get("role", String.class)))
			.all()
			.collectList()
			.flatMap((members) -> {
				if (members.stream().noneMatch((m) -> m.getKey().equals(userId))) {
					return Mono.error(new SciportException(ErrorCode.RESOURCE_NOT_FOUND, "No such member", null,
							Map.of("workspace", name, "user_id", userId.toString()), null));
				}
				if (members.stream().noneMatch((m) -> !m.getKey().equals(userId) && "owner".equals(m.getValue()))) {
					return Mono.error(new ConflictException("A workspace keeps at least one owner"));
				}
				return this.database.sql("DELETE FROM workspace_member WHERE workspace_id = :id AND user_id = :user")
					.bind("id", workspace.id())
					.bind("user", userId)
					.then();
			}))
			.then(Mono.defer(() -> view(workspace.id()))));
	}

	/**
	 * Deletes a workspace, refused while it holds resources unless {@code force}: then they are
	 * deleted with it, each announced.
	 */
	public Mono<Void> delete(Caller caller, String name, boolean force) {
		if (PUBLIC.equals(name)) {
			return Mono.error(new ConflictException("The public workspace cannot be deleted"));
		}
		return managed(caller, name).flatMap((workspace) -> this.transactions.transactional(this.database
			.sql("SELECT id FROM workspace WHERE id = :id FOR UPDATE")
			.bind("id", workspace.id())
			.then()
			.then(this.database
				.sql("SELECT count(*) AS n FROM resource WHERE workspace_id = :id AND deleted_at IS NULL")
				.bind("id", workspace.id())
				.map((row) -> row.get("n", Long.class))
				.one())
			.flatMap((held) -> {
				if (held > 0 && !force) {
					return Mono.error(new SciportException(ErrorCode.CONFLICT, "Workspace '" + name + "' holds " + held
							+ " resource(s); delete them first, or ask with force=true", null,
							Map.of("workspace", name, "resources", held), null));
				}
				Flux<WorkflowEvents.Resource> deleted = this.database
					.sql("UPDATE resource SET deleted_at = now() WHERE workspace_id = :id AND deleted_at IS NULL "
							+ "RETURNING id, type, name, version, revision, status, created_by")
					.bind("id", workspace.id())
					.map((row) -> new WorkflowEvents.Resource(row.get("id", UUID.class).toString(), name,
							row.get("type", String.class), row.get("name", String.class), row.get("version", String.class),
							row.get("revision", Integer.class), "deleted", row.get("created_by", UUID.class).toString()))
					.all();
				return deleted
					.concatMap((resource) -> this.outbox.append(Topics.WORKFLOW,
							CloudEvent.create(WorkflowEvents.SOURCE, WorkflowEvents.ResourceDeleted.TYPE,
									resource.resourceId(), this.codec.toData(new WorkflowEvents.ResourceDeleted(resource)))))
					.then(this.database.sql("UPDATE workspace SET deleted_at = now() WHERE id = :id")
						.bind("id", workspace.id())
						.then());
			})));
	}

	private Mono<Workspace> managed(Caller caller, String name) {
		return usable(caller, name).flatMap((workspace) -> {
			if (PUBLIC.equals(workspace.name())) {
				return Mono.error(new PermissionDeniedException("The public workspace has no members to manage"));
			}
			return workspace.managedBy(caller) ? Mono.just(workspace)
					: Mono.error(new PermissionDeniedException("Only the workspace's owners manage it"));
		});
	}

	private static UUID uuid(String field, @Nullable String value) {
		try {
			return UUID.fromString((value != null) ? value.trim() : "");
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException(field, field + " must be a user id (a UUID)");
		}
	}

}
