package org.sciport.standalone;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A secret the suite makes up on its first start and keeps in the data directory, readable by
 * its owner only, so every later start uses the same one.
 *
 * @param value the secret
 * @param generated whether this start generated it
 * @param file where it is kept
 */
record StoredSecret(String value, boolean generated, Path file) {

	static StoredSecret resolve(Path directory, String fileName, int randomBytes, Base64.Encoder encoding) {
		Path file = directory.resolve(fileName);
		try {
			if (Files.exists(file)) {
				String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
				if (!stored.isEmpty()) {
					return new StoredSecret(stored, false, file);
				}
			}
			byte[] random = new byte[randomBytes];
			new SecureRandom().nextBytes(random);
			String secret = encoding.encodeToString(random);
			Path temporary = directory.resolve(fileName + ".tmp");
			Files.deleteIfExists(temporary);
			try {
				Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			}
			catch (UnsupportedOperationException ex) {
				Files.createFile(temporary);
			}
			Files.writeString(temporary, secret + "\n", StandardCharsets.UTF_8);
			Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			return new StoredSecret(secret, true, file);
		}
		catch (IOException ex) {
			throw new StartupException("Cannot keep a secret in " + file + ": " + Preflight.describe(ex));
		}
	}

}
