package org.sciport.upload.receive;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.page.PageRequest;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.storage.BlobStore;
import org.sciport.upload.jobs.UploadJobs;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The bytes of one file of a dataset, for whoever may read the dataset (dataset-service says
 * who may): {@code directory=upload} for a file as it was uploaded ({@code file_path} is its
 * name), {@code converted} for what conversion derived from it ({@code <file id>/thumbnail.png},
 * as {@code dataset-files} lists it). Streamed, with single byte ranges ({@code Range:
 * bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}) answered 206.
 */
@RestController
class FileContentController {

	private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

	private static final Pattern CONVERTED = Pattern.compile("([0-9a-fA-F-]{36})/thumbnail\\.png");

	private final UploadJobs jobs;

	private final UploadTargets targets;

	private final BlobStore blobs;

	FileContentController(UploadJobs jobs, UploadTargets targets, BlobStore blobs) {
		this.jobs = jobs;
		this.targets = targets;
		this.blobs = blobs;
	}

	@GetMapping("/portal/api/dataset-file-content")
	Mono<Void> content(ServerWebExchange exchange) {
		return Mono.defer(() -> {
			AccessTokenFilter.requireCaller(exchange);
			MultiValueMap<String, String> query = exchange.getRequest().getQueryParams();
			PageRequest.requireKnown(query, List.of("dataset_uuid", "dataset_id", "file_path", "directory"));
			String dataset = (query.getFirst("dataset_uuid") != null) ? query.getFirst("dataset_uuid")
					: query.getFirst("dataset_id");
			if (dataset == null || dataset.isBlank()) {
				throw new ValidationException("dataset_uuid", "dataset_uuid is required");
			}
			UUID datasetId = UploadTargets.uuid(dataset, "dataset_uuid");
			String path = query.getFirst("file_path");
			if (path == null || path.isBlank()) {
				throw new ValidationException("file_path", "file_path is required");
			}
			String directory = (query.getFirst("directory") != null) ? query.getFirst("directory") : "upload";
			if (!directory.equals("upload") && !directory.equals("converted")) {
				throw new ValidationException("directory", "directory must be upload or converted");
			}
			return this.targets.readable(exchange.getRequest(), datasetId)
				.then(directory.equals("upload") ? uploaded(datasetId, path) : converted(datasetId, path))
				.flatMap((file) -> send(exchange, file));
		});
	}

	/** A stored blob to send. */
	private record Stored(String key, String name, long size, @Nullable String contentType) {
	}

	private Mono<Stored> uploaded(UUID datasetId, String path) {
		return this.jobs.storedFile(datasetId, path)
			.switchIfEmpty(Mono.error(() -> new NotFoundException("The dataset has no file " + path)))
			.map((job) -> new Stored(job.blobKey(), job.filename(), (job.bytesTotal() != null) ? job.bytesTotal() : 0,
					job.contentType()));
	}

	private Mono<Stored> converted(UUID datasetId, String path) {
		Matcher matcher = CONVERTED.matcher(path);
		if (!matcher.matches()) {
			return Mono.error(new NotFoundException("The dataset has no converted file " + path));
		}
		UUID job = UploadTargets.uuid(matcher.group(1), "file_path");
		return this.jobs.get(job)
			.filter((found) -> datasetId.equals(found.datasetId()) && found.metadata() != null
					&& found.metadata().path("thumbnail_key").isString())
			.switchIfEmpty(Mono.error(() -> new NotFoundException("The dataset has no converted file " + path)))
			.flatMap((found) -> {
				String key = found.metadata().path("thumbnail_key").asString();
				return this.blobs.stat(key).map((blob) -> new Stored(key, "thumbnail.png", blob.size(), "image/png"));
			});
	}

	private Mono<Void> send(ServerWebExchange exchange, Stored file) {
		ServerHttpResponse response = exchange.getResponse();
		HttpHeaders headers = response.getHeaders();
		headers.set(HttpHeaders.ACCEPT_RANGES, "bytes");
		headers.setContentType((file.contentType() != null) ? MediaType.parseMediaType(file.contentType())
				: MediaType.APPLICATION_OCTET_STREAM);
		headers.setContentDisposition(ContentDisposition.attachment().filename(file.name(), StandardCharsets.UTF_8).build());
		String range = exchange.getRequest().getHeaders().getFirst(HttpHeaders.RANGE);
		long start = 0;
		long end = file.size() - 1;
		if (range != null) {
			Matcher matcher = RANGE.matcher(range.trim());
			if (!matcher.matches() || (matcher.group(1).isEmpty() && matcher.group(2).isEmpty())) {
				return unsatisfiable(response, file.size());
			}
			if (matcher.group(1).isEmpty()) {
				long suffix = Long.parseLong(matcher.group(2));
				start = Math.max(0, file.size() - suffix);
			}
			else {
				start = Long.parseLong(matcher.group(1));
				if (!matcher.group(2).isEmpty()) {
					end = Math.min(end, Long.parseLong(matcher.group(2)));
				}
			}
			if (start >= file.size() || start > end) {
				return unsatisfiable(response, file.size());
			}
			response.setStatusCode(HttpStatus.PARTIAL_CONTENT);
			headers.set(HttpHeaders.CONTENT_RANGE, "bytes " + start + "-" + end + "/" + file.size());
		}
		long length = end - start + 1;
		headers.setContentLength(Math.max(0, length));
		Flux<DataBuffer> content = this.blobs.read(file.key());
		if (start > 0) {
			content = DataBufferUtils.skipUntilByteCount(content, start);
		}
		if (length < file.size()) {
			content = DataBufferUtils.takeUntilByteCount(content, length);
		}
		return response.writeWith(content);
	}

	/** RFC 9110's answer to a range outside the file: 416, naming the file's size. */
	private static Mono<Void> unsatisfiable(ServerHttpResponse response, long size) {
		response.setStatusCode(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
		response.getHeaders().set(HttpHeaders.CONTENT_RANGE, "bytes */" + size);
		return response.setComplete();
	}

}
