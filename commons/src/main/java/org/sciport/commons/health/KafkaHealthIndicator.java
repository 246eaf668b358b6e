package org.sciport.commons.health;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * Reports the Kafka cluster as up when it answers a cluster description within the timeout.
 * Part of each service's readiness group: a service that cannot publish or consume events
 * should not get traffic.
 */
public final class KafkaHealthIndicator implements ReactiveHealthIndicator, DisposableBean {

	private final AdminClient adminClient;

	private final Duration timeout;

	public KafkaHealthIndicator(Map<String, Object> adminConfig, Duration timeout) {
		Map<String, Object> config = new java.util.HashMap<>(adminConfig);
		config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
		config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
		config.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "sciport-health");
		this.adminClient = AdminClient.create(config);
		this.timeout = timeout;
	}

	@Override
	public Mono<Health> health() {
		DescribeClusterOptions options = new DescribeClusterOptions().timeoutMs((int) this.timeout.toMillis());
		return Mono.fromFuture(this.adminClient.describeCluster(options).nodes().toCompletionStage().toCompletableFuture())
			.map((nodes) -> Health.up().withDetail("nodes", nodes.size()).build())
			.timeout(this.timeout.plusMillis(500))
			.onErrorResume((ex) -> Mono.just(Health.down().withDetail("error", ex.getClass().getSimpleName()).build()));
	}

	@Override
	public void destroy() {
		this.adminClient.close(Duration.ofSeconds(2));
	}

}
