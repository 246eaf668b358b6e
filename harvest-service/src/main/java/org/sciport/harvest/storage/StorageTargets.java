package org.sciport.harvest.storage;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.storage.BlobStore;
import org.sciport.commons.storage.LocalBlobStore;
import org.sciport.commons.storage.S3BlobStore;
import org.sciport.commons.secrets.SecretBox;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The blob store behind each storage location, built once per version of its settings.
 */
@Component
public class StorageTargets {

	private final DatabaseClient database;

	private final SecretBox secrets;

	private final JsonMapper json;

	private final Map<UUID, Target> targets = new ConcurrentHashMap<>();

	/** A store overriding every location's, for tests that wrap the real one. */
	private volatile @Nullable UnaryOperator<BlobStore> decorator;

	StorageTargets(DatabaseClient database, SecretBox secrets, JsonMapper json) {
		this.database = database;
		this.secrets = secrets;
		this.json = json;
	}

	/**
	 * A location's store and the version of its settings it was built from.
	 *
	 * @param id the location
	 * @param version its {@code updated_at}
	 * @param store where its blobs go
	 */
	public record Target(UUID id, Instant version, BlobStore store) {

		/**
		 * Writes, reads back and deletes a probe blob.
		 */
		public Mono<Probe> probe() {
			String key = "sciport-probe-" + UUID.randomUUID();
			byte[] content = ("probe " + key).getBytes(StandardCharsets.UTF_8);
			return Mono.defer(() -> this.store.write(key, Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(content))))
				.onErrorMap((ex) -> new ProbeFailure("write", ex))
				.then(DataBufferUtils.join(Flux.defer(() -> this.store.read(key))).map((buffer) -> {
					byte[] read = new byte[buffer.readableByteCount()];
					buffer.read(read);
					DataBufferUtils.release(buffer);
					return read;
				}).onErrorMap((ex) -> !(ex instanceof ProbeFailure), (ex) -> new ProbeFailure("read", ex)))
				.flatMap((read) -> java.util.Arrays.equals(read, content)
						? Mono.defer(() -> this.store.delete(key)).onErrorMap((ex) -> new ProbeFailure("delete", ex)).thenReturn(new Probe(true, "done", "ok"))
						: Mono.just(new Probe(false, "read", "what was read back differs from what was written")))
				.onErrorResume(ProbeFailure.class, (ex) -> Mono.just(new Probe(false, ex.step, ex.reason())));
		}

	}

	/**
	 * @param ok whether every step worked
	 * @param step the step that failed ({@code write}, {@code read}, {@code delete}), or
	 * {@code done}
	 * @param detail what went wrong, without secrets
	 */
	public record Probe(boolean ok, String step, String detail) {
	}

	private static final class ProbeFailure extends RuntimeException {

		private final String step;

		ProbeFailure(String step, Throwable cause) {
			super(step, cause, false, false);
			this.step = step;
		}

		String reason() {
			Throwable root = getCause();
			while (root != null && root.getCause() != null && root.getCause() != root) {
				root = root.getCause();
			}
			return (root != null) ? root.getClass().getSimpleName() + ": " + root.getMessage() : this.step + " failed";
		}

	}

	/** Wraps every store handed out from now on (tests inject faults with it). */
	public void decorate(@Nullable UnaryOperator<BlobStore> decorator) {
		this.decorator = decorator;
		this.targets.clear();
	}

	/** The store of the location {@code id} as it is configured now. */
	public Mono<Target> target(UUID id) {
		return this.database
			.sql("SELECT type, base_path, connection_config, secret_sealed, updated_at FROM storage_location "
					+ "WHERE id = :id AND deleted_at IS NULL")
			.bind("id", id)
			.map((row) -> new Settings(row.get("type", String.class), row.get("base_path", String.class),
					org.sciport.harvest.web.Sql.json(row, "connection_config"), row.get("secret_sealed", String.class),
					row.get("updated_at", Instant.class)))
			.one()
			// Opening a store touches the file system (or builds an HTTP client): not on an event loop.
			.flatMap((settings) -> Mono.fromCallable(() -> open(id, settings)).subscribeOn(Schedulers.boundedElastic()))
			.switchIfEmpty(Mono.error(() -> new NotFoundException("no storage location " + id)));
	}

	/** A location's settings as stored. */
	private record Settings(String type, String basePath, String config, @Nullable String sealedSecret, Instant version) {
	}

	/** Why a location's store could not be opened. */
	public static final class Unavailable extends RuntimeException {

		Unavailable(String message, Throwable cause) {
			super(message, cause, false, false);
		}

	}

	private Target open(UUID id, Settings settings) {
		Target known = this.targets.get(id);
		if (known != null && known.version().equals(settings.version())) {
			return known;
		}
		BlobStore store;
		try {
			store = "s3".equals(settings.type()) ? s3(this.json.readTree(settings.config()), settings.sealedSecret())
					: new LocalBlobStore(Path.of(settings.basePath()));
		}
		catch (RuntimeException ex) {
			Throwable root = ex;
			while (root.getCause() != null && root.getCause() != root) {
				root = root.getCause();
			}
			throw new Unavailable("the storage location cannot be opened: " + root.getClass().getSimpleName() + ": "
					+ root.getMessage(), ex);
		}
		UnaryOperator<BlobStore> wrap = this.decorator;
		Target target = new Target(id, settings.version(), (wrap != null) ? wrap.apply(store) : store);
		this.targets.put(id, target);
		return target;
	}

	private BlobStore s3(JsonNode config, @Nullable String sealedSecret) {
		S3AsyncClientBuilder builder = S3AsyncClient.builder()
			.region(Region.of(config.path("region").asString("us-east-1")))
			.forcePathStyle(config.path("path_style").asBoolean(true));
		String endpoint = config.path("endpoint_url").asString("");
		if (!endpoint.isBlank()) {
			builder.endpointOverride(URI.create(endpoint));
		}
		String accessKey = config.path("access_key_id").asString("");
		builder.credentialsProvider((accessKey.isBlank() || sealedSecret == null)
				? DefaultCredentialsProvider.builder().build()
				: StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, this.secrets.open(sealedSecret))));
		return new S3BlobStore(builder.build(), config.path("bucket").asString(), "", 8 * 1024 * 1024);
	}

}
