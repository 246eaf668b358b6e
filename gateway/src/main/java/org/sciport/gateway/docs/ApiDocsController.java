package org.sciport.gateway.docs;

import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ServiceUnavailableException;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * {@code /docs}: Swagger UI over every service's document; {@code /openapi.json}: their union;
 * {@code /docs/openapi/{service}.json}: one service's. All public: they describe the API, they
 * do not call it.
 */
@RestController
class ApiDocsController {

	/**
	 * The page's own scripts and Swagger UI's only: no inline script, nothing from elsewhere.
	 * Swagger UI sets inline styles and shows images given as data URLs.
	 */
	static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
			+ "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

	private static final Resource PAGE = new ClassPathResource("sciport-docs/index.html");

	private final ApiDocuments documents;

	ApiDocsController(ApiDocuments documents) {
		this.documents = documents;
	}

	@GetMapping({ "/docs", "/docs/" })
	ResponseEntity<Resource> page() {
		return ResponseEntity.ok()
			.contentType(MediaType.TEXT_HTML)
			.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
			.header("X-Content-Type-Options", "nosniff")
			.header("Referrer-Policy", "no-referrer")
			.cacheControl(CacheControl.noCache())
			.body(PAGE);
	}

	@GetMapping(path = "/openapi.json", produces = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<JsonNode>> merged() {
		return this.documents.merged().map(ApiDocsController::document);
	}

	@GetMapping(path = "/docs/openapi/{service}.json", produces = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<JsonNode>> service(@PathVariable String service) {
		return this.documents.service(service)
			.map(ApiDocsController::document)
			.onErrorMap((ex) -> !(ex instanceof NotFoundException),
					(ex) -> new ServiceUnavailableException(service + " did not give its API document"))
			.switchIfEmpty(Mono.error(() -> new NotFoundException(
					"No API document named " + service + "; there are " + String.join(", ", this.documents.names()))));
	}

	private static ResponseEntity<JsonNode> document(JsonNode document) {
		return ResponseEntity.ok()
			.cacheControl(CacheControl.noCache())
			.body(document);
	}

}
