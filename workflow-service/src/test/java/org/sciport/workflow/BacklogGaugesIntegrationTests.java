package org.sciport.workflow;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.sciport.commons.metrics.Backlog;
import org.sciport.commons.metrics.BacklogGauges;
import org.sciport.testsupport.TestInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What waits in the database, counted on the real PostgreSQL and published as gauges: the
 * service's workflow queue and outbox backlog, and a count that fails without harm.
 */
@SpringBootTest(properties = "spring.config.name=workflow-service")
class BacklogGaugesIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "workflow");
	}

	@Autowired
	DatabaseClient database;

	@Autowired
	MeterRegistry meters;

	@Test
	void theServicePublishesItsQueueAndOutbox() {
		assertThat(this.meters.get("sciport.queue.depth").tag("queue", "workflow").gauge().value()).isGreaterThanOrEqualTo(0);
		assertThat(this.meters.get("sciport.outbox.backlog").gauge().value()).isGreaterThanOrEqualTo(0);
	}

	@Test
	void eachCountIsTakenFromTheDatabaseAndAFailingOneKeepsItsLastValue() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		this.database.sql("CREATE TABLE IF NOT EXISTS backlog_probe (x int)").then().block(Duration.ofSeconds(10));
		this.database.sql("DELETE FROM backlog_probe").then().block(Duration.ofSeconds(10));
		this.database.sql("INSERT INTO backlog_probe VALUES (1), (2), (3)").then().block(Duration.ofSeconds(10));
		BacklogGauges gauges = new BacklogGauges(this.database,
				List.of(Backlog.queue("probe", "rows of backlog_probe", "SELECT count(*) AS n FROM backlog_probe")),
				registry, Duration.ofHours(1));

		gauges.refresh().block(Duration.ofSeconds(10));
		assertThat(registry.get("sciport.queue.depth").tag("queue", "probe").gauge().value()).isEqualTo(3);

		this.database.sql("DROP TABLE backlog_probe").then().block(Duration.ofSeconds(10));
		gauges.refresh().block(Duration.ofSeconds(10));
		assertThat(registry.get("sciport.queue.depth").tag("queue", "probe").gauge().value()).isEqualTo(3);
	}

}
