package org.sciport.harvest.records;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import reactor.core.publisher.Flux;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.Caller;
import org.sciport.harvest.ark.Ark;
import org.sciport.harvest.run.HarvestRuns;
import org.sciport.harvest.web.Surfaces;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * File records, transfers and harvest runs on both surfaces, and the resolver of the ARKs
 * given to files ({@code GET /ark:/{naan}/{name}}).
 */
@RestController
class RecordsController {

	private static final Set<String> STATUSES = Set.of("pending", "in_progress", "completed", "failed", "skipped");

	private final FileRecords records;

	private final HarvestRuns runs;

	private final FileContents contents;

	RecordsController(FileRecords records, HarvestRuns runs, FileContents contents) {
		this.records = records;
		this.runs = runs;
		this.contents = contents;
	}

	@GetMapping({ "/api/files", "/v1/files" })
	Mono<Object> files(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			Surfaces.Window window = Surfaces.window(exchange);
			FileRecords.FileFilter filter = new FileRecords.FileFilter(uuid(exchange, "instrument_id"),
					text(exchange, "source_path"), instant(exchange, "discovered_after"));
			return Mono.zip(this.records.files(caller, filter, window.offset(), window.limit()),
					this.records.countFiles(caller, filter))
				.map((page) -> Surfaces.array(exchange, window, page.getT1(), page.getT2()));
		});
	}

	@GetMapping({ "/api/files/{id}", "/v1/files/{id}" })
	Mono<Map<String, Object>> file(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.records.file(AccessTokenFilter.requireCaller(exchange), path("file", id)));
	}

	/** The file's stored copy (the latest verified transfer's), streamed. */
	@GetMapping({ "/api/files/{id}/content", "/v1/files/{id}/content" })
	Mono<ResponseEntity<Flux<DataBuffer>>> content(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.contents
			.read(AccessTokenFilter.requireCaller(exchange), path("file", id))
			.map((stored) -> {
				ResponseEntity.BodyBuilder answer = ResponseEntity.ok()
					.contentType(MediaType.APPLICATION_OCTET_STREAM)
					.contentLength(stored.size())
					.header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
						.filename(stored.filename(), StandardCharsets.UTF_8)
						.build()
						.toString());
				if (stored.sha256() != null) {
					answer.header("X-Checksum-Sha256", stored.sha256());
				}
				return answer.body(stored.content());
			}));
	}

	@GetMapping({ "/api/transfers", "/v1/transfers" })
	Mono<Object> transfers(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			Surfaces.Window window = Surfaces.window(exchange);
			UUID file = uuid(exchange, "file_id");
			String status = text(exchange, "status");
			if (status != null && !STATUSES.contains(status)) {
				throw new ValidationException("status", "status must be one of " + String.join(", ", STATUSES));
			}
			return Mono.zip(this.records.transfers(caller, file, status, window.offset(), window.limit()),
					this.records.countTransfers(caller, file, status))
				.map((page) -> Surfaces.array(exchange, window, page.getT1(), page.getT2()));
		});
	}

	@GetMapping({ "/api/transfers/{id}", "/v1/transfers/{id}" })
	Mono<Map<String, Object>> transfer(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.records.transfer(AccessTokenFilter.requireCaller(exchange), path("transfer", id)));
	}

	@GetMapping({ "/api/harvest-runs", "/v1/harvest-runs", "/api/instruments/{instrument}/harvest-runs",
			"/v1/instruments/{instrument}/harvest-runs" })
	Mono<Object> runs(@PathVariable(required = false) @Nullable String instrument, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			Surfaces.Window window = Surfaces.window(exchange);
			UUID only = (instrument != null) ? path("instrument", instrument) : uuid(exchange, "instrument_id");
			return Mono.zip(this.runs.list(caller, only, window.offset(), window.limit()), this.runs.count(caller, only))
				.map((page) -> Surfaces.list(exchange, window, page.getT1(), page.getT2()));
		});
	}

	@GetMapping({ "/api/harvest-runs/{id}", "/v1/harvest-runs/{id}" })
	Mono<Map<String, Object>> run(@PathVariable String id, ServerWebExchange exchange) {
		return Mono.defer(() -> this.runs.get(AccessTokenFilter.requireCaller(exchange), path("harvest run", id)));
	}

	/** Resolves an ARK to its file record (a wrong check character is a 400, an unknown one 404). */
	@GetMapping("/ark:/{naan}/{name}")
	Mono<Map<String, Object>> ark(@PathVariable String naan, @PathVariable String name, ServerWebExchange exchange) {
		return Mono.defer(() -> {
			Caller caller = AccessTokenFilter.requireCaller(exchange);
			// A malformed ARK or a wrong check character: a 400 in the native error shape.
			Ark.Parsed parsed = Ark.parse("ark:/" + naan + "/" + name);
			return this.records.byPersistentId(caller, parsed.canonical());
		});
	}

	private static UUID path(String what, String id) {
		try {
			return UUID.fromString(id);
		}
		catch (IllegalArgumentException ex) {
			throw new NotFoundException("no " + what + " " + id);
		}
	}

	private static @Nullable String text(ServerWebExchange exchange, String name) {
		String value = exchange.getRequest().getQueryParams().getFirst(name);
		return (value == null || value.isBlank()) ? null : value;
	}

	private static @Nullable UUID uuid(ServerWebExchange exchange, String name) {
		String value = text(exchange, name);
		if (value == null) {
			return null;
		}
		try {
			return UUID.fromString(value.trim());
		}
		catch (IllegalArgumentException ex) {
			throw query(name, name + " must be a UUID");
		}
	}

	private static @Nullable Instant instant(ServerWebExchange exchange, String name) {
		String value = text(exchange, name);
		if (value == null) {
			return null;
		}
		try {
			return OffsetDateTime.parse(value.trim()).toInstant();
		}
		catch (DateTimeParseException ex) {
			try {
				return Instant.parse(value.trim());
			}
			catch (DateTimeParseException again) {
				throw query(name, name + " must be an ISO 8601 date and time, such as 2026-01-31T12:00:00Z");
			}
		}
	}

	private static ValidationException query(String name, String message) {
		return new ValidationException(name, message);
	}

}
