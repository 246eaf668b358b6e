package org.sciport.harvest.hooks;

import java.util.Map;
import java.util.UUID;

import org.sciport.commons.error.NotFoundException;
import org.sciport.harvest.web.Body;
import org.sciport.harvest.web.Surfaces;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Hook configurations on both surfaces; administrators only.
 */
@RestController
class HooksController {

	private final Hooks hooks;

	HooksController(Hooks hooks) {
		this.hooks = hooks;
	}

	@GetMapping({ "/api/hooks", "/v1/hooks" })
	Mono<Object> list(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			Surfaces.Window window = Surfaces.window(exchange);
			return Mono.zip(this.hooks.list(window.offset(), window.limit()), this.hooks.count())
				.map((page) -> Surfaces.list(exchange, window, page.getT1(), page.getT2()));
		});
	}

	@GetMapping({ "/api/hooks/{id}", "/v1/hooks/{id}" })
	Mono<Map<String, Object>> get(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.hooks.get(uuid(id));
		});
	}

	@PostMapping({ "/api/hooks", "/v1/hooks" })
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Map<String, Object>> create(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.hooks.create(Body.of(body, Hooks.FIELDS));
		});
	}

	@PatchMapping({ "/api/hooks/{id}", "/v1/hooks/{id}" })
	Mono<Map<String, Object>> update(@PathVariable String id, @RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.hooks.update(uuid(id), Body.of(body, Hooks.FIELDS));
		});
	}

	@DeleteMapping({ "/api/hooks/{id}", "/v1/hooks/{id}" })
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> delete(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.hooks.delete(uuid(id));
		});
	}

	private static UUID uuid(String id) {
		try {
			return UUID.fromString(id);
		}
		catch (IllegalArgumentException ex) {
			throw new NotFoundException("no hook " + id);
		}
	}

}
