package org.sciport.harvest.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.sciport.harvest.HarvestProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The keys secrets are sealed with: those configured ({@code sciport.harvest.secrets.keys.<id>}
 * with {@code current-key}), or, when none is, one generated on first start into
 * {@code sciport.harvest.secrets.key-file} (owner-only permissions) and read from there after.
 * A deployment of several replicas configures its keys (from a Kubernetes Secret), so every
 * replica opens what another sealed.
 */
@Configuration(proxyBeanMethods = false)
class SecretKeys {

	private static final Log logger = LogFactory.getLog(SecretKeys.class);

	/** The id of a generated key. */
	static final String GENERATED = "generated";

	@Bean
	SecretBox secretBox(HarvestProperties properties) {
		HarvestProperties.Secrets secrets = properties.secrets();
		if (!secrets.keys().isEmpty()) {
			return new SecretBox(secrets.currentKey(), secrets.keys());
		}
		return new SecretBox(GENERATED, Map.of(GENERATED, generatedKey(secrets.keyFile())));
	}

	private static String generatedKey(Path file) {
		try {
			if (!Files.exists(file)) {
				byte[] key = new byte[32];
				new SecureRandom().nextBytes(key);
				Path parent = file.toAbsolutePath().getParent();
				Files.createDirectories(parent);
				try {
					Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
					Files.writeString(file, Base64.getEncoder().encodeToString(key), StandardCharsets.US_ASCII);
					logger.warn("No key for sealing secrets is configured (sciport.harvest.secrets.keys); generated one in "
							+ file.toAbsolutePath() + ". Keep it: what it sealed cannot be opened without it.");
				}
				catch (FileAlreadyExistsException ex) {
					// Another process created it meanwhile: read theirs.
				}
			}
			return Files.readString(file, StandardCharsets.US_ASCII).trim();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read or create the secrets key file " + file, ex);
		}
	}

}
