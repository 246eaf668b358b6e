package org.sciport.upload;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Event loops of its own for an application a test starts by hand next to others in the same
 * JVM: closing it must not dispose the global loops the other servers still run on.
 */
@TestConfiguration(proxyBeanMethods = false)
public class OwnNettyResources {

	@Bean
	ReactorResourceFactory reactorResourceFactory() {
		ReactorResourceFactory factory = new ReactorResourceFactory();
		factory.setUseGlobalResources(false);
		return factory;
	}

}
