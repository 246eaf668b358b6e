package org.sciport.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test moves on by hand, instead of waiting for a window or a lock to run out. It
 * starts at the real time.
 */
public final class MovableClock extends Clock {

	private volatile Instant now = Instant.now();

	/**
	 * Moves the clock on by {@code duration}.
	 */
	public void advance(Duration duration) {
		this.now = this.now.plus(duration);
	}

	@Override
	public Instant instant() {
		return this.now;
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		return this;
	}

}
