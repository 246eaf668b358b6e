package org.sciport.commons.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RevokedTokensTests {

	private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

	private final MovableClock clock = new MovableClock();

	private final RevokedTokens revoked = new RevokedTokens(this.clock);

	@Test
	void aRevokedSessionEndsEveryTokenOfItButNoOther() {
		this.revoked.revokeSession("s1", NOW.plus(Duration.ofMinutes(15)));
		assertThat(this.revoked.isRevoked(token("a", "s1", null, 0))).isTrue();
		assertThat(this.revoked.isRevoked(token("b", "s1", null, 0))).isTrue();
		assertThat(this.revoked.isRevoked(token("c", "s2", null, 0))).isFalse();
		assertThat(this.revoked.isRevoked(token("d", null, null, 0))).isFalse();
	}

	@Test
	void aRevokedApiTokenEndsTheAccessTokensExchangedFromIt() {
		this.revoked.revokeApiToken("k1", NOW.plus(Duration.ofMinutes(5)));
		assertThat(this.revoked.isRevoked(token("a", null, "k1", 0))).isTrue();
		assertThat(this.revoked.isRevoked(token("b", null, "k2", 0))).isFalse();
	}

	@Test
	void aRaisedTokenVersionEndsOlderTokensOnlyAndNeverGoesBack() {
		this.revoked.requireVersion("u1", 2, NOW.plus(Duration.ofHours(24)));
		this.revoked.requireVersion("u1", 1, NOW.plus(Duration.ofHours(24)));
		assertThat(this.revoked.isRevoked(token("a", "s1", null, 0))).isTrue();
		assertThat(this.revoked.isRevoked(token("b", "s1", null, 1))).isTrue();
		assertThat(this.revoked.isRevoked(token("c", "s1", null, 2))).isFalse();
		assertThat(this.revoked.isRevoked(token("d", "s1", null, 3))).isFalse();
	}

	@Test
	void forgetsEachEntryWhenTheTokensItEndsHaveExpired() {
		this.revoked.revokeSession("s1", NOW.plus(Duration.ofMinutes(15)));
		this.revoked.revokeApiToken("k1", NOW.plus(Duration.ofMinutes(5)));
		this.revoked.requireVersion("u1", 1, NOW.plus(Duration.ofMinutes(20)));
		this.revoked.revoke("j1", NOW.plus(Duration.ofMinutes(1)));
		assertThat(this.revoked.size()).isEqualTo(4);
		this.clock.now = NOW.plus(Duration.ofMinutes(16));
		this.revoked.purgeExpired();
		assertThat(this.revoked.size()).isEqualTo(1);
		assertThat(this.revoked.isRevoked(token("a", null, null, 0))).isTrue();
		this.clock.now = NOW.plus(Duration.ofMinutes(21));
		assertThat(this.revoked.isRevoked(token("a", null, null, 0))).isFalse();
		// An entry that has run out already when it arrives (an old event read again) is not kept.
		this.revoked.revokeSession("s9", NOW);
		assertThat(this.revoked.isRevoked(token("b", "s9", null, 0))).isFalse();
	}

	private Caller token(String jti, String session, String apiToken, long version) {
		return new Caller("u1", List.of("user"), "free", jti, this.clock.instant().plusSeconds(600), session,
				this.clock.instant(), List.of(), apiToken, version);
	}

	private static final class MovableClock extends Clock {

		Instant now = NOW;

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

}
