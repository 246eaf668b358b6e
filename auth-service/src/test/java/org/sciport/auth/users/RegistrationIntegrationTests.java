package org.sciport.auth.users;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sciport.commons.event.Topics;
import org.sciport.auth.AuthServiceIntegrationTest;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TopicReader;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

@AuthServiceIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class RegistrationIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "auth_registration");
	}

	@Autowired
	WebTestClient client;

	@Test
	void registersAUserAndAnnouncesItOnKafka() {
		Map<String, Object> user = this.client.post()
			.uri("/v1/auth/register")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", "Ada@Example.org", "password", "correct horse battery", "name", "Ada"))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
		assertThat(user).containsEntry("email", "Ada@Example.org")
			.containsEntry("role", "user")
			.containsEntry("plan", "free")
			.containsKey("created_at")
			.doesNotContainKeys("password", "password_hash");
		String id = (String) user.get("id");
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.AUTH)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords(
					(record) -> record.value().contains("\"sciport.auth.user.registered\"")
							&& record.value().contains("\"Ada\""),
					1, Duration.ofSeconds(30));
			assertThat(events).hasSize(1);
			ConsumerRecord<String, String> event = events.get(0);
			assertThat(event.key()).isEqualTo(id);
			assertThat(event.value()).contains("\"specversion\":\"1.0\"", "\"source\":\"/sciport/auth-service\"",
					"\"subject\":\"" + id + "\"");
			assertThat(new String(event.headers().lastHeader("content-type").value()))
				.startsWith("application/cloudevents+json");
		}
	}

	@Test
	void refusesASecondAccountForTheSameEmailInAnyCase() {
		register("grace@example.org", "a long enough password").expectStatus().isCreated();
		register("GRACE@example.org", "another long password")
			.expectStatus().isEqualTo(409)
			.expectBody()
			.jsonPath("$.error.code").isEqualTo("CONFLICT")
			.jsonPath("$.error.request_id").exists();
	}

	@Test
	void rejectsInvalidInputWithTheFieldNamed() {
		register("not-an-email", "a long enough password").expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR").jsonPath("$.error.field").isEqualTo("email");
		register("short@example.org", "short").expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("password");
	}

	@Test
	void rejectsMalformedJsonAndUnknownFieldsWithoutInternals() {
		this.client.post().uri("/v1/auth/register").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"email\": ")
			.exchange()
			.expectStatus().isBadRequest()
			.expectBody()
			.jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR")
			.jsonPath("$.trace").doesNotExist()
			.jsonPath("$.exception").doesNotExist();
		this.client.post().uri("/v1/auth/register").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", "x@example.org", "password", "a long enough password", "role", "admin"))
			.exchange()
			.expectStatus().isBadRequest()
			.expectBody()
			.jsonPath("$.error.field").isEqualTo("role");
	}

	@Test
	void keepsAWellFormedClientRequestIdAndReplacesAHostileOne() {
		this.client.get().uri("/v1/auth/nothing-here").header("X-Request-Id", "req-client-42").exchange()
			.expectStatus().isUnauthorized()
			.expectHeader().valueEquals("X-Request-Id", "req-client-42")
			.expectBody().jsonPath("$.error.request_id").isEqualTo("req-client-42")
			.jsonPath("$.error.code").isEqualTo("INVALID_API_KEY");
		this.client.get().uri("/v1/auth/nothing-here").header("X-Request-Id", "<script>alert(1)</script>").exchange()
			.expectHeader().value("X-Request-Id", (value) -> assertThat(value).startsWith("req_"));
	}

	@Test
	void createsTheBootstrapAdministratorAndReportsReady() {
		this.client.get().uri("/actuator/health/readiness").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("UP")
			.jsonPath("$.components.r2dbc.status").isEqualTo("UP")
			.jsonPath("$.components.kafka.status").isEqualTo("UP");
		register("admin@sciport.local", "yet another long password").expectStatus().isEqualTo(409);
	}

	@Test
	void logsAsJsonWithTheRequestIdAndATraceId(CapturedOutput output) {
		this.client.post().uri("/v1/auth/register").contentType(MediaType.APPLICATION_JSON)
			.header("X-Request-Id", "req-log-check-1")
			.bodyValue(Map.of("email", "logs@example.org", "password", "a long enough password"))
			.exchange()
			.expectStatus().isCreated();
		String line = output.getOut().lines().filter((candidate) -> candidate.contains("req-log-check-1")).findFirst()
			.orElseThrow(() -> new AssertionError("no log line carries the request id"));
		assertThat(line).startsWith("{").contains("\"request_id\":\"req-log-check-1\"", "Account ")
			.containsPattern("\"traceId\":\"[0-9a-f]{32}\",\"spanId\":\"[0-9a-f]{16}\"")
			.doesNotContain("a long enough password", "logs@example.org");
	}

	@Test
	void exposesPrometheusMetrics() {
		this.client.get().uri("/actuator/prometheus").exchange()
			.expectStatus().isOk()
			.expectBody(String.class)
			.value((body) -> assertThat(body).contains("jvm_memory_used_bytes"));
	}

	private WebTestClient.ResponseSpec register(String email, String password) {
		return this.client.post().uri("/v1/auth/register").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", password)).exchange();
	}

}
