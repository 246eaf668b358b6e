package org.sciport.dataset.webhooks;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhook delivery settings ({@code sciport.webhooks.*}).
 *
 * @param allowPrivate whether a webhook may point at a loopback, private, link-local or other
 * internal address (never by default: a webhook is a request the platform makes for a user)
 * @param retries the waits before each attempt after the first; after the last the delivery
 * has failed
 * @param timeout how long one attempt may take
 * @param disableAfter a subscription whose deliveries have failed without a success for this
 * long is disabled, with its reason
 * @param secretGrace how long the secret before a rotation still signs beside the new one
 * @param poll how often a replica looks for due deliveries
 * @param batch the most deliveries a replica takes at once
 * @param secrets the keys the subscriptions' signing secrets are sealed with at rest
 */
@ConfigurationProperties("sciport.webhooks")
public record WebhookProperties(@DefaultValue("false") boolean allowPrivate,
		@DefaultValue({ "5s", "5m", "30m", "2h", "5h", "10h" }) List<Duration> retries,
		@DefaultValue("10s") Duration timeout, @DefaultValue("3d") Duration disableAfter,
		@DefaultValue("24h") Duration secretGrace, @DefaultValue("1s") Duration poll, @DefaultValue("16") int batch,
		@DefaultValue Secrets secrets) {

	/**
	 * @param currentKey the id of the key new secrets are sealed with
	 * @param keys base64 AES-256 keys by id (older ones kept to open what they sealed)
	 * @param keyFile where a generated key is kept when no key is configured (created once,
	 * readable by the service's user only)
	 */
	public record Secrets(@DefaultValue("") String currentKey, @DefaultValue java.util.Map<String, String> keys,
			@DefaultValue("data/dataset/webhook-secrets.key") java.nio.file.Path keyFile) {

		@Override
		public String toString() {
			return "Secrets[currentKey=" + this.currentKey + ", keys=" + this.keys.keySet() + ", keyFile=" + this.keyFile + "]";
		}

	}

	/** The box the signing secrets are sealed in. */
	org.sciport.commons.secrets.SecretBox box() {
		return org.sciport.commons.secrets.SecretBox.configured(this.secrets.currentKey(), this.secrets.keys(),
				this.secrets.keyFile(), "webhook secrets (sciport.webhooks.secrets.keys)");
	}
}
