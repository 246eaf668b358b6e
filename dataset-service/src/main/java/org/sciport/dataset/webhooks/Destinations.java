package org.sciport.dataset.webhooks;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

import org.sciport.commons.error.ValidationException;
import org.springframework.stereotype.Component;

/**
 * Where a webhook may point: an {@code http} or {@code https} URL (at most 2,000 characters, no
 * credentials in it) whose host resolves only to public addresses. Loopback, private (10/8,
 * 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata address,
 * fe80::/10), carrier-grade NAT (100.64/10), unspecified and multicast addresses are refused
 * unless {@code sciport.webhooks.allow-private}; every address a name resolves to must pass.
 * Checked when a webhook is created or changed and again before every attempt (redirects are
 * not followed: a 3xx is a failed attempt).
 */
@Component
class Destinations {

	private final boolean allowPrivate;

	Destinations(WebhookProperties properties) {
		this.allowPrivate = properties.allowPrivate();
	}

	/** The URL as a webhook destination; a 400 naming {@code url} if it may not be one. Blocks (DNS). */
	URI check(String url) {
		URI uri;
		try {
			uri = URI.create(url.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException("url", "url is not a URL");
		}
		if (url.length() > 2000 || uri.getHost() == null
				|| !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
			throw new ValidationException("url", "url must be an http or https URL with a host, at most 2,000 characters");
		}
		if (uri.getRawUserInfo() != null) {
			throw new ValidationException("url", "url must not carry credentials; the payload is signed instead");
		}
		String refusal = refusal(uri.getHost());
		if (refusal != null) {
			throw new ValidationException("url", refusal);
		}
		return uri;
	}

	/** Why a host may not be called, or {@code null} when it may. Blocks (DNS). */
	String refusal(String host) {
		InetAddress[] addresses;
		try {
			addresses = InetAddress.getAllByName(host);
		}
		catch (UnknownHostException ex) {
			return "the host " + host + " does not resolve";
		}
		if (this.allowPrivate) {
			return null;
		}
		for (InetAddress address : addresses) {
			if (internal(address)) {
				return "the host " + host + " resolves to an internal address (" + address.getHostAddress()
						+ "); webhooks go to public addresses only";
			}
		}
		return null;
	}

	static boolean internal(InetAddress address) {
		if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
				|| address.isAnyLocalAddress() || address.isMulticastAddress()) {
			return true;
		}
		byte[] bytes = address.getAddress();
		if (address instanceof Inet6Address) {
			// Unique local fc00::/7, and IPv4-mapped addresses judged as IPv4.
			if ((bytes[0] & 0xfe) == 0xfc) {
				return true;
			}
			boolean mapped = true;
			for (int i = 0; i < 10; i++) {
				mapped &= bytes[i] == 0;
			}
			if (mapped && (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff) {
				try {
					return internal(InetAddress.getByAddress(new byte[] { bytes[12], bytes[13], bytes[14], bytes[15] }));
				}
				catch (UnknownHostException ex) {
					return true;
				}
			}
			return false;
		}
		int first = bytes[0] & 0xff;
		int second = bytes[1] & 0xff;
		// 100.64.0.0/10 (carrier-grade NAT), 0.0.0.0/8, 192.0.0.0/24, 198.18.0.0/15 (benchmarking)
		return (first == 100 && second >= 64 && second <= 127) || first == 0 || (first == 192 && second == 0
				&& (bytes[2] & 0xff) == 0) || (first == 198 && (second == 18 || second == 19));
	}

}
