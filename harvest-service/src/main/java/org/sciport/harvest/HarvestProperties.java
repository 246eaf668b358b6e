package org.sciport.harvest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * harvest-service's settings ({@code sciport.harvest.*}).
 *
 * @param allowedRoots the directories a {@code local} instrument's source and a {@code posix}
 * storage location must lie under; none allowed when empty
 * @param minimumFileAge how long a file's size and modification time must have stayed the same
 * before it is taken (a file still being written is left for a later run)
 * @param transferAttempts how often a transfer whose stored copy does not verify is tried
 * within one run
 * @param transferConcurrency files transferred at once per run
 * @param sourceTimeout how long connecting and signing in to an SFTP or SMB source, and each
 * of its answers, may take
 * @param naan the ARK name assigning authority number ({@code 99999} is the test namespace)
 * @param shoulder the ARK shoulder new identifiers start with
 * @param secrets how service-account and storage secrets are sealed at rest
 * @param scheduler the schedules' poll interval and missed-run policy
 * @param hooks what hooks may run
 */
@ConfigurationProperties("sciport.harvest")
public record HarvestProperties(@DefaultValue List<Path> allowedRoots, @DefaultValue("30s") Duration minimumFileAge,
		@DefaultValue("3") int transferAttempts, @DefaultValue("4") int transferConcurrency,
		@DefaultValue("15s") Duration sourceTimeout,
		@DefaultValue("99999") String naan, @DefaultValue("fk4") String shoulder, @DefaultValue Secrets secrets,
		@DefaultValue Scheduler scheduler, @DefaultValue Hooks hooks) {

	/**
	 * @param currentKey the id of the key new secrets are sealed with
	 * @param keys base64 AES-256 keys by id (older ones kept to open what they sealed)
	 * @param keyFile where a generated key is kept when no key is configured (created once,
	 * readable by the service's user only)
	 */
	public record Secrets(@DefaultValue("") String currentKey, @DefaultValue Map<String, String> keys,
			@DefaultValue("data/harvest/secrets.key") Path keyFile) {
	}

	/**
	 * @param allowedCommands the executables a {@code command} hook may name (none by default)
	 */
	public record Hooks(@DefaultValue List<String> allowedCommands) {
	}

	/**
	 * @param poll how often a replica looks for due schedules
	 * @param missedDeadline a tick missed while no replica ran is still run once on start if it
	 * is at most this old; an older one is recorded as skipped
	 */
	public record Scheduler(@DefaultValue("1s") Duration poll, @DefaultValue("1h") Duration missedDeadline) {
	}

}
