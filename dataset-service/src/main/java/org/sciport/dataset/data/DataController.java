package org.sciport.dataset.data;

import org.sciport.commons.security.AccessTokenFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/data/{id}}.
 */
@RestController
class DataController {

	private final DataRecords records;

	DataController(DataRecords records) {
		this.records = records;
	}

	@GetMapping("/v1/data/{id}")
	Mono<DataRecord> get(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.records.get(AccessTokenFilter.requireCaller(exchange), id));
	}

}
