package org.sciport.auth.tokens;

import java.time.Duration;
import java.time.Instant;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * auth-service verifies its own tokens against its own keys, read from the database rather
 * than over HTTP; and it checks every few minutes whether a key is due for rotation.
 */
@Configuration(proxyBeanMethods = false)
class KeysConfiguration {

	@Bean
	JWKSource<SecurityContext> accessTokenKeys(SigningKeys keys) {
		// The verifier calls this off the event loop.
		return (selector, context) -> selector.select(keys.published(Instant.now()).block(Duration.ofSeconds(10)));
	}

	/**
	 * auth-service exchanges API tokens itself, without a round trip to itself.
	 */
	@Bean
	org.sciport.commons.security.ApiTokenExchanger apiTokenExchanger(ApiTokens apiTokens) {
		return (token) -> apiTokens.exchange(token).map(AccessTokens.Issued::token);
	}

	@Bean
	SmartLifecycle signingKeyRotation(SigningKeys keys) {
		return new SmartLifecycle() {

			private volatile Disposable schedule;

			@Override
			public void start() {
				// Before the service takes requests there is a key to sign with.
				keys.rotateIfDue(Instant.now()).block(Duration.ofSeconds(30));
				this.schedule = Flux.interval(Duration.ofMinutes(5))
					.concatMap((tick) -> keys.rotateIfDue(Instant.now()).onErrorResume((ex) -> reactor.core.publisher.Mono.empty()))
					.subscribe();
			}

			@Override
			public void stop() {
				Disposable running = this.schedule;
				if (running != null) {
					running.dispose();
				}
			}

			@Override
			public boolean isRunning() {
				return this.schedule != null && !this.schedule.isDisposed();
			}

		};
	}

}
