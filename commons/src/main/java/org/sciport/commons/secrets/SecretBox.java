package org.sciport.commons.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets (such as the passwords of service accounts) before they are stored, and
 * decrypts them when they are needed, with AES-256-GCM.
 * <p>
 * A sealed secret is text, {@code v1:{keyId}:{nonce}:{ciphertext}}, with the nonce (12 random
 * bytes) and the ciphertext (followed by its 16-byte authentication tag) in unpadded base64url.
 * The key id is authenticated along with the ciphertext, so a sealed secret cannot be passed
 * off as sealed with another key, and any change to it is detected when it is opened.
 * <p>
 * Keys are named, so they can be rotated: configure the new key as current and keep the old one
 * under its id; secrets sealed with the old key still open, {@link #isCurrent} tells which ones
 * are not sealed with the current key, and {@link #reseal} moves them to it. Once none is left,
 * the old key can be removed.
 */
public final class SecretBox {

	private static final String VERSION = "v1";

	private static final Pattern KEY_ID = Pattern.compile("[a-z0-9-]{1,32}");

	private static final int KEY_LENGTH = 32;

	private static final int NONCE_LENGTH = 12;

	private static final int TAG_BITS = 128;

	private static final String TRANSFORMATION = "AES/GCM/NoPadding";

	private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

	private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

	private final String currentKeyId;

	private final Map<String, SecretKey> keys;

	private final SecureRandom random = new SecureRandom();

	/**
	 * Create a box with the given keys.
	 * @param currentKeyId the id of the key new secrets are sealed with; it must be one of the
	 * keys
	 * @param base64Keys the keys by id: each id is 1 to 32 characters of {@code a-z}, {@code 0-9}
	 * and {@code -}, each key 32 random bytes in base64 (for example the output of
	 * {@code openssl rand -base64 32})
	 * @throws IllegalArgumentException if a key id or key is not valid, or the current key is not
	 * among the keys; the message names the key id, never the key
	 */
	public SecretBox(String currentKeyId, Map<String, String> base64Keys) {
		Map<String, SecretKey> keys = new TreeMap<>();
		base64Keys.forEach((id, base64) -> keys.put(validKeyId(id), decodeKey(id, base64)));
		if (!keys.containsKey(currentKeyId)) {
			// Only a well-formed id is repeated: a misplaced key must not end up in a log.
			String named = KEY_ID.matcher(currentKeyId).matches() ? "'" + currentKeyId + "'" : "id";
			throw new IllegalArgumentException(
					"The current secret key " + named + " is not among the configured keys " + keys.keySet());
		}
		this.currentKeyId = currentKeyId;
		this.keys = Map.copyOf(keys);
	}

	private static String validKeyId(String id) {
		if (!KEY_ID.matcher(id).matches()) {
			// Not repeated: a key and its id swapped by mistake must not end up in a log.
			throw new IllegalArgumentException("Secret key ids must be 1 to 32 characters of a-z, 0-9 and '-'; one of "
					+ id.length() + " characters is not");
		}
		return id;
	}

	private static SecretKey decodeKey(String id, String base64) {
		byte[] bytes;
		try {
			bytes = Base64.getDecoder().decode(base64.strip());
		}
		catch (IllegalArgumentException ex) {
			// Not chained: the cause could quote part of the key.
			throw new IllegalArgumentException("Secret key '" + id + "' is not valid base64");
		}
		try {
			if (bytes.length != KEY_LENGTH) {
				throw new IllegalArgumentException("Secret key '" + id + "' must be " + KEY_LENGTH
						+ " bytes (256 bits) in base64, but has " + bytes.length + " bytes");
			}
			return new SecretKeySpec(bytes, "AES");
		}
		finally {
			Arrays.fill(bytes, (byte) 0);
		}
	}

	/**
	 * Return the id of the key new secrets are sealed with.
	 */
	public String currentKeyId() {
		return this.currentKeyId;
	}

	/**
	 * Encrypt a secret with the current key and a fresh random nonce, so that sealing the same
	 * secret twice gives different text.
	 * @param plaintext the secret
	 * @return the sealed secret, {@code v1:{keyId}:{nonce}:{ciphertext}}
	 */
	public String seal(String plaintext) {
		byte[] nonce = new byte[NONCE_LENGTH];
		this.random.nextBytes(nonce);
		byte[] ciphertext;
		try {
			Cipher cipher = cipher(Cipher.ENCRYPT_MODE, this.currentKeyId, nonce);
			ciphertext = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not seal a secret with key '" + this.currentKeyId + "'", ex);
		}
		return VERSION + ":" + this.currentKeyId + ":" + ENCODER.encodeToString(nonce) + ":"
				+ ENCODER.encodeToString(ciphertext);
	}

	/**
	 * Decrypt a sealed secret with the key it was sealed with.
	 * @param sealed the text {@link #seal} returned
	 * @return the secret
	 * @throws IllegalStateException if the text is not a sealed secret, its key is not configured,
	 * or it has been altered; the message never includes the secret
	 */
	public String open(String sealed) {
		Sealed parts = Sealed.parse(sealed);
		if (!this.keys.containsKey(parts.keyId())) {
			throw new IllegalStateException(
					"Secret was sealed with key '" + parts.keyId() + "', which is not configured");
		}
		try {
			Cipher cipher = cipher(Cipher.DECRYPT_MODE, parts.keyId(), parts.nonce());
			return new String(cipher.doFinal(parts.ciphertext()), StandardCharsets.UTF_8);
		}
		catch (AEADBadTagException ex) {
			throw new IllegalStateException("Secret sealed with key '" + parts.keyId()
					+ "' failed authentication: it has been altered or was not sealed with this key");
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not open a secret sealed with key '" + parts.keyId() + "'", ex);
		}
	}

	/**
	 * Return whether a sealed secret was sealed with the current key, that is whether it does not
	 * need {@link #reseal resealing}. Only the text is inspected; the secret is not decrypted.
	 * @param sealed the text {@link #seal} returned
	 * @throws IllegalStateException if the text is not a sealed secret
	 */
	public boolean isCurrent(String sealed) {
		return Sealed.parse(sealed).keyId().equals(this.currentKeyId);
	}

	/**
	 * Open a sealed secret and seal it again with the current key (and a fresh nonce).
	 * @param sealed the text {@link #seal} returned, with any configured key
	 * @return the secret sealed with the current key
	 * @throws IllegalStateException if the secret cannot be {@link #open opened}
	 */
	public String reseal(String sealed) {
		return seal(open(sealed));
	}

	private Cipher cipher(int mode, String keyId, byte[] nonce) throws GeneralSecurityException {
		Cipher cipher = Cipher.getInstance(TRANSFORMATION);
		cipher.init(mode, this.keys.get(keyId), new GCMParameterSpec(TAG_BITS, nonce));
		cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
		return cipher;
	}

	@Override
	public String toString() {
		return "SecretBox[currentKey=" + this.currentKeyId + ", keys=" + new TreeMap<>(this.keys).keySet() + "]";
	}

	private record Sealed(String keyId, byte[] nonce, byte[] ciphertext) {

		static Sealed parse(String sealed) {
			String[] parts = sealed.split(":", -1);
			if (parts.length != 4 || !VERSION.equals(parts[0]) || !KEY_ID.matcher(parts[1]).matches()) {
				throw notSealed();
			}
			try {
				byte[] nonce = DECODER.decode(parts[2]);
				byte[] ciphertext = DECODER.decode(parts[3]);
				if (nonce.length != NONCE_LENGTH || ciphertext.length < TAG_BITS / 8) {
					throw notSealed();
				}
				return new Sealed(parts[1], nonce, ciphertext);
			}
			catch (IllegalArgumentException ex) {
				throw notSealed();
			}
		}

		private static IllegalStateException notSealed() {
			return new IllegalStateException(
					"Text is not a sealed secret of the form v1:{keyId}:{nonce}:{ciphertext}");
		}

	}

	/**
	 * A box with the configured keys ({@code currentKeyId} among {@code base64Keys}), or, when
	 * none is configured, with one key generated on first start into {@code keyFile} (created
	 * with owner-only permissions) and read from there after. A deployment of several replicas
	 * configures its keys, so that every replica opens what another sealed.
	 *
	 * @param what what the keys are for, in the warning a generated key is logged with
	 */
	public static SecretBox configured(String currentKeyId, Map<String, String> base64Keys, java.nio.file.Path keyFile,
			String what) {
		if (!base64Keys.isEmpty()) {
			return new SecretBox(currentKeyId, base64Keys);
		}
		return new SecretBox(GENERATED, Map.of(GENERATED, generatedKey(keyFile, what)));
	}

	/** The id of a generated key. */
	public static final String GENERATED = "generated";

	private static String generatedKey(java.nio.file.Path file, String what) {
		try {
			if (!java.nio.file.Files.exists(file)) {
				byte[] key = new byte[KEY_LENGTH];
				new SecureRandom().nextBytes(key);
				java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
				try {
					java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions
						.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
					java.nio.file.Files.writeString(file, Base64.getEncoder().encodeToString(key),
							java.nio.charset.StandardCharsets.US_ASCII);
					org.apache.commons.logging.LogFactory.getLog(SecretBox.class).warn("No key for sealing " + what
							+ " is configured; generated one in " + file.toAbsolutePath()
							+ ". Keep it: what it sealed cannot be opened without it.");
				}
				catch (java.nio.file.FileAlreadyExistsException ex) {
					// Another process created it meanwhile: read theirs.
				}
			}
			return java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII).trim();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException("Could not read or create the key file " + file, ex);
		}
	}

}
