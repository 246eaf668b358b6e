package org.sciport.auth.tokens;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.security.JwtSettings;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * The signing keys: generated here, kept sealed in the database, rotated on a schedule. A new
 * key is published at least {@code keyPublishLead} before it signs, and a replaced key stays
 * published for as long as the tokens it signed can live.
 */
@Component
public class SigningKeys {

	private static final Log logger = LogFactory.getLog(SigningKeys.class);

	/** Elects the one replica that rotates keys at a time. */
	private static final long ROTATION_LOCK_ID = 0x5C1_4E75L;

	private static final Duration RELOAD_AFTER = Duration.ofSeconds(10);

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final TokenProperties properties;

	private final KeySealer sealer;

	private final Map<String, ECKey> opened = new ConcurrentHashMap<>();

	private volatile @Nullable Loaded loaded;

	SigningKeys(DatabaseClient database, TransactionalOperator transactions, TokenProperties properties) {
		this.database = database;
		this.transactions = transactions;
		this.properties = properties;
		if (properties.keyEncryptionKey().isBlank()) {
			throw new IllegalStateException("sciport.auth.tokens.key-encryption-key is not set: auth-service needs "
					+ "32 random bytes in base64 (e.g. openssl rand -base64 32) to seal its signing keys");
		}
		this.sealer = new KeySealer(properties.keyEncryptionKey());
	}

	/**
	 * A key as stored: its public JWK in clear, its private JWK sealed.
	 */
	record StoredKey(String kid, String publicJwk, byte[] sealedPrivateJwk, Instant signsFrom) {
	}

	private record Loaded(List<StoredKey> keys, Instant at) {
	}

	/**
	 * The key that signs at {@code now}: the one with the latest start not after it.
	 */
	static Optional<StoredKey> signingAt(List<StoredKey> keys, Instant now) {
		StoredKey signing = null;
		for (StoredKey key : keys) {
			if (!key.signsFrom().isAfter(now) && (signing == null || key.signsFrom().isAfter(signing.signsFrom()))) {
				signing = key;
			}
		}
		return Optional.ofNullable(signing);
	}

	/**
	 * The keys verifiers must know at {@code now}: every key not yet replaced (including one
	 * announced for the future), and each replaced key until {@code retention} after its
	 * successor took over. {@code keys} must be ordered by start.
	 */
	static List<StoredKey> publishedAt(List<StoredKey> keys, Instant now, Duration retention) {
		List<StoredKey> published = new ArrayList<>();
		for (int i = 0; i < keys.size(); i++) {
			StoredKey next = (i + 1 < keys.size()) ? keys.get(i + 1) : null;
			if (next == null || next.signsFrom().isAfter(now) || next.signsFrom().plus(retention).isAfter(now)) {
				published.add(keys.get(i));
			}
		}
		return published;
	}

	/**
	 * Creates the first key, or the successor of the signing key when its time is near. Safe to
	 * call from every replica: one at a time does the work.
	 */
	public Mono<Void> rotateIfDue(Instant now) {
		Mono<Void> rotation = this.database.sql("SELECT pg_try_advisory_xact_lock(:id) AS leading")
			.bind("id", ROTATION_LOCK_ID)
			.map((row) -> Boolean.TRUE.equals(row.get("leading", Boolean.class)))
			.one()
			.flatMap((leading) -> leading ? loadAll().flatMap((keys) -> createIfDue(keys, now)) : Mono.empty());
		return this.transactions.transactional(rotation).then(Mono.fromRunnable(() -> this.loaded = null));
	}

	private Mono<Void> createIfDue(List<StoredKey> keys, Instant now) {
		Optional<StoredKey> signing = signingAt(keys, now);
		boolean announced = keys.stream().anyMatch((key) -> key.signsFrom().isAfter(now));
		if (signing.isEmpty() && !announced) {
			logger.info("Creating the first signing key");
			return create(now);
		}
		if (signing.isPresent() && !announced) {
			Instant due = signing.get().signsFrom().plus(this.properties.keyRotation());
			if (!now.isBefore(due.minus(this.properties.keyPublishLead()))) {
				Instant start = due.isAfter(now.plus(this.properties.keyPublishLead())) ? due
						: now.plus(this.properties.keyPublishLead());
				logger.info("Announcing the next signing key, signing from " + start);
				return create(start);
			}
		}
		return Mono.empty();
	}

	private Mono<Void> create(Instant signsFrom) {
		ECKey key;
		try {
			key = new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString())
				.keyUse(KeyUse.SIGNATURE)
				.algorithm(com.nimbusds.jose.JWSAlgorithm.ES256)
				.generate();
		}
		catch (JOSEException ex) {
			return Mono.error(new IllegalStateException("Could not generate a signing key", ex));
		}
		return this.database
			.sql("INSERT INTO signing_key (kid, algorithm, public_jwk, private_jwk_sealed, created_at, signs_from) "
					+ "VALUES (:kid, :alg, :public, :sealed, now(), :from)")
			.bind("kid", key.getKeyID())
			.bind("alg", JwtSettings.ALGORITHM)
			.bind("public", key.toPublicJWK().toJSONString())
			.bind("sealed", this.sealer.seal(key.getKeyID(), key.toJSONString()))
			.bind("from", signsFrom)
			.then();
	}

	/**
	 * The private key that signs now.
	 */
	public Mono<ECKey> signingKey(Instant now) {
		return keys(now).map((keys) -> signingAt(keys, now)
			.orElseThrow(() -> new IllegalStateException("No signing key is active")))
			.map((stored) -> this.opened.computeIfAbsent(stored.kid(), (kid) -> open(stored)));
	}

	/**
	 * The public keys verifiers must know now.
	 */
	public Mono<JWKSet> published(Instant now) {
		Duration retention = this.properties.accessTokenTtl().plusSeconds(60);
		return keys(now).map((keys) -> {
			List<JWK> jwks = new ArrayList<>();
			for (StoredKey key : publishedAt(keys, now, retention)) {
				jwks.add(parse(key.publicJwk()));
			}
			return new JWKSet(jwks);
		});
	}

	private Mono<List<StoredKey>> keys(Instant now) {
		Loaded current = this.loaded;
		if (current != null && current.at().plus(RELOAD_AFTER).isAfter(Instant.now())) {
			return Mono.just(current.keys());
		}
		return loadAll().doOnNext((keys) -> this.loaded = new Loaded(keys, Instant.now()));
	}

	private Mono<List<StoredKey>> loadAll() {
		return this.database.sql("SELECT kid, public_jwk, private_jwk_sealed, signs_from FROM signing_key ORDER BY signs_from")
			.map((row) -> new StoredKey(row.get("kid", String.class), row.get("public_jwk", String.class),
					toBytes(row.get("private_jwk_sealed")), row.get("signs_from", Instant.class)))
			.all()
			.collectList();
	}

	private static byte[] toBytes(@Nullable Object value) {
		if (value instanceof byte[] bytes) {
			return bytes;
		}
		if (value instanceof java.nio.ByteBuffer buffer) {
			byte[] bytes = new byte[buffer.remaining()];
			buffer.get(bytes);
			return bytes;
		}
		throw new IllegalStateException("Unexpected sealed key type");
	}

	private ECKey open(StoredKey stored) {
		return (ECKey) parse(this.sealer.open(stored.kid(), stored.sealedPrivateJwk()));
	}

	private static JWK parse(String json) {
		try {
			return JWK.parse(json);
		}
		catch (ParseException ex) {
			throw new IllegalStateException("A stored key is not a JWK", ex);
		}
	}

}
