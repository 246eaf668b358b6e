package org.sciport.upload.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.PortalErrorRenderer;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.page.Page;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.sciport.commons.storage.BlobStore;
import org.sciport.upload.PortalAnswers;
import org.sciport.upload.spool.Spool;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Upload jobs for their owners: seed 000's {@code /api/upload/status/{job_id}},
 * {@code /api/upload/jobs}, {@code /portal/api/jobs}, {@code cancel-job} and
 * {@code retry-conversion} in the portal's envelope, and the native {@code /v1/jobs}.
 */
@RestController
class JobController {

	private static final Set<String> STATUSES = Set.of("uploading", "conversion_queued", "converting", "done",
			"conversion_failed", "failed", "cancelled", "expired");

	private final UploadJobs jobs;

	private final Spool spool;

	private final BlobStore blobs;

	JobController(UploadJobs jobs, Spool spool, BlobStore blobs) {
		this.jobs = jobs;
		this.spool = spool;
		this.blobs = blobs;
	}

	@GetMapping("/api/upload/status/{jobId}")
	Mono<Map<String, Object>> status(@PathVariable String jobId, ServerWebExchange exchange) {
		return Mono.defer(() -> this.jobs.find(AccessTokenFilter.requireCaller(exchange), id(jobId)))
			.map((job) -> PortalAnswers.envelope("Upload job", job));
	}

	@GetMapping({ "/api/upload/jobs", "/portal/api/jobs" })
	Mono<Map<String, Object>> portalList(@RequestParam MultiValueMap<String, String> query, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			PageRequest.requireKnown(query, List.of("page", "limit", "per_page", "status"));
			MultiValueMap<String, String> paging = new LinkedMultiValueMap<>();
			paging.add("page", query.getFirst("page"));
			paging.add("per_page", (query.getFirst("limit") != null) ? query.getFirst("limit") : query.getFirst("per_page"));
			PageRequest page;
			try {
				page = PageRequest.from(paging);
			}
			catch (ValidationException ex) {
				throw ("per_page".equals(ex.field())) ? new ValidationException("limit", ex.getMessage().replace("per_page", "limit")) : ex;
			}
			return this.jobs.list(AccessTokenFilter.requireCaller(exchange), page, status(query),
					exchange.getRequest().getPath().value());
		}).map((page) -> {
			Map<String, Object> pagination = new LinkedHashMap<>();
			pagination.put("page", page.pagination().page());
			pagination.put("limit", page.pagination().perPage());
			pagination.put("total", page.pagination().total());
			pagination.put("pages", page.pagination().totalPages());
			return PortalAnswers.envelope("Upload jobs", Map.of("jobs", page.data(), "pagination", pagination));
		});
	}

	@PostMapping("/portal/api/cancel-job")
	Mono<Map<String, Object>> portalCancel(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> cancel(AccessTokenFilter.requireCaller(exchange), id(bodyId(body))))
			.map((job) -> PortalAnswers.envelope("Job cancelled", job));
	}

	@PostMapping("/portal/api/retry-conversion")
	Mono<Map<String, Object>> portalRetry(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> this.jobs.retry(AccessTokenFilter.requireCaller(exchange), id(bodyId(body))))
			.map((job) -> PortalAnswers.envelope("Conversion queued again", job));
	}

	@GetMapping("/v1/jobs")
	Mono<Page<UploadJob>> list(@RequestParam MultiValueMap<String, String> query, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			PageRequest.requireKnown(query, List.of("page", "per_page", "status"));
			return this.jobs.list(AccessTokenFilter.requireCaller(exchange), PageRequest.from(query), status(query), "/v1/jobs");
		});
	}

	@GetMapping("/v1/jobs/{jobId}")
	Mono<UploadJob> get(@PathVariable String jobId, ServerWebExchange exchange) {
		return Mono.defer(() -> this.jobs.find(AccessTokenFilter.requireCaller(exchange), id(jobId)));
	}

	@PostMapping("/v1/jobs/{jobId}/cancel")
	Mono<UploadJob> nativeCancel(@PathVariable String jobId, ServerWebExchange exchange) {
		return Mono.defer(() -> cancel(AccessTokenFilter.requireCaller(exchange), id(jobId)));
	}

	@PostMapping("/v1/jobs/{jobId}/retry")
	Mono<UploadJob> nativeRetry(@PathVariable String jobId, ServerWebExchange exchange) {
		return Mono.defer(() -> this.jobs.retry(AccessTokenFilter.requireCaller(exchange), id(jobId)));
	}

	/** Cancels, then frees what the job had collected: spooled parts and derived files. */
	private Mono<UploadJob> cancel(Caller caller, UUID id) {
		return this.jobs.cancel(caller, id)
			.flatMap((job) -> this.spool.delete(id)
				.then(this.blobs.deleteAll("derived/" + id))
				.onErrorComplete()
				.thenReturn(job));
	}

	private static @Nullable String status(MultiValueMap<String, String> query) {
		String status = query.getFirst("status");
		if (status == null || status.isBlank()) {
			return null;
		}
		if (!STATUSES.contains(status)) {
			throw new ValidationException("status", "status must be one of " + String.join(", ", STATUSES.stream().sorted().toList()));
		}
		return status;
	}

	private static String bodyId(JsonNode body) {
		for (String name : new String[] { "job_id", "jobId", "id" }) {
			if (body.path(name).isString() && !body.path(name).asString().isBlank()) {
				return body.path(name).asString();
			}
		}
		throw new ValidationException("job_id", "job_id is required");
	}

	static UUID id(String value) {
		try {
			return UUID.fromString(value.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException("job_id", "job_id is not a valid id");
		}
	}


	@Configuration(proxyBeanMethods = false)
	static class PortalErrors {

		@Bean
		PortalErrorRenderer uploadPortalErrors() {
			return new PortalErrorRenderer("/api/upload/", "/portal/api/");
		}

	}

}
