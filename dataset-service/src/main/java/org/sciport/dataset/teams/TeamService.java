package org.sciport.dataset.teams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.event.CatalogueEvents;
import org.sciport.commons.event.CloudEvent;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.Topics;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.PermissionDeniedException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.page.Page;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.security.Caller;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Teams. Anyone may create one and becomes its owner; owners (and administrators) rename it
 * and manage its members; members see it. A team the caller is not in is "not found". Every
 * member added or removed is announced on {@code sciport.dataset}, so that other services
 * (harvest-service's grants) know who is in a team.
 */
@Service
public class TeamService {

	private static final Set<String> ROLES = Set.of("owner", "member");

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final OutboxWriter outbox;

	private final CloudEventCodec codec;

	TeamService(DatabaseClient database, TransactionalOperator transactions, OutboxWriter outbox, CloudEventCodec codec) {
		this.database = database;
		this.transactions = transactions;
		this.outbox = outbox;
		this.codec = codec;
	}

	public Mono<Team> create(Caller caller, @Nullable String name, @Nullable List<Team.Member> members) {
		String teamName = validName(name);
		UUID me = UUID.fromString(caller.userId());
		List<Team.Member> all = new ArrayList<>();
		all.add(new Team.Member(me, "owner"));
		if (members != null) {
			all.addAll(validMembers(members));
		}
		if (all.stream().map(Team.Member::userId).distinct().count() != all.size()) {
			return Mono.error(new ValidationException("members", "a user is listed twice (the creator is an owner already)"));
		}
		UUID id = UUID.randomUUID();
		Instant now = Instant.now();
		Mono<Void> insert = this.database
			.sql("INSERT INTO team (id, name, created_by, created_at, updated_at) VALUES (:id, :name, :by, :now, :now)")
			.bind("id", id)
			.bind("name", teamName)
			.bind("by", me)
			.bind("now", now)
			.then()
			.thenMany(Flux.fromIterable(all).concatMap((member) -> addMember(id, member, now)))
			.then();
		return this.transactions.transactional(insert).then(Mono.defer(() -> get(caller, id)));
	}

	public Mono<Page<Team>> listMine(Caller caller, PageRequest page, String basePath) {
		UUID me = UUID.fromString(caller.userId());
		Mono<Long> total = this.database
			.sql("SELECT count(*) AS n FROM team_member WHERE user_id = :me")
			.bind("me", me)
			.map((row) -> row.get("n", Long.class))
			.one();
		Mono<List<Team>> teams = this.database
			.sql("SELECT t.id FROM team t JOIN team_member m ON m.team_id = t.id AND m.user_id = :me "
					+ "ORDER BY t.created_at, t.id LIMIT :limit OFFSET :offset")
			.bind("me", me)
			.bind("limit", page.perPage())
			.bind("offset", page.offset())
			.map((row) -> row.get("id", UUID.class))
			.all()
			.concatMap(this::load)
			.collectList();
		return Mono.zip(teams, total).map((both) -> Page.of(both.getT1(), both.getT2(), page, basePath));
	}

	/**
	 * A team the caller belongs to (or any team, for an administrator).
	 */
	public Mono<Team> get(Caller caller, UUID id) {
		return load(id).filter((team) -> caller.isAdmin() || isMember(team, caller))
			.switchIfEmpty(Mono.error(() -> new NotFoundException("No such team")));
	}

	public Mono<Team> rename(Caller caller, UUID id, String name) {
		String teamName = validName(name);
		return change(caller, id, (team) -> setName(id, teamName));
	}

	public Mono<Team> addMember(Caller caller, UUID id, Team.Member member) {
		Team.Member valid = validMembers(List.of(member)).get(0);
		return change(caller, id, (team) -> add(team, valid));
	}

	/**
	 * Removes a member; the answer is the team as it now is, also when the caller removed
	 * themselves.
	 */
	public Mono<Team> removeMember(Caller caller, UUID id, UUID userId) {
		return change(caller, id, (team) -> remove(team, userId));
	}

	/**
	 * Gives a member another role. The last owner cannot step down.
	 */
	public Mono<Team> changeRole(Caller caller, UUID id, UUID userId, @Nullable String role) {
		if (role == null) {
			return Mono.error(new ValidationException("role", "role is required (owner or member)"));
		}
		Team.Member valid = validMembers(List.of(new Team.Member(userId, role))).get(0);
		return change(caller, id, (team) -> setRole(team, valid));
	}

	/**
	 * Several changes to a team at once, all or none: a new name, members added, members
	 * removed, roles changed, in that order, each checked against the team as the ones before
	 * left it. Whether the caller may manage the team is decided once, before the first.
	 */
	public Mono<Team> update(Caller caller, UUID id, @Nullable String name, List<Team.Member> add,
			List<Team.Member> roles, List<UUID> remove) {
		String teamName = (name != null) ? validName(name) : null;
		List<Team.Member> added = validMembers(add);
		List<Team.Member> changed = validMembers(roles);
		return change(caller, id, (team) -> ((teamName != null) ? setName(id, teamName) : Mono.<Void>empty())
			.thenMany(Flux.fromIterable(added).concatMap((member) -> load(id).flatMap((now) -> add(now, member))))
			.thenMany(Flux.fromIterable(remove).concatMap((user) -> load(id).flatMap((now) -> remove(now, user))))
			.thenMany(Flux.fromIterable(changed).concatMap((member) -> load(id).flatMap((now) -> setRole(now, member))))
			.then());
	}

	/**
	 * Applies a change to a team its caller manages, in one transaction that holds the team's
	 * row, so that two changes at once cannot both pass a check (such as "one owner remains")
	 * that only one of them may; answers the team as the change left it.
	 */
	private Mono<Team> change(Caller caller, UUID id, java.util.function.Function<Team, Mono<Void>> change) {
		Mono<Team> changed = this.database.sql("SELECT id FROM team WHERE id = :id FOR UPDATE")
			.bind("id", id)
			.then()
			.then(managed(caller, id))
			.flatMap((team) -> change.apply(team).then(touch(id)))
			.then(Mono.defer(() -> load(id)));
		return this.transactions.transactional(changed);
	}

	private Mono<Void> setName(UUID id, String name) {
		return this.database.sql("UPDATE team SET name = :name WHERE id = :id").bind("name", name).bind("id", id).then();
	}

	private Mono<Void> add(Team team, Team.Member member) {
		if (team.members().stream().anyMatch((m) -> m.userId().equals(member.userId()))) {
			return Mono.error(new ConflictException("This user is already a member of the team"));
		}
		return addMember(team.id(), member, Instant.now());
	}

	private Mono<Void> remove(Team team, UUID userId) {
		List<Team.Member> remaining = team.members().stream().filter((m) -> !m.userId().equals(userId)).toList();
		if (remaining.size() == team.members().size()) {
			return Mono.error(new NotFoundException("No such member"));
		}
		if (remaining.stream().noneMatch((m) -> "owner".equals(m.role()))) {
			return Mono.error(new ConflictException("A team keeps at least one owner"));
		}
		return this.database.sql("DELETE FROM team_member WHERE team_id = :id AND user_id = :user")
			.bind("id", team.id())
			.bind("user", userId)
			.then()
			.then(announce(team.id(), new CatalogueEvents.TeamMemberRemoved(team.id().toString(), userId.toString())));
	}

	private Mono<Void> setRole(Team team, Team.Member member) {
		if (team.members().stream().noneMatch((m) -> m.userId().equals(member.userId()))) {
			return Mono.error(new NotFoundException("No such member"));
		}
		boolean ownerRemains = "owner".equals(member.role()) || team.members().stream()
			.anyMatch((m) -> "owner".equals(m.role()) && !m.userId().equals(member.userId()));
		if (!ownerRemains) {
			return Mono.error(new ConflictException("A team keeps at least one owner"));
		}
		return this.database.sql("UPDATE team_member SET role = :role WHERE team_id = :id AND user_id = :user")
			.bind("role", member.role())
			.bind("id", team.id())
			.bind("user", member.userId())
			.then();
	}

	/**
	 * The caller's team with this name (case-insensitive; the oldest if several); 404 naming
	 * {@code team_name} if they are in none of that name.
	 */
	public Mono<UUID> mineNamed(Caller caller, String name) {
		return this.database
			.sql("SELECT t.id FROM team t JOIN team_member m ON m.team_id = t.id AND m.user_id = :me "
					+ "WHERE lower(t.name) = lower(:name) ORDER BY t.created_at, t.id LIMIT 1")
			.bind("me", UUID.fromString(caller.userId()))
			.bind("name", name.trim())
			.map((row) -> row.get("id", UUID.class))
			.one()
			.switchIfEmpty(Mono.error(() -> new org.sciport.commons.error.NotFoundException(
					"You are in no team called " + name.trim())));
	}

	/**
	 * Whether the user belongs to the team.
	 */
	public Mono<Boolean> isMember(UUID teamId, UUID userId) {
		return this.database.sql("SELECT 1 FROM team_member WHERE team_id = :team AND user_id = :user")
			.bind("team", teamId)
			.bind("user", userId)
			.map((row) -> true)
			.one()
			.defaultIfEmpty(false);
	}

	private Mono<Team> managed(Caller caller, UUID id) {
		return get(caller, id).flatMap((team) -> (caller.isAdmin() || team.members().stream()
			.anyMatch((m) -> m.userId().toString().equals(caller.userId()) && "owner".equals(m.role()))) ? Mono.just(team)
					: Mono.error(new PermissionDeniedException("Only the team's owners manage it")));
	}

	private Mono<Team> load(UUID id) {
		Mono<Map<String, Object>> row = this.database.sql("SELECT * FROM team WHERE id = :id").bind("id", id).fetch().one();
		Mono<List<Team.Member>> members = this.database
			.sql("SELECT user_id, role FROM team_member WHERE team_id = :id ORDER BY added_at, user_id")
			.bind("id", id)
			.map((r) -> new Team.Member(r.get("user_id", UUID.class), r.get("role", String.class)))
			.all()
			.collectList();
		return row.zipWith(members).map((both) -> new Team((UUID) both.getT1().get("id"), (String) both.getT1().get("name"),
				both.getT2(), (UUID) both.getT1().get("created_by"), toInstant(both.getT1().get("created_at")),
				toInstant(both.getT1().get("updated_at"))));
	}

	private Mono<Void> addMember(UUID teamId, Team.Member member, Instant now) {
		return this.database
			.sql("INSERT INTO team_member (team_id, user_id, role, added_at) VALUES (:team, :user, :role, :now)")
			.bind("team", teamId)
			.bind("user", member.userId())
			.bind("role", member.role())
			.bind("now", now)
			.then()
			.then(announce(teamId, new CatalogueEvents.TeamMemberAdded(teamId.toString(), member.userId().toString(),
					member.role())));
	}

	/** Announces a change of a team's members, in the transaction that makes it. */
	private Mono<Void> announce(UUID team, CatalogueEvents.Event event) {
		return this.outbox.append(Topics.DATASET,
				CloudEvent.create(CatalogueEvents.SOURCE, event.type(), team.toString(), this.codec.toData(event)));
	}

	private Mono<Void> touch(UUID id) {
		return this.database.sql("UPDATE team SET updated_at = now() WHERE id = :id").bind("id", id).then();
	}

	private static boolean isMember(Team team, Caller caller) {
		return team.members().stream().anyMatch((m) -> m.userId().toString().equals(caller.userId()));
	}

	private static List<Team.Member> validMembers(List<Team.Member> members) {
		Map<UUID, Team.Member> byUser = new LinkedHashMap<>();
		Set<UUID> seen = new HashSet<>();
		for (Team.Member member : members) {
			if (member == null || member.userId() == null) {
				throw new ValidationException("members", "every member needs a user_id");
			}
			String role = (member.role() != null) ? member.role() : "member";
			if (!ROLES.contains(role)) {
				throw new ValidationException("role", "role must be owner or member");
			}
			if (!seen.add(member.userId())) {
				throw new ValidationException("members", "user " + member.userId() + " is listed twice");
			}
			byUser.put(member.userId(), new Team.Member(member.userId(), role));
		}
		return new ArrayList<>(byUser.values());
	}

	static String validName(@Nullable String name) {
		if (name == null || name.isBlank()) {
			throw new ValidationException("name", "name is required");
		}
		String trimmed = name.trim();
		if (trimmed.length() > 200 || trimmed.chars().anyMatch(Character::isISOControl)) {
			throw new ValidationException("name", "name must be at most 200 printable characters");
		}
		return trimmed;
	}

	private static Instant toInstant(Object value) {
		if (value instanceof Instant instant) {
			return instant;
		}
		if (value instanceof java.time.OffsetDateTime offset) {
			return offset.toInstant();
		}
		throw new IllegalStateException("Unexpected timestamp " + value);
	}

}
