package org.sciport.commons.web;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sciport.commons.error.SciportErrorHandler;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request's log lines carry its request id in the MDC without Reactor copying the context on
 * every signal: where a step logs through {@link RequestIdLogging}, and where the error handler
 * logs a failure.
 */
class RequestIdLoggingTests {

	private static final org.slf4j.Logger logger = LoggerFactory.getLogger(RequestIdLoggingTests.class);

	private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

	private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
		@Override
		protected void append(ILoggingEvent event) {
			event.prepareForDeferredProcessing();
			RequestIdLoggingTests.this.events.add(event);
		}
	};

	private final WebTestClient client = WebTestClient
		.bindToRouterFunction(RouterFunctions.route()
			// The line is written on another thread than the one that took the request.
			.GET("/logs", (request) -> Mono.just(request.queryParam("note").orElse(""))
				.publishOn(Schedulers.boundedElastic())
				.flatMap((note) -> RequestIdLogging.log(() -> logger.info("noted " + note)).thenReturn(note))
				.flatMap((note) -> ServerResponse.ok()
					.header("X-Leaked", String.valueOf(MDC.get(RequestIds.KEY)))
					.bodyValue(note)))
			.GET("/fails", (request) -> Mono.error(new IllegalStateException("broken")))
			.build())
		.handlerStrategies(HandlerStrategies.empty()
			.codecs((codecs) -> codecs.registerDefaults(true))
			.webFilter(new RequestIdFilter())
			.exceptionHandler(new SciportErrorHandler(JsonMapper.builder().build(), List.of()))
			.build())
		.build();

	@BeforeEach
	void capture() {
		RequestIdLogging.register();
		this.appender.start();
		root().addAppender(this.appender);
	}

	@AfterEach
	void release() {
		root().detachAppender(this.appender);
	}

	@Test
	void aStepThatLogsCarriesItsOwnRequestsId() {
		for (String id : List.of("req-first", "req-second")) {
			this.client.get().uri("/logs?note=" + id).header(RequestIds.HEADER, id).exchange()
				.expectStatus().isOk()
				// The scope is closed again: the worker thread does not keep the id.
				.expectHeader().valueEquals("X-Leaked", "null");
		}
		assertThat(linesOf(RequestIdLoggingTests.class)).containsExactly(Map.entry("noted req-first", "req-first"),
				Map.entry("noted req-second", "req-second"));
	}

	@Test
	void theErrorHandlersLineCarriesTheRequestId() {
		this.client.get().uri("/fails").header(RequestIds.HEADER, "req-broken").exchange().expectStatus().is5xxServerError();
		assertThat(linesOf(SciportErrorHandler.class)).containsExactly(Map.entry("Request req-broken GET /fails failed", "req-broken"));
	}

	/** The captured lines of one logger: message to the MDC's request id. */
	private List<Map.Entry<String, String>> linesOf(Class<?> source) {
		return this.events.stream()
			.filter((event) -> event.getLoggerName().equals(source.getName()))
			.map((event) -> Map.entry(event.getFormattedMessage(), String.valueOf(event.getMDCPropertyMap().get(RequestIds.KEY))))
			.toList();
	}

	private static Logger root() {
		return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
	}

}
