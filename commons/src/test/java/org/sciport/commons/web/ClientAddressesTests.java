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

}
