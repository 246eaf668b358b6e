package org.sciport.dataset.webhooks;

import java.util.Map;
import java.util.UUID;

import org.sciport.commons.page.Page;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.dataset.teams.Paths;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * {@code /v1/webhooks}: subscriptions, their secret's rotation, a test ping, and their
 * deliveries with every attempt (and a redelivery).
 */
@RestController
class WebhookController {

	private final Webhooks webhooks;

	WebhookController(Webhooks webhooks) {
		this.webhooks = webhooks;
	}

	@PostMapping("/v1/webhooks")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Map<String, Object>> create(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.webhooks.create(AccessTokenFilter.requireCaller(exchange), body));
	}

	@GetMapping("/v1/webhooks")
	Mono<Page<Map<String, Object>>> list(ServerWebExchange exchange) {
		return Mono.defer(() -> this.webhooks.list(AccessTokenFilter.requireCaller(exchange),
				Paths.page(exchange, "page", "per_page")));
	}

	@GetMapping("/v1/webhooks/{id}")
	Mono<Map<String, Object>> get(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.webhooks.get(AccessTokenFilter.requireCaller(exchange), id(id)));
	}

	@PatchMapping("/v1/webhooks/{id}")
	Mono<Map<String, Object>> patch(@PathVariable String id, @RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.webhooks.update(AccessTokenFilter.requireCaller(exchange), id(id), body));
	}

	@PutMapping("/v1/webhooks/{id}")
	Mono<Map<String, Object>> put(@PathVariable String id, @RequestBody JsonNode body, ServerWebExchange exchange) {
		return patch(id, body, exchange);
	}

	@DeleteMapping("/v1/webhooks/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> delete(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.webhooks.delete(AccessTokenFilter.requireCaller(exchange), id(id)));
	}

	@PostMapping("/v1/webhooks/{id}/rotate")
	Mono<Map<String, Object>> rotate(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.webhooks.rotate(AccessTokenFilter.requireCaller(exchange), id(id)));
	}

	@PostMapping("/v1/webhooks/{id}/ping")
	@ResponseStatus(HttpStatus.ACCEPTED)
	Mono<Map<String, Object>> ping(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.webhooks.ping(AccessTokenFilter.requireCaller(exchange), id(id)));
	}

	@GetMapping("/v1/webhooks/{id}/deliveries")
	Mono<Page<Map<String, Object>>> deliveries(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.webhooks.deliveries(AccessTokenFilter.requireCaller(exchange), id(id),
				Paths.page(exchange, "page", "per_page")));
	}

	@PostMapping("/v1/webhooks/{id}/deliveries/{delivery}/redeliver")
	@ResponseStatus(HttpStatus.ACCEPTED)
	Mono<Map<String, Object>> redeliver(@PathVariable String id, @PathVariable String delivery, ServerWebExchange exchange) {
		return Mono.defer(() -> this.webhooks.redeliver(AccessTokenFilter.requireCaller(exchange), id(id), id(delivery)));
	}

	private static UUID id(String id) {
		try {
			return UUID.fromString(id);
		}
		catch (IllegalArgumentException ex) {
			throw new org.sciport.commons.error.NotFoundException("No webhook " + id);
		}
	}

}
