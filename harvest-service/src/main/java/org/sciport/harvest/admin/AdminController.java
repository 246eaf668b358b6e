package org.sciport.harvest.admin;

import java.util.Map;
import java.util.UUID;

import org.sciport.harvest.secrets.Resealing;
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
 * Storage locations, service accounts and instruments, on both surfaces
 * ({@code /api/...} and {@code /v1/...}), and the resealing of secrets after a key rotation;
 * administrators only.
 */
@RestController
class AdminController {

	private final StorageLocations storage;

	private final ServiceAccounts accounts;

	private final Instruments instruments;

	private final Resealing resealing;

	AdminController(StorageLocations storage, ServiceAccounts accounts, Instruments instruments, Resealing resealing) {
		this.storage = storage;
		this.accounts = accounts;
		this.instruments = instruments;
		this.resealing = resealing;
	}

	// Secrets at rest

	/** Moves every sealed secret to the current key (after a key rotation). */
	@PostMapping("/v1/harvest/secrets/reseal")
	Mono<Map<String, Object>> reseal(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.resealing.resealAll();
		});
	}

	// Storage locations

	@GetMapping({ "/api/storage-locations", "/v1/storage-locations" })
	Mono<Object> storageLocations(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			Surfaces.Window window = Surfaces.window(exchange);
			return Mono.zip(this.storage.list(window.offset(), window.limit()), this.storage.count())
				.map((page) -> Surfaces.list(exchange, window, page.getT1(), page.getT2()));
		});
	}

	@GetMapping({ "/api/storage-locations/{id}", "/v1/storage-locations/{id}" })
	Mono<Map<String, Object>> storageLocation(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.storage.get(Paths.uuid("storage location", id));
		});
	}

	@PostMapping({ "/api/storage-locations", "/v1/storage-locations" })
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Map<String, Object>> createStorageLocation(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.storage.create(Body.of(body, StorageLocations.FIELDS));
		});
	}

	@PatchMapping({ "/api/storage-locations/{id}", "/v1/storage-locations/{id}" })
	Mono<Map<String, Object>> updateStorageLocation(@PathVariable String id, @RequestBody JsonNode body,
			ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.storage.update(Paths.uuid("storage location", id), Body.of(body, StorageLocations.FIELDS));
		});
	}

	@DeleteMapping({ "/api/storage-locations/{id}", "/v1/storage-locations/{id}" })
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> deleteStorageLocation(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.storage.delete(Paths.uuid("storage location", id));
		});
	}

	@GetMapping({ "/api/storage-locations/{id}/test", "/v1/storage-locations/{id}/test" })
	Mono<Map<String, Object>> testStorageLocation(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.storage.test(Paths.uuid("storage location", id));
		});
	}

	// Service accounts

	@GetMapping({ "/api/service-accounts", "/v1/service-accounts" })
	Mono<Object> serviceAccounts(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			Surfaces.Window window = Surfaces.window(exchange);
			return Mono.zip(this.accounts.list(window.offset(), window.limit()), this.accounts.count())
				.map((page) -> Surfaces.array(exchange, window, page.getT1(), page.getT2()));
		});
	}

	@GetMapping({ "/api/service-accounts/{id}", "/v1/service-accounts/{id}" })
	Mono<Map<String, Object>> serviceAccount(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.accounts.get(Paths.uuid("service account", id));
		});
	}

	@PostMapping({ "/api/service-accounts", "/v1/service-accounts" })
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Map<String, Object>> createServiceAccount(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.accounts.create(Body.of(body, ServiceAccounts.FIELDS));
		});
	}

	@PatchMapping({ "/api/service-accounts/{id}", "/v1/service-accounts/{id}" })
	Mono<Map<String, Object>> updateServiceAccount(@PathVariable String id, @RequestBody JsonNode body,
			ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.accounts.update(Paths.uuid("service account", id), Body.of(body, ServiceAccounts.FIELDS));
		});
	}

	@DeleteMapping({ "/api/service-accounts/{id}", "/v1/service-accounts/{id}" })
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> deleteServiceAccount(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.accounts.delete(Paths.uuid("service account", id));
		});
	}

	// Instruments

	@GetMapping({ "/api/instruments", "/v1/instruments" })
	Mono<Object> instruments(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			Surfaces.Window window = Surfaces.window(exchange);
			return Mono.zip(this.instruments.list(window.offset(), window.limit()), this.instruments.count())
				.map((page) -> Surfaces.list(exchange, window, page.getT1(), page.getT2()));
		});
	}

	@GetMapping({ "/api/instruments/{id}", "/v1/instruments/{id}" })
	Mono<Map<String, Object>> instrument(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.instruments.get(Paths.uuid("instrument", id));
		});
	}

	@PostMapping({ "/api/instruments", "/v1/instruments" })
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Map<String, Object>> createInstrument(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.instruments.create(Body.of(body, Instruments.FIELDS));
		});
	}

	@PatchMapping({ "/api/instruments/{id}", "/v1/instruments/{id}" })
	Mono<Map<String, Object>> updateInstrument(@PathVariable String id, @RequestBody JsonNode body,
			ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.instruments.update(Paths.uuid("instrument", id), Body.of(body, Instruments.FIELDS));
		});
	}

	@DeleteMapping({ "/api/instruments/{id}", "/v1/instruments/{id}" })
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> deleteInstrument(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.instruments.delete(Paths.uuid("instrument", id));
		});
	}

	@GetMapping({ "/api/instruments/{id}/access", "/v1/instruments/{id}/access" })
	Mono<java.util.List<Map<String, Object>>> access(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.instruments.grants(Paths.uuid("instrument", id));
		});
	}

	@PostMapping({ "/api/instruments/{id}/access", "/v1/instruments/{id}/access" })
	@ResponseStatus(HttpStatus.CREATED)
	Mono<java.util.List<Map<String, Object>>> grant(@PathVariable String id, @RequestBody JsonNode body,
			ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			return this.instruments.grant(Paths.uuid("instrument", id),
					Body.of(body, java.util.Set.of("grantee_type", "grantee_id")));
		});
	}

	@DeleteMapping({ "/api/instruments/{id}/access/{type}/{grantee}", "/v1/instruments/{id}/access/{type}/{grantee}" })
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> revoke(@PathVariable String id, @PathVariable String type, @PathVariable String grantee,
			ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Surfaces.admin(exchange);
			UUID who = Paths.uuid("grant", grantee);
			return this.instruments.revoke(Paths.uuid("instrument", id), type, who);
		});
	}

}
