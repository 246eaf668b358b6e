package org.sciport.dataset.webhooks;

import org.sciport.commons.secrets.SecretBox;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The box webhook signing secrets are sealed in: the keys of {@code sciport.webhooks.secrets.keys}
 * (with {@code current-key}), or one generated on first start into
 * {@code sciport.webhooks.secrets.key-file}. Several replicas configure their keys, so that each
 * opens what another sealed.
 */
@Configuration(proxyBeanMethods = false)
class WebhookSecrets {

	// Made when a webhook first needs it, so an installation without webhooks keeps no key.
	@Bean
	@org.springframework.context.annotation.Lazy
	SecretBox webhookSecretBox(WebhookProperties properties) {
		return properties.box();
	}

}
