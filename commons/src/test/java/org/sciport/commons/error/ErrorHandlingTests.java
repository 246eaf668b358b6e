package org.sciport.commons.error;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sciport.commons.web.RequestIdFilter;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The error handler every service uses, in front of handlers that fail in each way a request
 * can fail.
 */
class ErrorHandlingTests {

	record Body(String name) {
	}

	record Member(java.util.UUID id, int level) {
	}

	record Team(List<Member> members) {
	}

	private final RouterFunction<ServerResponse> routes = RouterFunctions.route()
		.GET("/conflict", (request) -> Mono.error(new ConflictException("Name already taken")))
		.GET("/validation", (request) -> Mono.error(new ValidationException("title", "title is required")))
		.GET("/missing", (request) -> Mono.error(new NotFoundException("No such dataset")))
		.GET("/forbidden", (request) -> Mono.error(new PermissionDeniedException("Not yours")))
		.GET("/bug", (request) -> Mono.error(new IllegalStateException("password=hunter2 at db.internal:5432")))
		.POST("/json", (request) -> request.bodyToMono(Body.class).flatMap((body) -> ServerResponse.ok().bodyValue(body)))
		.POST("/team", (request) -> request.bodyToMono(Team.class).flatMap((body) -> ServerResponse.ok().bodyValue(body)))
		.build();

	private final WebTestClient client = WebTestClient.bindToRouterFunction(this.routes)
		// Not HandlerStrategies.builder(): its default status handler would answer before ours,
		// which in a service runs first (order -2).
		.handlerStrategies(HandlerStrategies.empty()
			.codecs((codecs) -> codecs.registerDefaults(true))
			.localeContextResolver(new org.springframework.web.server.i18n.AcceptHeaderLocaleContextResolver())
			.webFilter(new RequestIdFilter())
			.exceptionHandler(new SciportErrorHandler(JsonMapper.builder().build(), List.of()))
			.build())
		.build();

	@Test
	void mapsEachExceptionToItsCodeAndStatus() {
		expect("/conflict", 409, "CONFLICT", "Name already taken");
		expect("/missing", 404, "RESOURCE_NOT_FOUND", "No such dataset");
		expect("/forbidden", 403, "INSUFFICIENT_PERMISSIONS", "Not yours");
		this.client.get().uri("/validation").exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR").jsonPath("$.error.field").isEqualTo("title");
	}

	@Test
	void neverShowsTheInternalsOfAnUnexpectedError() {
		String body = this.client.get().uri("/bug").header("X-Request-Id", "req-bug-1").exchange()
			.expectStatus().isEqualTo(500)
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(body).contains("\"code\":\"INTERNAL_ERROR\"", "\"request_id\":\"req-bug-1\"")
			.doesNotContain("hunter2", "IllegalStateException", "db.internal", "at org.");
	}

	@Test
	void answersMalformedAndUnsupportedBodiesInTheSameShape() {
		this.client.post().uri("/json").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\":").exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR");
		this.client.post().uri("/json").contentType(MediaType.TEXT_PLAIN).bodyValue("name=x").exchange()
			.expectStatus().isEqualTo(415)
			.expectBody().jsonPath("$.error.code").isEqualTo("UNSUPPORTED_MEDIA_TYPE");
	}

	@Test
	void theRequestIdInTheBodyIsTheOneInTheHeader() {
		this.client.get().uri("/missing").exchange()
			.expectHeader().value("X-Request-Id", (id) -> this.client.get().uri("/missing").header("X-Request-Id", id)
				.exchange()
				.expectBody().jsonPath("$.error.request_id").isEqualTo(id));
	}

	@Test
	void namesTheFieldWhoseValueDoesNotFit() {
		for (String[] bad : List.of(new String[] { "{\"members\":[{\"id\":\"not-a-uuid\",\"level\":1}]}", "members[0].id" },
				new String[] { "{\"members\":[{\"id\":null,\"level\":1},{\"level\":\"high\"}]}", "members[1].level" },
				new String[] { "{\"members\":\"everyone\"}", "members" })) {
			this.client.post().uri("/team").contentType(MediaType.APPLICATION_JSON).bodyValue(bad[0]).exchange()
				.expectStatus().isBadRequest()
				.expectBody()
				.jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR")
				.jsonPath("$.error.field").isEqualTo(bad[1])
				.jsonPath("$.error.message").isEqualTo("Field '" + bad[1] + "' has a value of the wrong type or format");
		}
		// Not JSON at all: no field to name.
		this.client.post().uri("/team").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"members\": [").exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.message").isEqualTo("Request body is not valid JSON for this operation");
		this.client.post().uri("/team").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"members\":[]}").exchange()
			.expectStatus().isOk();
	}

	@Test
	void classifiesFrameworkStatusesWithoutLeakingTheirReasons() {
		ApiError error = ErrorClassifier.classify(new org.springframework.web.server.ResponseStatusException(
				org.springframework.http.HttpStatus.SERVICE_UNAVAILABLE, "pool exhausted on node 7"));
		assertThat(error.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
		assertThat(error.message()).doesNotContain("node 7");
		assertThat(ErrorClassifier.classify(new RuntimeException("boom")).details()).isEqualTo(Map.of());
	}

	private void expect(String path, int status, String code, String message) {
		this.client.get().uri(path).exchange()
			.expectStatus().isEqualTo(status)
			.expectHeader().contentType(MediaType.APPLICATION_JSON)
			.expectBody()
			.jsonPath("$.error.code").isEqualTo(code)
			.jsonPath("$.error.message").isEqualTo(message)
			.jsonPath("$.error.request_id").isNotEmpty();
	}

}
