package org.sciport.harvest.admin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ConflictException;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.secrets.SecretBox;
import org.sciport.harvest.web.Administered;
import org.sciport.harvest.web.Body;
import org.sciport.harvest.web.Sql;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * The accounts instruments are read with: a name, a domain and user name, and a password or a
 * private key. Secrets are sealed at rest ({@link SecretBox}) and never answered: a view says
 * only whether one is set. They are opened only where a source is connected to.
 */
@Service
public class ServiceAccounts {

	static final Set<String> FIELDS = Set.of("name", "domain", "username", "password", "private_key");

	private final DatabaseClient database;

	private final Administered rows;

	private final SecretBox secrets;

	ServiceAccounts(DatabaseClient database, SecretBox secrets) {
		this.rows = new Administered(database, "service_account", "service account", "created_at, id", ServiceAccounts::view);
		this.database = database;
		this.secrets = secrets;
	}

	/**
	 * An account's credentials, opened.
	 *
	 * @param domain the Windows domain, if any
	 * @param username the user name
	 * @param password the password, if one is set
	 * @param privateKey the private key (OpenSSH or PEM), if one is set
	 */
	public record Credentials(@Nullable String domain, String username, @Nullable String password,
			@Nullable String privateKey) {

		@Override
		public String toString() {
			return "Credentials[" + this.username + "]";
		}

	}

	public Mono<List<Map<String, Object>>> list(long offset, int limit) {
		return this.rows.list(offset, limit);
	}

	public Mono<Long> count() {
		return this.rows.count();
	}

	public Mono<Map<String, Object>> get(UUID id) {
		return this.rows.get(id);
	}

	/** The opened credentials of an account. */
	public Mono<Credentials> credentials(UUID id) {
		return this.database
			.sql("SELECT domain, username, password_sealed, private_key_sealed FROM service_account "
					+ "WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.map((row) -> new Credentials(row.get("domain", String.class), row.get("username", String.class),
					open(row.get("password_sealed", String.class)), open(row.get("private_key_sealed", String.class))))
			.one()
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no service account " + id)));
	}

	public Mono<Map<String, Object>> create(Body body) {
		String name = body.required("name", 200);
		String username = body.required("username", 200);
		String domain = body.text("domain", 200);
		String password = body.text("password", 4096);
		String privateKey = body.text("private_key", 65536);
		UUID id = UUID.randomUUID();
		Instant now = Instant.now();
		DatabaseClient.GenericExecuteSpec insert = this.database
			.sql("INSERT INTO service_account (id, name, domain, username, password_sealed, private_key_sealed, created_at, "
					+ "updated_at) VALUES (:id, :name, :domain, :username, :password, :key, :now, :now)")
			.bind("id", id)
			.bind("name", name)
			.bind("username", username)
			.bind("now", now);
		insert = Sql.bind(insert, "domain", domain, String.class);
		insert = Sql.bind(insert, "password", seal(password), String.class);
		insert = Sql.bind(insert, "key", seal(privateKey), String.class);
		return insert.then()
			.onErrorMap(DataIntegrityViolationException.class,
					(ex) -> new ConflictException("a service account named '" + name + "' exists"))
			.then(Mono.defer(() -> get(id)));
	}

	public Mono<Map<String, Object>> update(UUID id, Body body) {
		StringBuilder sets = new StringBuilder("updated_at = now()");
		Map<String, Object> values = new LinkedHashMap<>();
		Map<String, String> nulls = new LinkedHashMap<>();
		if (body.has("name")) {
			sets.append(", name = :name");
			values.put("name", body.required("name", 200));
		}
		if (body.has("username")) {
			sets.append(", username = :username");
			values.put("username", body.required("username", 200));
		}
		if (body.has("domain")) {
			sets.append(", domain = :domain");
			put(values, nulls, "domain", body.text("domain", 200));
		}
		if (body.has("password")) {
			sets.append(", password_sealed = :password");
			put(values, nulls, "password", seal(body.text("password", 4096)));
		}
		if (body.has("private_key")) {
			sets.append(", private_key_sealed = :key");
			put(values, nulls, "key", seal(body.text("private_key", 65536)));
		}
		DatabaseClient.GenericExecuteSpec spec = this.database
			.sql("UPDATE service_account SET " + sets + " WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.bindValues(values);
		for (String name : nulls.keySet()) {
			spec = spec.bindNull(name, String.class);
		}
		return spec.fetch()
			.rowsUpdated()
			.onErrorMap(DataIntegrityViolationException.class, (ex) -> new ConflictException("that name is taken"))
			.flatMap((n) -> (n == 0) ? Mono.<Map<String, Object>>error(new NotFoundException("no service account " + id))
					: get(id));
	}

	public Mono<Void> delete(UUID id) {
		return this.rows.delete(id);
	}

	private @Nullable String seal(@Nullable String secret) {
		return (secret == null || secret.isEmpty()) ? null : this.secrets.seal(secret);
	}

	private @Nullable String open(@Nullable String sealed) {
		return (sealed != null) ? this.secrets.open(sealed) : null;
	}

	private static void put(Map<String, Object> values, Map<String, String> nulls, String name, @Nullable String value) {
		if (value != null) {
			values.put(name, value);
		}
		else {
			nulls.put(name, name);
		}
	}

	private static Map<String, Object> view(Readable row) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", row.get("id", UUID.class));
		view.put("name", row.get("name", String.class));
		view.put("domain", row.get("domain", String.class));
		view.put("username", row.get("username", String.class));
		view.put("has_password", row.get("password_sealed", String.class) != null);
		view.put("has_private_key", row.get("private_key_sealed", String.class) != null);
		view.put("created_at", row.get("created_at", Instant.class));
		view.put("updated_at", row.get("updated_at", Instant.class));
		return view;
	}

}
