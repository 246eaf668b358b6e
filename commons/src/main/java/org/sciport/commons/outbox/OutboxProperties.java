package org.sciport.commons.outbox;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * How the outbox relay publishes to Kafka.
 *
 * @param enabled whether this instance runs a relay (all replicas may; one leads at a time)
 * @param pollInterval how often the relay looks for events it was not woken for
 * @param batchSize how many events one relay round publishes at most
 * @param initialBackoff the first pause after a failed round
 * @param maxBackoff the longest pause between failed rounds
 * @param retention how long published events stay in the table before they are purged
 */
@Validated
@ConfigurationProperties("sciport.outbox")
public record OutboxProperties(@DefaultValue("true") boolean enabled, @DefaultValue("500ms") Duration pollInterval,
		@DefaultValue("200") @Min(1) @Max(10_000) int batchSize, @DefaultValue("200ms") Duration initialBackoff,
		@DefaultValue("10s") Duration maxBackoff, @DefaultValue("7d") Duration retention) {

	Duration backoff(int failures) {
		long factor = 1L << Math.min(Math.max(failures - 1, 0), 20);
		Duration next = this.initialBackoff.multipliedBy(factor);
		return (next.compareTo(this.maxBackoff) > 0) ? this.maxBackoff : next;
	}

}
