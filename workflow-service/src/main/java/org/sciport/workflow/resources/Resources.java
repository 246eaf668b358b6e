package org.sciport.workflow.resources;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.SciportException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.event.WorkflowEvents;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.security.Caller;
import org.sciport.workflow.WorkflowProperties;
import org.sciport.workflow.web.Listing;
import org.sciport.workflow.workspaces.Workspaces;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Resources in workspaces: applied from a manifest (created, or a new revision of one), listed,
 * read, deleted; every apply kept. Who may use the workspace may see and change its resources
 * (see {@link Workspaces}); to anyone else they do not exist. Each change is announced on
 * {@code sciport.workflow} in its transaction.
 */
@Service
public class Resources {

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	private final Workspaces workspaces;

	private final WorkflowProperties properties;

	private final JsonMapper json;

	/** Looked up when a resource is applied: the runs module depends on this class in turn. */
	private final ObjectProvider<Applied> applied;

	private final org.sciport.workflow.stacks.Stacks stacks;

	Resources(DatabaseClient database, TransactionalOperator transactions, OutboxWriter outbox, CloudEventCodec codec,
			Workspaces workspaces, WorkflowProperties properties, JsonMapper json, ObjectProvider<Applied> applied,
			org.sciport.workflow.stacks.Stacks stacks) {
		this.applied = applied;
		this.stacks = stacks;
		this.database = database;
		this.transactions = transactions;
		this.outbox = outbox;
		this.codec = codec;
		this.workspaces = workspaces;
		this.properties = properties;
		this.json = json;
	}

	/** A manifest parsed and checked, or the 400 (413, 415) saying what is wrong with it. */
	Manifest manifest(String text, @Nullable MediaType contentType) {
		if (text.length() > this.properties.maxManifestSize().toBytes()) {
			throw new SciportException(ErrorCode.PAYLOAD_TOO_LARGE,
					"A manifest is at most " + this.properties.maxManifestSize().toKilobytes() + " KB");
		}
		return Manifest.parse(text, contentType, this.properties.resourceTypes());
	}

	/**
	 * Refuses a workflow whose tasks run on the {@code shell} stack to anyone but an
	 * administrator, unless the installation lets everyone use it: its commands run on the
	 * service's host, as the service's user.
	 */
	private void mayRun(Caller caller, Manifest manifest) {
		if ("workflow".equals(manifest.type()) && !caller.isAdmin() && !this.properties.runs().shellForEveryone()
				&& WorkflowSpec.runsOnHost(manifest.spec(), this.stacks::runsOnHost)) {
			throw new org.sciport.commons.error.PermissionDeniedException("The shell stack runs commands on the "
					+ "service's host: only administrators may apply workflows that use it here "
					+ "(sciport.workflow.runs.shell-for-everyone)");
		}
	}

	/** Applies a new resource: 409 if one of its type and name is in the workspace. */
	public Mono<Map<String, Object>> create(Caller caller, Manifest manifest, @Nullable String workspaceParam) {
		mayRun(caller, manifest);
		String workspaceName = workspace(manifest, workspaceParam);
		UUID id = UUID.randomUUID();
		UUID me = UUID.fromString(caller.userId());
		return this.workspaces.usable(caller, workspaceName).flatMap((workspace) -> this.transactions
			.transactional(this.database
				.sql("INSERT INTO resource (id, workspace_id, type, name, version, revision, description, tags, spec, status, "
						+ "created_by, created_at, updated_at) VALUES (:id, :workspace, :type, :name, :version, 1, :description, "
						+ ":tags, CAST(:spec AS jsonb), 'pending', :me, now(), now())")
				.bind("id", id)
				.bind("workspace", workspace.id())
				.bind("type", manifest.type())
				.bind("name", manifest.name())
				.bind("version", manifest.version())
				.bindValues(Map.of("description", nullable(manifest.description())))
				.bind("tags", manifest.tags().toArray(String[]::new))
				.bind("spec", manifest.spec().toString())
				.bind("me", me)
				.then()
				.then(revision(id, 1, manifest, caller))
				.then(announce(WorkflowEvents.ResourceCreated.TYPE, new WorkflowEvents.ResourceCreated(
						event(id, workspaceName, manifest, 1, "pending", me))))
				.then(applied(caller, id, 1, manifest)))
			.onErrorMap(DataIntegrityViolationException.class, (ex) -> new SciportException(ErrorCode.CONFLICT,
					"A " + manifest.type() + " named '" + manifest.name() + "' exists in workspace '" + workspaceName
							+ "'; PUT /v1/resources/" + manifest.type() + "/" + manifest.name() + " applies a new version",
					null, details(manifest.type(), manifest.name(), workspaceName), null))
			.then(Mono.fromSupplier(() -> summary(manifest, workspaceName, "pending"))));
	}

	/** Applies a new revision of an existing resource, the earlier ones kept. */
	public Mono<Map<String, Object>> update(Caller caller, String type, String name, Manifest manifest,
			@Nullable String workspaceParam) {
		if (!manifest.type().equals(type)) {
			return Mono.error(new ValidationException("type",
					"the manifest's type '" + manifest.type() + "' is not the path's '" + type + "'"));
		}
		if (!manifest.name().equals(name)) {
			return Mono.error(new ValidationException("name",
					"the manifest's name '" + manifest.name() + "' is not the path's '" + name + "'"));
		}
		mayRun(caller, manifest);
		String workspaceName = workspace(manifest, workspaceParam);
		UUID me = UUID.fromString(caller.userId());
		return find(caller, type, name, workspaceName, true).flatMap((found) -> this.transactions.transactional(
				this.database
					.sql("UPDATE resource SET version = :version, revision = revision + 1, description = :description, "
							+ "tags = :tags, spec = CAST(:spec AS jsonb), status = 'pending', updated_at = now() WHERE id = :id "
							+ "RETURNING revision")
					.bind("version", manifest.version())
					.bindValues(Map.of("description", nullable(manifest.description())))
					.bind("tags", manifest.tags().toArray(String[]::new))
					.bind("spec", manifest.spec().toString())
					.bind("id", found.id())
					.map((row) -> row.get("revision", Integer.class))
					.one()
					.flatMap((revision) -> revision(found.id(), revision, manifest, caller)
						.then(announce(WorkflowEvents.ResourceUpdated.TYPE, new WorkflowEvents.ResourceUpdated(
								event(found.id(), workspaceName, manifest, revision, "pending", found.createdBy()))))
						.then(applied(caller, found.id(), revision, manifest)))))
			.then(Mono.fromSupplier(() -> summary(manifest, workspaceName, "pending")));
	}

	private Mono<Void> applied(Caller caller, UUID id, int revision, Manifest manifest) {
		return reactor.core.publisher.Flux.fromStream(this.applied::orderedStream)
			.concatMap((listener) -> listener.applied(caller, id, revision, manifest))
			.then();
	}

	/**
	 * A resource located for one who may use its workspace.
	 *
	 * @param id its id
	 * @param workspace its workspace
	 * @param type its type
	 * @param name its name
	 * @param revision its revision now
	 * @param spec its spec now
	 */
	public record Located(UUID id, String workspace, String type, String name, int revision,
			tools.jackson.databind.JsonNode spec) {
	}

	/** The resource, for one who may use its workspace; the seed's 404 otherwise. */
	public Mono<Located> locate(Caller caller, String type, String name, @Nullable String workspaceName) {
		String workspace = orPublic(workspaceName);
		return find(caller, type, name, workspace, false).map((found) -> new Located(found.id(), workspace, type, name,
				found.revision(), (tools.jackson.databind.JsonNode) found.view().get("spec")));
	}

	/** The resources the caller may see, filtered by type and workspace. */
	public Mono<Map<String, Object>> list(Caller caller, @Nullable String type, @Nullable String workspaceName,
			Listing listing) {
		Mono<Void> workspaceKnown = (workspaceName != null) ? this.workspaces.usable(caller, workspaceName).then()
				: Mono.empty();
		String where = "r.deleted_at IS NULL AND w.deleted_at IS NULL AND " + Workspaces.visible(caller)
				+ " AND (CAST(:type AS text) IS NULL OR r.type = :type) AND (CAST(:workspace AS text) IS NULL OR w.name = :workspace)";
		Mono<Long> total = bindFilters(this.database
			.sql("SELECT count(*) AS n FROM resource r JOIN workspace w ON w.id = r.workspace_id WHERE " + where), caller,
				type, workspaceName)
			.map((row) -> row.get("n", Long.class))
			.one();
		Mono<List<Map<String, Object>>> items = bindFilters(this.database
			.sql("SELECT r.*, w.name AS workspace FROM resource r JOIN workspace w ON w.id = r.workspace_id WHERE " + where
					+ " ORDER BY w.name, r.type, r.name LIMIT :limit OFFSET :offset"), caller, type, workspaceName)
			.bind("limit", listing.limit())
			.bind("offset", listing.offset())
			.map((row) -> {
				Map<String, Object> item = new LinkedHashMap<>();
				item.put("name", row.get("name", String.class));
				item.put("version", row.get("version", String.class));
				item.put("type", row.get("type", String.class));
				item.put("workspace", row.get("workspace", String.class));
				item.put("status", row.get("status", String.class));
				item.put("created", row.get("created_at", Instant.class));
				return item;
			})
			.all()
			.collectList();
		return workspaceKnown.then(Mono.zip(items, total)).map((page) -> listing.answer(page.getT1(), page.getT2()));
	}

	private static DatabaseClient.GenericExecuteSpec bindFilters(DatabaseClient.GenericExecuteSpec spec, Caller caller,
			@Nullable String type, @Nullable String workspace) {
		if (!caller.isAdmin()) {
			spec = spec.bind("me", UUID.fromString(caller.userId()));
		}
		return spec.bindValues(Map.of("type", nullable(type), "workspace", nullable(workspace)));
	}

	/** One resource with its spec. */
	public Mono<Map<String, Object>> get(Caller caller, String type, String name, @Nullable String workspaceName) {
		return find(caller, type, name, orPublic(workspaceName), false).map((found) -> found.view());
	}

	/** Deletes a resource (its revisions stay), announced. */
	public Mono<Map<String, Object>> delete(Caller caller, String type, String name, @Nullable String workspaceName) {
		String workspace = orPublic(workspaceName);
		return find(caller, type, name, workspace, true).flatMap((found) -> this.transactions.transactional(this.database
			.sql("UPDATE resource SET deleted_at = now() WHERE id = :id")
			.bind("id", found.id())
			.then()
			.then(announce(WorkflowEvents.ResourceDeleted.TYPE, new WorkflowEvents.ResourceDeleted(
					new WorkflowEvents.Resource(found.id().toString(), workspace, type, name, found.version(),
							found.revision(), "deleted", found.createdBy().toString()))))))
			.then(Mono.fromSupplier(() -> {
				Map<String, Object> resource = new LinkedHashMap<>();
				resource.put("name", name);
				resource.put("type", type);
				return resource;
			}));
	}

	/** A resource's revisions, newest first. */
	public Mono<Map<String, Object>> revisions(Caller caller, String type, String name, @Nullable String workspaceName,
			Listing listing) {
		return find(caller, type, name, orPublic(workspaceName), false).flatMap((found) -> this.database
			.sql("SELECT revision, version, created_by, created_at FROM resource_revision WHERE resource_id = :id "
					+ "ORDER BY revision DESC LIMIT :limit OFFSET :offset")
			.bind("id", found.id())
			.bind("limit", listing.limit())
			.bind("offset", listing.offset())
			.map((row) -> {
				Map<String, Object> item = new LinkedHashMap<>();
				item.put("revision", row.get("revision", Integer.class));
				item.put("version", row.get("version", String.class));
				item.put("created_by", row.get("created_by", UUID.class));
				item.put("created", row.get("created_at", Instant.class));
				return item;
			})
			.all()
			.collectList()
			.map((items) -> listing.answer(items, found.revision())));
	}

	/** One revision of a resource: its spec and the manifest as it was sent. */
	public Mono<Map<String, Object>> revision(Caller caller, String type, String name, @Nullable String workspaceName,
			int revision) {
		return find(caller, type, name, orPublic(workspaceName), false).flatMap((found) -> this.database
			.sql("SELECT revision, version, spec, manifest, created_by, created_at FROM resource_revision "
					+ "WHERE resource_id = :id AND revision = :revision")
			.bind("id", found.id())
			.bind("revision", revision)
			.map((row) -> {
				Map<String, Object> view = new LinkedHashMap<>();
				view.put("revision", row.get("revision", Integer.class));
				view.put("version", row.get("version", String.class));
				view.put("spec", this.json.readTree(org.sciport.workflow.web.Json.text(row, "spec")));
				view.put("manifest", row.get("manifest", String.class));
				view.put("created_by", row.get("created_by", UUID.class));
				view.put("created", row.get("created_at", Instant.class));
				return view;
			})
			.one()
			.switchIfEmpty(Mono.error(() -> new SciportException(ErrorCode.RESOURCE_NOT_FOUND,
					"Revision " + revision + " of " + type + " '" + name + "' not found", null,
					Map.of("type", type, "name", name, "revision", revision), null))));
	}

	/**
	 * A resource found.
	 *
	 * @param id its id
	 * @param version its version
	 * @param revision its revision
	 * @param view its answer
	 */
	private record Found(UUID id, String version, int revision, Map<String, Object> view, UUID createdBy) {
	}

	/** A resource of the workspace, locked for a change when {@code lock}; 404 with the seed's details if none. */
	private Mono<Found> find(Caller caller, String type, String name, String workspaceName, boolean lock) {
		return this.workspaces.usable(caller, workspaceName)
			.onErrorMap(SciportException.class,
					(ex) -> (ex.code() == ErrorCode.RESOURCE_NOT_FOUND) ? notFound(type, name, workspaceName) : ex)
			.flatMap((workspace) -> this.database
				.sql("SELECT * FROM resource WHERE workspace_id = :workspace AND type = :type AND name = :name "
						+ "AND deleted_at IS NULL" + (lock ? " FOR UPDATE" : ""))
				.bind("workspace", workspace.id())
				.bind("type", type)
				.bind("name", name)
				.map((row) -> new Found(row.get("id", UUID.class), row.get("version", String.class),
						row.get("revision", Integer.class), view(row, workspaceName), row.get("created_by", UUID.class)))
				.one())
			.switchIfEmpty(Mono.error(() -> notFound(type, name, workspaceName)));
	}

	private Map<String, Object> view(Readable row, String workspace) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("name", row.get("name", String.class));
		view.put("version", row.get("version", String.class));
		view.put("type", row.get("type", String.class));
		view.put("workspace", workspace);
		String[] tags = row.get("tags", String[].class);
		view.put("tags", (tags != null) ? List.of(tags) : List.of());
		view.put("description", row.get("description", String.class));
		view.put("status", row.get("status", String.class));
		view.put("revision", row.get("revision", Integer.class));
		view.put("next_run", row.get("next_run_at", Instant.class));
		view.put("spec", this.json.readTree(org.sciport.workflow.web.Json.text(row, "spec")));
		view.put("created_by", row.get("created_by", UUID.class));
		view.put("created", row.get("created_at", Instant.class));
		view.put("updated", row.get("updated_at", Instant.class));
		return view;
	}

	private static SciportException notFound(String type, String name, String workspace) {
		return new SciportException(ErrorCode.RESOURCE_NOT_FOUND,
				Character.toUpperCase(type.charAt(0)) + type.substring(1) + " '" + name + "' not found", null,
				details(type, name, workspace), null);
	}

	private static Map<String, Object> details(String type, String name, String workspace) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("type", type);
		details.put("name", name);
		details.put("workspace", workspace);
		return details;
	}

	/** Keeps a revision, with who applied it and whether as an administrator (its runs act so). */
	private Mono<Void> revision(UUID id, int revision, Manifest manifest, Caller caller) {
		return this.database
			.sql("INSERT INTO resource_revision (resource_id, revision, version, spec, manifest, created_by, applied_as_admin, "
					+ "created_at) VALUES (:id, :revision, :version, CAST(:spec AS jsonb), :manifest, :me, :admin, now())")
			.bind("id", id)
			.bind("revision", revision)
			.bind("version", manifest.version())
			.bind("spec", manifest.spec().toString())
			.bind("manifest", manifest.text())
			.bind("me", UUID.fromString(caller.userId()))
			.bind("admin", caller.isAdmin())
			.then();
	}

	private static WorkflowEvents.Resource event(UUID id, String workspace, Manifest manifest, int revision,
			String status, UUID createdBy) {
		return new WorkflowEvents.Resource(id.toString(), workspace, manifest.type(), manifest.name(), manifest.version(),
				revision, status, createdBy.toString());
	}

	private Mono<Void> announce(String type, Object data) {
		String subject = (data instanceof WorkflowEvents.ResourceCreated created) ? created.resource().resourceId()
				: (data instanceof WorkflowEvents.ResourceUpdated updated) ? updated.resource().resourceId()
						: ((WorkflowEvents.ResourceDeleted) data).resource().resourceId();
		return this.outbox.append(Topics.WORKFLOW, CloudEvent.create(WorkflowEvents.SOURCE, type, subject,
				this.codec.toData(data)));
	}

	private static Map<String, Object> summary(Manifest manifest, String workspace, String status) {
		Map<String, Object> resource = new LinkedHashMap<>();
		resource.put("name", manifest.name());
		resource.put("version", manifest.version());
		resource.put("type", manifest.type());
		resource.put("workspace", workspace);
		resource.put("status", status);
		return resource;
	}

	/** The workspace a manifest goes to: the one it names, the query's, or {@code public}; the two must agree. */
	private static String workspace(Manifest manifest, @Nullable String param) {
		if (manifest.workspace() != null && param != null && !param.isBlank() && !manifest.workspace().equals(param)) {
			throw new ValidationException("workspace", "the manifest names workspace '" + manifest.workspace()
					+ "', the request '" + param + "'");
		}
		return (manifest.workspace() != null) ? manifest.workspace() : orPublic(param);
	}

	private static String orPublic(@Nullable String workspace) {
		return (workspace == null || workspace.isBlank()) ? Workspaces.PUBLIC : workspace.trim();
	}

	private static Object nullable(@Nullable String value) {
		return (value != null) ? value : Parameter.empty(String.class);
	}

}
