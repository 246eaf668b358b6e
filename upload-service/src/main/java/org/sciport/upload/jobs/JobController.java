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

	/**
	 * One job as the documents' polling loop reads it: {@code job_id}, {@code status},
	 * {@code progress_percentage}, {@code message} and {@code dataset_uuid} at the top level;
	 * the native job in {@code data}.
	 */
	@GetMapping("/api/upload/status/{jobId}")
	Mono<Map<String, Object>> status(@PathVariable String jobId, ServerWebExchange exchange) {
		return Mono.defer(() -> this.jobs.find(AccessTokenFilter.requireCaller(exchange), id(jobId)))
			.map((job) -> {
				Map<String, Object> body = PortalAnswers.envelope(PortalJobs.message(job), job);
				body.putAll(PortalJobs.view(job));
				return body;
			});
	}

	/**
	 * The caller's jobs, newest first: {@code jobs} at the top level (and in {@code data} with
	 * the pagination); {@code status} in the portal's words, {@code limit} (default 50) with
	 * {@code offset} or {@code page}.
	 */
	@GetMapping({ "/api/upload/jobs", "/portal/api/jobs" })
	Mono<Map<String, Object>> portalList(@RequestParam MultiValueMap<String, String> query, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			PageRequest.requireKnown(query, List.of("page", "limit", "per_page", "offset", "status"));
			if (query.getFirst("offset") != null && query.getFirst("page") != null) {
				throw new ValidationException("offset", "offset and page cannot be combined");
			}
			MultiValueMap<String, String> paging = new LinkedMultiValueMap<>();
			paging.add("page", query.getFirst("page"));
			String limit = (query.getFirst("limit") != null) ? query.getFirst("limit") : query.getFirst("per_page");
			paging.add("per_page", (limit != null) ? limit : String.valueOf(DEFAULT_LIMIT));
			PageRequest page;
			try {
				page = PageRequest.from(paging);
			}
			catch (ValidationException ex) {
				throw ("per_page".equals(ex.field())) ? new ValidationException("limit", ex.getMessage().replace("per_page", "limit")) : ex;
			}
			long offset = (query.getFirst("offset") != null) ? offset(query.getFirst("offset")) : page.offset();
			return this.jobs.list(AccessTokenFilter.requireCaller(exchange), page, offset, PortalJobs.filter(query.getFirst("status")),
					exchange.getRequest().getPath().value()).map((found) -> {
						List<Map<String, Object>> views = found.data().stream().map(PortalJobs::view).toList();
						Map<String, Object> pagination = new LinkedHashMap<>();
						pagination.put("page", found.pagination().page());
						pagination.put("limit", found.pagination().perPage());
						pagination.put("offset", offset);
						pagination.put("total", found.pagination().total());
						pagination.put("pages", found.pagination().totalPages());
						Map<String, Object> body = PortalAnswers.envelope("Upload jobs", Map.of("jobs", views, "pagination", pagination));
						body.put("jobs", views);
						body.put("total", found.pagination().total());
						body.put("limit", found.pagination().perPage());
						body.put("offset", offset);
						return body;
					});
		});
	}

	@PostMapping("/portal/api/cancel-job")
	Mono<Map<String, Object>> portalCancel(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> cancel(AccessTokenFilter.requireCaller(exchange), id(bodyId(body))))
			.map((job) -> {
				Map<String, Object> answer = PortalAnswers.envelope("Job cancelled", job);
				answer.put("job_id", job.jobId());
				return answer;
			});
	}

	/**
	 * Queues failed conversions again: one job ({@code job_id}), or every failed conversion of
	 * the caller's in a dataset ({@code dataset_uuid}).
	 */
	@PostMapping("/portal/api/retry-conversion")
	Mono<Map<String, Object>> portalRetry(@RequestBody JsonNode body, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			String dataset = text(body, "dataset_uuid", "dataset_id");
			if (dataset == null) {
				return this.jobs.retry(caller, id(bodyId(body))).map((job) -> {
					Map<String, Object> answer = PortalAnswers.envelope("Conversion queued again", job);
					answer.put("job_id", job.jobId());
					return answer;
				});
			}
			UUID datasetId;
			try {
				datasetId = UUID.fromString(dataset.trim());
			}
			catch (IllegalArgumentException ex) {
				throw new ValidationException("dataset_uuid", "dataset_uuid is not a valid id");
			}
			return this.jobs.failedConversions(caller, datasetId)
				.flatMap((failed) -> failed.isEmpty()
						? Mono.error(new org.sciport.commons.error.ConflictException(
								"No failed conversion of yours in this dataset to retry"))
						: reactor.core.publisher.Flux.fromIterable(failed).concatMap((job) -> this.jobs.retry(caller, job)).collectList())
				.map((retried) -> {
					Map<String, Object> answer = PortalAnswers.envelope(
							"Conversion queued again for " + retried.size() + " file(s)", Map.of("jobs", retried));
					answer.put("dataset_uuid", datasetId);
					answer.put("job_ids", retried.stream().map(UploadJob::jobId).toList());
					return answer;
				});
		});
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

	/** The page size of a job list that names none, as the portal's clients expect it. */
	private static final int DEFAULT_LIMIT = 50;

	private static long offset(String value) {
		try {
			long offset = Long.parseLong(value.trim());
			if (offset < 0 || offset > 1_000_000) {
				throw new NumberFormatException();
			}
			return offset;
		}
		catch (NumberFormatException ex) {
			throw new ValidationException("offset", "offset must be a whole number from 0 to 1000000");
		}
	}

	private static @Nullable String text(JsonNode body, String... names) {
		for (String name : names) {
			if (body.path(name).isString() && !body.path(name).asString().isBlank()) {
				return body.path(name).asString();
			}
		}
		return null;
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
