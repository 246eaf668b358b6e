package org.sciport.commons.autoconfigure;

import java.net.MalformedURLException;
import java.time.Duration;
import java.util.List;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import org.sciport.commons.calls.ServiceCalls;
import org.sciport.commons.docs.ApiDocument;
import org.sciport.commons.error.ErrorRenderer;
import org.sciport.commons.error.SciportErrorHandler;
import org.sciport.commons.event.CloudEventCodec;
import org.sciport.commons.event.KafkaConnection;
import org.sciport.commons.event.Topics;
import org.sciport.commons.health.KafkaHealthIndicator;
import org.sciport.commons.inbox.EventInbox;
import org.sciport.commons.metrics.Backlog;
import org.sciport.commons.metrics.BacklogGauges;
import org.sciport.commons.inbox.ListenerErrorPolicy;
import org.sciport.commons.inbox.ProcessedEvents;
import org.sciport.commons.input.StrictJson;
import org.sciport.commons.outbox.OutboxProperties;
import org.sciport.commons.outbox.OutboxRelay;
import org.sciport.commons.outbox.OutboxWriter;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.ApiTokenExchanger;
import org.sciport.commons.security.HttpApiTokenExchanger;
import org.sciport.commons.security.AccessTokenVerifier;
import org.sciport.commons.security.JwtSettings;
import org.sciport.commons.security.RevocationListener;
import org.sciport.commons.security.RevokedTokens;
import org.sciport.commons.web.ClientAddresses;
import org.sciport.commons.web.RequestIdFilter;
import org.sciport.commons.input.RequestTextFilter;
import org.sciport.commons.web.RequestIdLogging;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every Sciport application gets from {@code commons}: the request id, the error
 * handler, the event codec; and, where the application has a database and Kafka, the
 * outbox, the idempotent consumer, the topics and a Kafka health indicator.
 */
@AutoConfiguration(after = { R2dbcAutoConfiguration.class, R2dbcTransactionManagerAutoConfiguration.class,
		KafkaAutoConfiguration.class })
public final class SciportServiceAutoConfiguration {

	static {
		RequestIdLogging.register();
	}

	@Bean
	RequestIdFilter sciportRequestIdFilter() {
		return new RequestIdFilter();
	}

	/**
	 * The time limits and circuit breakers of calls to other services, with their metrics.
	 */
	@Bean
	@ConditionalOnMissingBean
	ServiceCalls sciportServiceCalls(ObjectProvider<MeterRegistry> meters) {
		CircuitBreakerRegistry breakers = ServiceCalls.registry();
		meters.ifAvailable((registry) -> TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry));
		return new ServiceCalls(breakers);
	}

	@Bean
	org.sciport.commons.web.PortalPaths sciportPortalPaths() {
		return new org.sciport.commons.web.PortalPaths();
	}

	@Bean
	RequestTextFilter sciportRequestTextFilter(Environment environment) {
		return new RequestTextFilter(environment.getProperty("sciport.web.read-form-bodies", Boolean.class, true));
	}

	/**
	 * The frame of the application's OpenAPI document (springdoc adds the operations).
	 */
	@Bean
	@ConditionalOnMissingBean
	io.swagger.v3.oas.models.OpenAPI sciportApiDocument(Environment environment) {
		return ApiDocument.frame(environment.getProperty("spring.application.name", "service"),
				environment.getProperty("sciport.version", "0.1.0"));
	}

	@Bean
	io.swagger.v3.core.jackson.ModelResolver sciportApiSchemas() {
		return ApiDocument.snakeCaseSchemas();
	}

	@Bean
	StrictJson strictJson() {
		return new StrictJson();
	}

	@Bean
	@ConditionalOnMissingBean
	ClientAddresses clientAddresses(Environment environment) {
		return new ClientAddresses(environment.getProperty("sciport.security.client-address-key", ""),
				java.time.Clock.systemUTC(),
				environment.getProperty("sciport.security.trusted-proxy-hops", Integer.class, 0));
	}

	@Bean
	SciportErrorHandler sciportErrorHandler(JsonMapper jsonMapper, ObjectProvider<ErrorRenderer> renderers) {
		return new SciportErrorHandler(jsonMapper, renderers.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	CloudEventCodec cloudEventCodec(JsonMapper jsonMapper) {
		// Event payloads keep their own field names: use a mapper without the web's naming strategy
		// rules only where a payload type declares them.
		return new CloudEventCodec(jsonMapper);
	}

	/**
	 * Access-token checks on every non-public path ({@code sciport.security.enabled}, on by
	 * default). A service that holds the signing keys itself supplies its own {@link JWKSource}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "sciport.security.enabled", matchIfMissing = true)
	@EnableConfigurationProperties(JwtSettings.class)
	static class SecurityConfiguration {

		@Bean
		@ConditionalOnMissingBean
		JWKSource<SecurityContext> accessTokenKeys(JwtSettings settings) throws MalformedURLException {
			// Cached, refreshed ahead of expiry, fetched again (at most every 30 s) on an unknown kid.
			return JWKSourceBuilder.create(settings.jwksUri().toURL()).retrying(true).build();
		}

		@Bean
		AccessTokenVerifier accessTokenVerifier(JWKSource<SecurityContext> keys, JwtSettings settings) {
			return new AccessTokenVerifier(keys, settings);
		}

		@Bean
		@ConditionalOnMissingBean
		ApiTokenExchanger apiTokenExchanger(JwtSettings settings, ObjectProvider<WebClient.Builder> clients,
				ServiceCalls calls) {
			// Where the keys are published, the exchange is too.
			return new HttpApiTokenExchanger(settings.jwksUri().resolve("/v1/tokens/exchange"),
					clients.getIfAvailable(WebClient::builder), calls.to("auth-service", Duration.ofSeconds(5)));
		}

		@Bean
		AccessTokenFilter accessTokenFilter(AccessTokenVerifier verifier, JwtSettings settings,
				ObjectProvider<RevokedTokens> revoked, ApiTokenExchanger apiTokens) {
			return new AccessTokenFilter(verifier, settings.publicPaths(), revoked.getIfAvailable(), apiTokens);
		}

		/**
		 * Revocations from Kafka ({@code sciport.security.revocations.enabled}): the gateway
		 * turns it on so a logged-out token is refused at the edge at once.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnProperty(name = "sciport.security.revocations.enabled")
		static class RevocationConfiguration {

			@Bean
			RevokedTokens revokedTokens() {
				return new RevokedTokens();
			}

			@Bean
			RevocationListener revocationListener(RevokedTokens revoked, Environment environment) {
				return new RevocationListener(revoked, KafkaConnection.settings(environment));
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ DatabaseClient.class, KafkaTemplate.class })
	@ConditionalOnBean({ DatabaseClient.class, ReactiveTransactionManager.class })
	@EnableConfigurationProperties(OutboxProperties.class)
	static class EventsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TransactionalOperator transactionalOperator(ReactiveTransactionManager transactionManager) {
			return TransactionalOperator.create(transactionManager);
		}

		@Bean
		@ConditionalOnProperty(name = "sciport.outbox.enabled", matchIfMissing = true)
		OutboxRelay outboxRelay(DatabaseClient databaseClient, TransactionalOperator transactionalOperator,
				KafkaTemplate<String, String> kafkaTemplate, OutboxProperties properties) {
			return new OutboxRelay(databaseClient, transactionalOperator, kafkaTemplate, properties);
		}

		@Bean
		OutboxWriter outboxWriter(DatabaseClient databaseClient, CloudEventCodec codec,
				ObjectProvider<OutboxRelay> relay) {
			return new OutboxWriter(databaseClient, codec, () -> relay.ifAvailable(OutboxRelay::wake));
		}

		/**
		 * The outbox's backlog and every {@link Backlog} the service declares, as gauges
		 * ({@code sciport.metrics.backlog-every}, 15 s by default).
		 */
		@Bean
		BacklogGauges sciportBacklogGauges(DatabaseClient databaseClient, ObjectProvider<Backlog> backlogs,
				ObjectProvider<MeterRegistry> meters, Environment environment) {
			List<Backlog> all = new java.util.ArrayList<>();
			all.add(Backlog.outbox());
			backlogs.orderedStream().forEach(all::add);
			return new BacklogGauges(databaseClient, all, meters.getIfAvailable(SimpleMeterRegistry::new),
					environment.getProperty("sciport.metrics.backlog-every", Duration.class, Duration.ofSeconds(15)));
		}

		@Bean
		ProcessedEvents processedEvents(DatabaseClient databaseClient, TransactionalOperator transactionalOperator) {
			return new ProcessedEvents(databaseClient, transactionalOperator);
		}

		@Bean
		EventInbox eventInbox(CloudEventCodec codec, ProcessedEvents processedEvents) {
			return new EventInbox(codec, processedEvents);
		}

		@Bean
		KafkaAdmin.NewTopics sciportTopics(Environment environment) {
			int partitions = environment.getProperty("sciport.events.partitions", Integer.class, 3);
			int replicas = environment.getProperty("sciport.events.replication-factor", Integer.class, 1);
			List<String> names = List.of(Topics.AUTH, Topics.UPLOAD, Topics.DATASET, Topics.HARVEST, Topics.WORKFLOW,
					Topics.GATEWAY);
			return new KafkaAdmin.NewTopics(names.stream()
				.flatMap((name) -> java.util.stream.Stream.of(name, name + ListenerErrorPolicy.DEAD_LETTER_SUFFIX))
				.map((name) -> TopicBuilder.name(name).partitions(partitions).replicas(replicas).build())
				.toArray(NewTopic[]::new));
		}

		/**
		 * Every listener's error policy: transient failures retried with backoff until they
		 * succeed, records that can never be applied to the dead-letter topic.
		 */
		@Bean
		@ConditionalOnMissingBean(CommonErrorHandler.class)
		CommonErrorHandler sciportListenerErrorHandler(KafkaTemplate<String, String> kafkaTemplate,
				ObjectProvider<MeterRegistry> meters) {
			return ListenerErrorPolicy.errorHandler(kafkaTemplate, meters.getIfAvailable(SimpleMeterRegistry::new));
		}

		@Bean("kafka")
		@ConditionalOnMissingBean(name = "kafka")
		KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin kafkaAdmin) {
			return new KafkaHealthIndicator(kafkaAdmin.getConfigurationProperties(), Duration.ofSeconds(3));
		}

	}

}
