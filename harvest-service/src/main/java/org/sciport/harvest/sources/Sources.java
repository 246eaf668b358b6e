package org.sciport.harvest.sources;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.harvest.HarvestProperties;
import org.sciport.commons.secrets.SecretBox;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Opens an instrument's source: its settings and its service account's credentials are read
 * from the database, the secrets opened only here, and the connection made on a thread meant
 * for blocking work.
 */
@Component
public class Sources {

	private final DatabaseClient database;

	private final SecretBox secrets;

	private final Duration timeout;

	Sources(DatabaseClient database, SecretBox secrets, HarvestProperties properties) {
		this.database = database;
		this.secrets = secrets;
		this.timeout = properties.sourceTimeout();
	}

	/** An instrument's source settings with its account's sealed secrets. */
	private record Settings(String type, @Nullable String path, @Nullable String host, @Nullable Integer port,
			@Nullable String fingerprint, @Nullable String cifsHost, @Nullable Integer cifsPort,
			@Nullable String cifsShare, @Nullable String cifsBasePath, @Nullable String domain, @Nullable String username,
			@Nullable String sealedPassword, @Nullable String sealedKey) {
	}

	/** Opens the source of {@code instrument}; the caller closes it. */
	public Mono<Source> open(UUID instrument) {
		return this.database
			.sql("SELECT i.source_type, i.source_path, i.sftp_host, i.sftp_port, i.sftp_host_key_fingerprint, i.cifs_host, "
					+ "i.cifs_port, i.cifs_share, i.cifs_base_path, a.domain, a.username, a.password_sealed, a.private_key_sealed FROM instrument i "
					+ "LEFT JOIN service_account a ON a.id = i.service_account_id AND a.deleted_at IS NULL WHERE i.id = :id")
			.bind("id", instrument)
			.map((row) -> new Settings(row.get("source_type", String.class), row.get("source_path", String.class),
					row.get("sftp_host", String.class), row.get("sftp_port", Integer.class),
					row.get("sftp_host_key_fingerprint", String.class), row.get("cifs_host", String.class),
					row.get("cifs_port", Integer.class), row.get("cifs_share", String.class),
					row.get("cifs_base_path", String.class), row.get("domain", String.class), row.get("username", String.class),
					row.get("password_sealed", String.class), row.get("private_key_sealed", String.class)))
			.one()
			.flatMap((settings) -> Mono.fromCallable(() -> connect(settings)).subscribeOn(Schedulers.boundedElastic()));
	}

	private Source connect(Settings settings) throws SourceException, java.io.IOException {
		switch (settings.type()) {
			case "local" -> {
				if (settings.path() == null) {
					throw new SourceException("the instrument has no source_path");
				}
				return new LocalSource(Path.of(settings.path()));
			}
			case "sftp" -> {
				if (settings.host() == null || settings.fingerprint() == null || settings.username() == null) {
					throw new SourceException("the instrument needs sftp_host, sftp_host_key_fingerprint and a service account");
				}
				return SftpSource.connect(settings.host(), (settings.port() != null) ? settings.port() : 22,
						settings.fingerprint(), settings.username(), open(settings.sealedPassword()),
						open(settings.sealedKey()), settings.path(), this.timeout);
			}
			case "smb" -> {
				String password = open(settings.sealedPassword());
				if (settings.cifsHost() == null || settings.cifsShare() == null || settings.username() == null
						|| password == null) {
					throw new SourceException(
							"the instrument needs cifs_host, cifs_share and a service account with a password");
				}
				return SmbSource.connect(settings.cifsHost(), (settings.cifsPort() != null) ? settings.cifsPort() : 445,
						settings.cifsShare(), settings.cifsBasePath(), settings.domain(), settings.username(), password,
						this.timeout);
			}
			default -> throw new SourceException(settings.type() + " is not a source type");
		}
	}

	private @Nullable String open(@Nullable String sealed) {
		return (sealed != null) ? this.secrets.open(sealed) : null;
	}

}
