package org.sciport.gateway.health;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sciport.gateway.routing.GatewayProperties;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /health}: asks every service's readiness probe (which covers its database and
 * Kafka) in parallel and answers 200 when all are up, 503 naming what is down otherwise.
 */
@RestController
class SuiteHealthController {

	private final GatewayProperties properties;

	private final WebClient webClient;

	SuiteHealthController(GatewayProperties properties) {
		this.properties = properties;
		// A plain client: health probes are not traffic, and an observed client's metrics would
		// clash with the gateway's own http.client.requests meters (different tag keys).
		this.webClient = WebClient.builder().build();
	}

	@GetMapping("/health")
	Mono<ResponseEntity<SuiteHealth>> health() {
		return Flux.fromIterable(this.properties.services().byName().entrySet())
			.flatMap((service) -> probe(service.getKey(), service.getValue()))
			.collectList()
			.map(SuiteHealthController::summarise);
	}

	private Mono<ServiceHealth> probe(String name, URI base) {
		return this.webClient.get()
			.uri(base.resolve("/actuator/health/readiness"))
			.exchangeToMono((response) -> response.bodyToMono(JsonNode.class))
			.map((body) -> ServiceHealth.from(name, body))
			.timeout(this.properties.healthTimeout())
			.onErrorResume((ex) -> Mono.just(new ServiceHealth(name, "down", Map.of("service", "unreachable"))));
	}

	private static ResponseEntity<SuiteHealth> summarise(List<ServiceHealth> results) {
		Map<String, Map<String, String>> services = new LinkedHashMap<>();
		List<String> down = results.stream().filter((r) -> !"up".equals(r.status())).map(ServiceHealth::name).sorted().toList();
		results.stream()
			.sorted((a, b) -> a.name().compareTo(b.name()))
			.forEach((r) -> services.put(r.name(), r.asMap()));
		boolean ok = down.isEmpty();
		return ResponseEntity.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
			.body(new SuiteHealth(ok ? "ok" : "degraded", services, down));
	}

	/**
	 * The suite's health.
	 *
	 * @param status {@code ok} or {@code degraded}
	 * @param services each service's status and the status of its dependencies
	 * @param down the services that are not ready
	 */
	record SuiteHealth(String status, Map<String, Map<String, String>> services, List<String> down) {
	}

	record ServiceHealth(String name, String status, Map<String, String> dependencies) {

		static ServiceHealth from(String name, JsonNode body) {
			Map<String, String> dependencies = new LinkedHashMap<>();
			JsonNode components = body.path("components");
			for (String component : List.of("r2dbc", "kafka")) {
				JsonNode node = components.path(component);
				if (!node.isMissingNode()) {
					dependencies.put(component.equals("r2dbc") ? "database" : component,
							"UP".equals(node.path("status").asString()) ? "up" : "down");
				}
			}
			String status = "UP".equals(body.path("status").asString()) ? "up" : "down";
			return new ServiceHealth(name, status, dependencies);
		}

		Map<String, String> asMap() {
			Map<String, String> map = new LinkedHashMap<>();
			map.put("status", this.status);
			map.putAll(this.dependencies);
			return map;
		}

	}

}
