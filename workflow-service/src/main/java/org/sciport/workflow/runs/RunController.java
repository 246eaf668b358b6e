package org.sciport.workflow.runs;

import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.workflow.web.Listing;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A workflow's runs ({@code /v1/resources/workflow/{name}/runs}) and any resource's logs
 * ({@code /v1/resources/{type}/{name}/logs}).
 */
@RestController
class RunController {

	private final Runs runs;

	RunController(Runs runs) {
		this.runs = runs;
	}

	@PostMapping("/v1/resources/workflow/{name}/runs")
	@ResponseStatus(HttpStatus.ACCEPTED)
	Mono<Map<String, Object>> start(@PathVariable String name, @RequestParam(required = false) @Nullable String workspace,
			ServerWebExchange exchange) {
		return Mono.defer(() -> this.runs.start(AccessTokenFilter.requireCaller(exchange), name, workspace));
	}

	@GetMapping("/v1/resources/workflow/{name}/runs")
	Mono<Map<String, Object>> list(@PathVariable String name, @RequestParam(required = false) @Nullable String workspace,
			ServerWebExchange exchange) {
		return Mono.defer(() -> this.runs.list(AccessTokenFilter.requireCaller(exchange), name, workspace,
				Listing.of(exchange.getRequest().getQueryParams())));
	}

	@GetMapping("/v1/resources/workflow/{name}/runs/{run}")
	Mono<Map<String, Object>> get(@PathVariable String name, @PathVariable String run,
			@RequestParam(required = false) @Nullable String workspace, ServerWebExchange exchange) {
		return Mono.defer(() -> this.runs.get(AccessTokenFilter.requireCaller(exchange), name, workspace, runId(run)));
	}

	@PostMapping("/v1/resources/workflow/{name}/runs/{run}/cancel")
	@ResponseStatus(HttpStatus.ACCEPTED)
	Mono<Map<String, Object>> cancel(@PathVariable String name, @PathVariable String run,
			@RequestParam(required = false) @Nullable String workspace, ServerWebExchange exchange) {
		return Mono.defer(() -> this.runs.cancel(AccessTokenFilter.requireCaller(exchange), name, workspace, runId(run)));
	}

	@GetMapping(value = "/v1/resources/{type}/{name}/logs", params = "follow!=true")
	Mono<Map<String, Object>> logs(@PathVariable String type, @PathVariable String name,
			@RequestParam(required = false) @Nullable String workspace, @RequestParam(required = false) @Nullable String since,
			@RequestParam(required = false) @Nullable String tail, @RequestParam(required = false) @Nullable String run,
			ServerWebExchange exchange) {
		return Mono.defer(() -> this.runs.logLines(AccessTokenFilter.requireCaller(exchange), type, name, workspace, since,
				tail, run));
	}

	/**
	 * {@code follow=true}: the lines, then each new one as the run writes it, until it ends; as
	 * Server-Sent Events (the default) or as NDJSON ({@code Accept: application/x-ndjson}).
	 */
	@GetMapping(value = "/v1/resources/{type}/{name}/logs", params = "follow=true",
			produces = { MediaType.TEXT_EVENT_STREAM_VALUE, MediaType.APPLICATION_NDJSON_VALUE })
	Flux<Map<String, Object>> follow(@PathVariable String type, @PathVariable String name,
			@RequestParam(required = false) @Nullable String workspace, @RequestParam(required = false) @Nullable String since,
			@RequestParam(required = false) @Nullable String tail, @RequestParam(required = false) @Nullable String run,
			ServerWebExchange exchange) {
		return Flux.defer(() -> this.runs.follow(AccessTokenFilter.requireCaller(exchange), type, name, workspace, since,
				tail, run));
	}

	private static UUID runId(String text) {
		try {
			return UUID.fromString(text);
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException("run", "run is a run's id");
		}
	}

}
