package org.sciport.commons.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.http.HttpHeaders;

/**
 * Signs outgoing webhook requests as the Standard Webhooks specification says: the headers
 * {@code webhook-id}, {@code webhook-timestamp} (seconds since the epoch) and
 * {@code webhook-signature} ({@code v1,} and the base64 HMAC-SHA256 of
 * {@code id.timestamp.body}, keyed with the secret's bytes). A secret is written
 * {@code whsec_} and base64, as the specification's receivers expect it.
 */
public final class WebhookSignature {

	/** The prefix of a secret's written form. */
	public static final String PREFIX = "whsec_";

	private final byte[] key;

	private WebhookSignature(byte[] key) {
		this.key = key;
	}

	/**
	 * The signer for a secret written {@code whsec_...} (the prefix may be left off).
	 *
	 * @throws IllegalArgumentException when it is not base64 of 24 to 64 bytes
	 */
	public static WebhookSignature of(String secret) {
		String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
		byte[] key;
		try {
			key = Base64.getDecoder().decode(encoded);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("a webhook secret is whsec_ followed by base64");
		}
		if (key.length < 24 || key.length > 64) {
			throw new IllegalArgumentException("a webhook secret holds 24 to 64 bytes");
		}
		return new WebhookSignature(key);
	}

	/** A new random secret, written {@code whsec_...}. */
	public static String generate(SecureRandom random) {
		byte[] key = new byte[32];
		random.nextBytes(key);
		return PREFIX + Base64.getEncoder().encodeToString(key);
	}

	/** The {@code v1,...} signature of a message. */
	public String sign(String id, long timestamp, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(this.key, "HmacSHA256"));
			mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
			return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HMAC-SHA256 is not available", ex);
		}
	}

	/** Sets the three headers on a request about to be sent. */
	public void sign(HttpHeaders headers, String id, long timestamp, byte[] body) {
		headers.set("webhook-id", id);
		headers.set("webhook-timestamp", Long.toString(timestamp));
		headers.set("webhook-signature", sign(id, timestamp, body));
	}

	/**
	 * Whether a {@code webhook-signature} header (one or more space-separated signatures) holds
	 * this secret's signature of the message, compared in constant time.
	 */
	public boolean verifies(String id, long timestamp, byte[] body, String header) {
		byte[] expected = sign(id, timestamp, body).getBytes(StandardCharsets.US_ASCII);
		boolean found = false;
		for (String signature : header.trim().split(" +")) {
			found |= MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
		}
		return found;
	}

}
