package org.sciport.commons.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * The address a request really came from, carried from the gateway to the services in a way
 * only the gateway can write. Behind the gateway every request's peer is the gateway, so the
 * gateway sends the client's address in {@value #HEADER} as
 * {@code <address>; t=<epoch seconds>; s=<signature>}, the signature an HMAC-SHA256 of address
 * and time under a key the gateway and the services share
 * ({@code sciport.security.client-address-key}, base64 of at least 32 bytes; the standalone
 * suite makes one per start). A service believes the header only when the signature matches
 * and the time is within a minute; otherwise (a direct caller, a forged or replayed header, no
 * key configured) the request's own peer address stands. {@code X-Forwarded-For} is never
 * believed: anyone can write it.
 */
public final class ClientAddresses {

	/** The header the gateway writes (clients' own {@code X-Sciport-*} headers are removed). */
	public static final String HEADER = "X-Sciport-Client";

	static final Duration FRESH = Duration.ofSeconds(60);

	private static final Pattern VALUE = Pattern.compile("([0-9A-Fa-f:.]{2,45}); t=(\\d{1,12}); s=([A-Za-z0-9_-]{43})");

	private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

	private final @Nullable SecretKeySpec key;

	private final Clock clock;

	private final int trustedProxyHops;

	/**
	 * @param base64Key the shared key, or empty for none (then no header is written or believed)
	 */
	public ClientAddresses(String base64Key, Clock clock) {
		this(base64Key, clock, 0);
	}

	/**
	 * @param base64Key the shared key, or empty for none (then no header is written or believed)
	 * @param trustedProxyHops how many proxies of the operator's own stand in front of the edge
	 * (an ingress, a load balancer), each appending the address it saw to
	 * {@code X-Forwarded-For}; 0 when clients connect to the edge directly
	 */
	public ClientAddresses(String base64Key, Clock clock, int trustedProxyHops) {
		this.clock = clock;
		this.trustedProxyHops = Math.max(0, trustedProxyHops);
		if (base64Key.isBlank()) {
			this.key = null;
			return;
		}
		byte[] bytes = Base64.getDecoder().decode(base64Key.trim());
		if (bytes.length < 32) {
			throw new IllegalArgumentException("sciport.security.client-address-key must be at least 32 bytes");
		}
		this.key = new SecretKeySpec(bytes, "HmacSHA256");
	}

	/**
	 * The header value that vouches for {@code address} now, or {@code null} without a key.
	 */
	public @Nullable String vouchFor(String address) {
		if (this.key == null) {
			return null;
		}
		long time = this.clock.instant().getEpochSecond();
		return address + "; t=" + time + "; s=" + sign(address, time);
	}

	/**
	 * Where the request came from: the address the gateway vouched for, else the peer's.
	 */
	public String of(ServerWebExchange exchange) {
		String vouched = vouched(exchange.getRequest().getHeaders().getFirst(HEADER));
		return (vouched != null) ? vouched : peer(exchange);
	}

	/**
	 * Where a request that reached the edge (the gateway) came from: its peer, or behind
	 * {@code trustedProxyHops} proxies of the operator's the address the outermost of them saw,
	 * which is that many entries from the right of {@code X-Forwarded-For}. Entries further left
	 * are the client's own word and never used; a request that did not pass all the proxies
	 * (too few entries, or one that is no address) counts by its peer.
	 */
	public String atTheEdge(ServerWebExchange exchange) {
		if (this.trustedProxyHops == 0) {
			return peer(exchange);
		}
		List<String> forwarded = new ArrayList<>();
		for (String header : exchange.getRequest().getHeaders().getValuesAsList("X-Forwarded-For")) {
			for (String entry : header.split(",")) {
				if (!entry.isBlank()) {
					forwarded.add(entry.trim());
				}
			}
		}
		if (forwarded.size() < this.trustedProxyHops) {
			return peer(exchange);
		}
		String seen = forwarded.get(forwarded.size() - this.trustedProxyHops);
		return ADDRESS.matcher(seen).matches() ? seen : peer(exchange);
	}

	/**
	 * The request's own peer address.
	 */
	public static String peer(ServerWebExchange exchange) {
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		InetAddress peer = (remote != null) ? remote.getAddress() : null;
		return (peer != null) ? peer.getHostAddress() : "unknown";
	}

	/**
	 * The address a {@value #HEADER} value vouches for, or {@code null} if it does not (no key,
	 * a wrong signature, older than a minute).
	 */
	public @Nullable String vouched(@Nullable String header) {
		if (this.key == null || header == null) {
			return null;
		}
		Matcher matcher = VALUE.matcher(header.trim());
		if (!matcher.matches()) {
			return null;
		}
		String address = matcher.group(1);
		long time = Long.parseLong(matcher.group(2));
		long now = this.clock.instant().getEpochSecond();
		if (Math.abs(now - time) > FRESH.toSeconds()) {
			return null;
		}
		byte[] expected = sign(address, time).getBytes(StandardCharsets.US_ASCII);
		return MessageDigest.isEqual(expected, matcher.group(3).getBytes(StandardCharsets.US_ASCII)) ? address : null;
	}

	private String sign(String address, long time) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(this.key);
			byte[] signature = mac.doFinal((address + "\n" + time).getBytes(StandardCharsets.US_ASCII));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

}
