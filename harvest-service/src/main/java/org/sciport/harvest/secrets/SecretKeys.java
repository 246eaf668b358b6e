package org.sciport.harvest.secrets;

import org.sciport.commons.secrets.SecretBox;
import org.sciport.harvest.HarvestProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The keys secrets are sealed with: those configured ({@code sciport.harvest.secrets.keys.<id>}
 * with {@code current-key}), or, when none is, one generated on first start into
 * {@code sciport.harvest.secrets.key-file} (owner-only permissions) and read from there after.
 * A deployment of several replicas configures its keys (from a Kubernetes Secret), so every
 * replica opens what another sealed.
 */
@Configuration(proxyBeanMethods = false)
class SecretKeys {

	/** The id of a generated key. */
	static final String GENERATED = SecretBox.GENERATED;

	@Bean
	SecretBox secretBox(HarvestProperties properties) {
		HarvestProperties.Secrets secrets = properties.secrets();
		return SecretBox.configured(secrets.currentKey(), secrets.keys(), secrets.keyFile(),
				"secrets (sciport.harvest.secrets.keys)");
	}

}
