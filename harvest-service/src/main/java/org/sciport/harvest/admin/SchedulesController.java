package org.sciport.harvest.admin;

import java.util.Map;
import java.util.UUID;

import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.Caller;
import org.sciport.harvest.web.Body;
import org.sciport.harvest.web.Surfaces;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Harvest schedules and their manual trigger; administrators only.
 */
@RestController
class SchedulesController {

	private final Schedules schedules;

	SchedulesController(Schedules schedules) {
		this.schedules = schedules;
	}

	@GetMapping({ "/api/schedules", "/v1/schedules" })
	Mono<Object> list(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			Surfaces.Window window = Surfaces.window(exchange);
			String instrumentText = exchange.getRequest().getQueryParams().getFirst("instrument_id");
			UUID instrument = null;
			if (instrumentText != null && !instrumentText.isBlank()) {
				try {
					instrument = UUID.fromString(instrumentText.trim());
				}
				catch (IllegalArgumentException ex) {
					throw new ValidationException("instrument_id", "instrument_id must be a UUID");
				}
			}
			UUID only = instrument;
			return Mono.zip(this.schedules.list(only, window.offset(), window.limit()), this.schedules.count(only))
				.map((page) -> Surfaces.list(exchange, window, page.getT1(), page.getT2()));
		});
	}

	@GetMapping({ "/api/schedules/{id}", "/v1/schedules/{id}" })
	Mono<Map<String, Object>> get(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.schedules.get(Paths.uuid("schedule", id));
		});
	}

	@PostMapping({ "/api/schedules", "/v1/schedules" })
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Map<String, Object>> create(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.schedules.create(Body.of(body, Schedules.FIELDS));
		});
	}

	@PatchMapping({ "/api/schedules/{id}", "/v1/schedules/{id}" })
	Mono<Map<String, Object>> update(@PathVariable String id, @RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.schedules.update(Paths.uuid("schedule", id), Body.of(body, Schedules.FIELDS));
		});
	}

	@DeleteMapping({ "/api/schedules/{id}", "/v1/schedules/{id}" })
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> delete(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.schedules.delete(Paths.uuid("schedule", id));
		});
	}

	/** Starts a run now; answers the run (the same one again for a repeated Idempotency-Key). */
	@PostMapping({ "/api/schedules/{id}/trigger", "/v1/schedules/{id}/trigger" })
	@ResponseStatus(HttpStatus.ACCEPTED)
	Mono<Map<String, Object>> trigger(@PathVariable String id,
			@RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = Surfaces.admin(exchange);
			return this.schedules.trigger(Paths.uuid("schedule", id), UUID.fromString(caller.userId()), idempotencyKey);
		});
	}

}
