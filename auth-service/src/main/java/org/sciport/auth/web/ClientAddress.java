package org.sciport.auth.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.springframework.web.server.ServerWebExchange;

/**
 * The address a request came from. Behind the gateway (a loopback or private peer) that is the
 * last {@code X-Forwarded-For} entry, which the gateway appended; from any other peer the
 * header is the client's own word and is ignored.
 */
final class ClientAddress {

	private ClientAddress() {
	}

	static String of(ServerWebExchange exchange) {
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		InetAddress peer = (remote != null) ? remote.getAddress() : null;
		if (peer == null) {
			return "unknown";
		}
		if (peer.isLoopbackAddress() || peer.isSiteLocalAddress()) {
			List<String> forwarded = exchange.getRequest().getHeaders().getValuesAsList("X-Forwarded-For");
			if (!forwarded.isEmpty()) {
				String last = forwarded.get(forwarded.size() - 1).trim();
				if (last.matches("[0-9A-Fa-f:.]{2,45}")) {
					return last;
				}
			}
		}
		return peer.getHostAddress();
	}

}
