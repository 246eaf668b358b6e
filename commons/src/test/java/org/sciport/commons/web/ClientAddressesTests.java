package org.sciport.commons.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ClientAddressesTests {

	private static final String KEY = "Z2F0ZXdheS1zaWducy1jbGllbnQtYWRkcmVzc2VzLTMyYg==";

	private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

	private final ClientAddresses gateway = new ClientAddresses(KEY, Clock.fixed(NOW, ZoneOffset.UTC));

	@Test
	void believesWhatTheGatewayVouchedForAndNothingElse() {
		String vouch = this.gateway.vouchFor("203.0.113.7");
		assertThat(this.gateway.vouched(vouch)).isEqualTo("203.0.113.7");
		assertThat(this.gateway.vouched(vouch.replace("203.0.113.7", "203.0.113.8"))).isNull();
		assertThat(this.gateway.vouched("203.0.113.7")).isNull();
		assertThat(this.gateway.vouched(null)).isNull();
		ClientAddresses otherKey = new ClientAddresses("b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzJi",
				Clock.fixed(NOW, ZoneOffset.UTC));
		assertThat(otherKey.vouched(vouch)).isNull();
		assertThat(this.gateway.vouchFor("2001:db8::1")).startsWith("2001:db8::1; t=");
		assertThat(this.gateway.vouched(this.gateway.vouchFor("2001:db8::1"))).isEqualTo("2001:db8::1");
	}

	@Test
	void aVouchGoesStaleAfterAMinute() {
		String vouch = this.gateway.vouchFor("203.0.113.7");
		ClientAddresses later = new ClientAddresses(KEY, Clock.fixed(NOW.plus(Duration.ofSeconds(61)), ZoneOffset.UTC));
		ClientAddresses soon = new ClientAddresses(KEY, Clock.fixed(NOW.plus(Duration.ofSeconds(59)), ZoneOffset.UTC));
		assertThat(later.vouched(vouch)).isNull();
		assertThat(soon.vouched(vouch)).isEqualTo("203.0.113.7");
	}

	@Test
	void withoutAKeyNothingIsWrittenOrBelieved() {
		ClientAddresses none = new ClientAddresses("", Clock.fixed(NOW, ZoneOffset.UTC));
		assertThat(none.vouchFor("203.0.113.7")).isNull();
		assertThat(none.vouched(this.gateway.vouchFor("203.0.113.7"))).isNull();
		assertThatIllegalArgumentException().isThrownBy(() -> new ClientAddresses("c2hvcnQ=", Clock.systemUTC()));
	}

	@Test
	void atTheEdgeTheAddressTheOperatorsOwnProxiesSawCountsAndNothingTheClientWrote() {
		ClientAddresses direct = new ClientAddresses(KEY, Clock.fixed(NOW, ZoneOffset.UTC), 0);
		ClientAddresses behindOne = new ClientAddresses(KEY, Clock.fixed(NOW, ZoneOffset.UTC), 1);
		ClientAddresses behindTwo = new ClientAddresses(KEY, Clock.fixed(NOW, ZoneOffset.UTC), 2);
		assertThat(direct.atTheEdge(request("192.0.2.1", "203.0.113.5"))).isEqualTo("192.0.2.1");
		// The client may write any entries on the left; the proxy appends what it saw.
		assertThat(behindOne.atTheEdge(request("10.0.0.2", "6.6.6.6, 203.0.113.5"))).isEqualTo("203.0.113.5");
		assertThat(behindTwo.atTheEdge(request("10.0.0.3", "6.6.6.6, 203.0.113.5", "10.0.0.2")))
			.isEqualTo("203.0.113.5");
		// Not through all the proxies, or not an address: its peer.
		assertThat(behindTwo.atTheEdge(request("10.0.0.3", "203.0.113.5"))).isEqualTo("10.0.0.3");
		assertThat(behindOne.atTheEdge(request("10.0.0.2", "unknown"))).isEqualTo("10.0.0.2");
		assertThat(behindOne.atTheEdge(request("10.0.0.2"))).isEqualTo("10.0.0.2");
	}

	private static org.springframework.mock.web.server.MockServerWebExchange request(String peer, String... forwarded) {
		org.springframework.mock.http.server.reactive.MockServerHttpRequest.BaseBuilder<?> request =
				org.springframework.mock.http.server.reactive.MockServerHttpRequest.get("/v1/datasets")
					.remoteAddress(new java.net.InetSocketAddress(peer, 40000));
		for (String value : forwarded) {
			request.header("X-Forwarded-For", value);
		}
		return org.springframework.mock.web.server.MockServerWebExchange.from(request.build());
	}

}
