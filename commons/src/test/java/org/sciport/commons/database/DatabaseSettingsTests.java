package org.sciport.commons.database;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DatabaseSettingsTests {

	@Test
	void derivesR2dbcAndFlywaySettingsFromOneJdbcUrl() {
		Map<String, Object> derived = DatabaseEnvironmentPostProcessor
			.expand("jdbc:postgresql://db.example:6543/sciport_auth?sslmode=require", "svc", "pw");
		assertThat(derived).containsEntry("spring.r2dbc.url", "r2dbc:postgresql://db.example:6543/sciport_auth?sslmode=require")
			.containsEntry("spring.flyway.url", "jdbc:postgresql://db.example:6543/sciport_auth?sslmode=require")
			.containsEntry("spring.r2dbc.username", "svc")
			.containsEntry("spring.flyway.user", "svc")
			.containsEntry("spring.r2dbc.password", "pw");
	}

	@Test
	void refusesAnythingButAPostgresJdbcUrl() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> DatabaseEnvironmentPostProcessor.expand("r2dbc:postgresql://h/db", "u", ""));
	}

	@Test
	void explicitSettingsWinOverDerivedOnesAndDefaultsComeLast() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("test", Map.of("sciport.database.url", "jdbc:postgresql://h:1/a",
					"spring.flyway.url", "jdbc:postgresql://other:2/b", "spring.jackson.property-naming-strategy",
					"LOWER_CAMEL_CASE")));
		new DatabaseEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("spring.r2dbc.url")).isEqualTo("r2dbc:postgresql://h:1/a");
		assertThat(environment.getProperty("spring.flyway.url")).isEqualTo("jdbc:postgresql://other:2/b");
		assertThat(environment.getProperty("spring.jackson.property-naming-strategy")).isEqualTo("LOWER_CAMEL_CASE");
		assertThat(environment.getProperty("spring.kafka.producer.acks")).isEqualTo("all");
	}

}
