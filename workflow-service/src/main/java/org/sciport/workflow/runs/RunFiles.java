package org.sciport.workflow.runs;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.calls.ServiceCalls;
import org.sciport.commons.event.FileEvents;
import org.sciport.commons.security.AccessTokenFilter;
import org.sciport.commons.security.ApiTokenExchanger;
import org.sciport.commons.storage.BlobStore;
import org.sciport.workflow.WorkflowProperties;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * A run's files: what it is given in {@code inputs/} before its first task, and what its tasks
 * leave in {@code outputs/}, stored when it succeeds.
 * <p>
 * <b>Inputs.</b> A run started by an event finds the event's data in {@code inputs/event.json};
 * for a harvest transfer, each file it brought is fetched from harvest-service into
 * {@code inputs/} under its name (checked against its SHA-256 when the event gives one). A
 * workflow naming {@code inputs.dataset_id} is given every file of that dataset, from wherever
 * its content is kept. Every fetch uses this installation's service credential
 * ({@code sciport.workflow.inputs.api-token}, an administrator's API token) acting for the user
 * the run acts for ({@code X-Sciport-Acting-For}), unless they applied the workflow as an
 * administrator: the other services serve a file only if that user may see it.
 * <p>
 * <b>Outputs.</b> Every regular file under {@code outputs/} (symbolic links and other special
 * files are refused, never followed), at most {@code max-outputs} of them, is stored in the
 * blob store under {@code runs/<run>/<file id>} with its size and SHA-256; the list is the run's
 * {@code outputs} and goes into {@code sciport.workflow.run.completed}.
 */
@Component
class RunFiles {

	private static final Duration FETCH = Duration.ofMinutes(30);

	private final WorkflowProperties.Inputs inputs;

	private final WorkflowProperties.Runs runs;

	private final BlobStore blobs;

	private final ApiTokenExchanger exchanger;

	private final WebClient client;

	private final ServiceCalls.Guard harvest;

	private final ServiceCalls.Guard datasets;

	/** The blob key of one of this service's stored outputs, by its file id; {@code null} if none. */
	private final java.util.function.Function<String, @Nullable String> outputs;

	RunFiles(WorkflowProperties properties, BlobStore blobs, ApiTokenExchanger exchanger, WebClient.Builder client,
			ServiceCalls calls, org.springframework.r2dbc.core.DatabaseClient database) {
		this.inputs = properties.inputs();
		this.runs = properties.runs();
		this.blobs = blobs;
		this.exchanger = exchanger;
		this.client = client.build();
		this.harvest = calls.to("harvest-service", FETCH);
		this.datasets = calls.to("dataset-service", Duration.ofSeconds(60));
		this.outputs = (fileId) -> database
			.sql("SELECT r.id FROM workflow_run r WHERE r.outputs @> CAST(:output AS jsonb) LIMIT 1")
			.bind("output", "[{\"file_id\": \"" + UUID.fromString(fileId) + "\"}]")
			.map((row) -> "runs/" + row.get("id", UUID.class) + "/" + fileId)
			.one()
			.block(Duration.ofSeconds(30));
	}

	/** Why staging failed; its message is the run's error. */
	static final class StagingFailed extends RuntimeException {

		StagingFailed(String message) {
			super(message, null, false, false);
		}

	}

	/**
	 * Stages the run's inputs into {@code workDirectory/inputs}; blocks, on the run's thread.
	 *
	 * @throws StagingFailed when an input cannot be had
	 */
	void stage(RunExecutor.Claimed run, Path workDirectory, RunLog log) {
		String dataset = run.spec().path("workflow").path("inputs").path("dataset_id").asString(null);
		if (run.eventData() == null && dataset == null) {
			return;
		}
		Path directory = workDirectory.resolve("inputs");
		try {
			Files.createDirectories(directory);
			if (run.eventData() != null) {
				Files.writeString(directory.resolve("event.json"), run.eventData().toString(), StandardCharsets.UTF_8);
			}
		}
		catch (IOException ex) {
			throw new StagingFailed("its inputs could not be written: " + ex.getMessage());
		}
		java.util.Set<String> names = new java.util.HashSet<>(java.util.Set.of("event.json"));
		if (run.eventData() != null && FileEvents.TransferCompleted.TYPE.equals(run.eventType())) {
			if (run.eventData().path("files").isEmpty()) {
				// The fetch is what shows the author may see what the event is about: no file, no run.
				throw new StagingFailed("the transfer names no file");
			}
			for (JsonNode file : run.eventData().path("files")) {
				String id = file.path("file_id").asString("");
				String name = safeName(file.path("filename").asString(""));
				if (id.isEmpty() || name == null) {
					throw new StagingFailed("the event names a file without an id or with a name that cannot be a file's");
				}
				Path target = directory.resolve(unique(names, name, id));
				fetch(run, harvested(id), target, file.path("sha256").asString(null), "file " + id);
				log.line("INFO", null, "Input staged: inputs/" + target.getFileName());
			}
		}
		if (run.eventData() != null && "sciport.upload.completed".equals(run.eventType())) {
			String into = run.eventData().path("dataset_id").asString(null);
			String filename = run.eventData().path("filename").asString("");
			String name = safeName(filename);
			if (into == null || name == null) {
				throw new StagingFailed("the upload went into no dataset, or its name cannot be a file's");
			}
			Path target = directory.resolve(unique(names, name, run.eventData().path("upload_id").asString("upload")));
			fetch(run, uploaded(UUID.fromString(into), filename), target, run.eventData().path("sha256").asString(null),
					"the uploaded file " + name);
			log.line("INFO", null, "Input staged: inputs/" + target.getFileName());
		}
		if (dataset != null) {
			stageDataset(run, UUID.fromString(dataset), directory, names, log);
		}
	}

	private URI uploaded(UUID dataset, String filename) {
		return this.inputs.uploadService().resolve("/portal/api/dataset-file-content?dataset_uuid=" + dataset + "&file_path="
				+ java.net.URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20"));
	}

	/**
	 * Stages every file of the dataset, from where its content is: upload-service (uploaded
	 * files), harvest-service (harvested ones), or this service's own store (another run's
	 * outputs). The dataset and each file are read acting for the user the run acts for.
	 */
	private void stageDataset(RunExecutor.Claimed run, UUID dataset, Path directory, java.util.Set<String> names,
			RunLog log) {
		URI list = this.inputs.datasetService().resolve("/v1/datasets/" + dataset + "/files");
		HttpHeaders credentials = new HttpHeaders();
		credentials(run, credentials);
		JsonNode files = this.client.get()
			.uri(list)
			.headers((headers) -> headers.addAll(credentials))
			.exchangeToMono((response) -> {
				if (response.statusCode().is2xxSuccessful()) {
					return response.bodyToMono(JsonNode.class);
				}
				int status = response.statusCode().value();
				return response.releaseBody().then(Mono.error(new StagingFailed((status == 404 || status == 403)
						? "dataset " + dataset + " is not readable by the user the run acts for"
						: "dataset-service answered " + status + " for dataset " + dataset)));
			})
			.transform(this.datasets::guard)
			.onErrorMap((ex) -> !(ex instanceof StagingFailed),
					(ex) -> new StagingFailed("dataset " + dataset + " could not be listed: " + ex.getMessage()))
			.block(Duration.ofSeconds(60));
		int staged = 0;
		for (JsonNode file : files.path("data")) {
			String id = file.path("id").asString("");
			String name = safeName(file.path("filename").asString(""));
			if (id.isEmpty() || name == null) {
				continue;
			}
			Path target = directory.resolve(unique(names, name, id));
			String sha256 = file.path("sha256").asString(null);
			String what = "file " + name + " of dataset " + dataset;
			if (!fetch(run, uploaded(dataset, file.path("filename").asString()), target, sha256, what, true)
					&& !fetch(run, harvested(id), target, sha256, what, true) && !ownOutput(id, target)) {
				throw new StagingFailed(what + " has no stored content this service can read");
			}
			staged++;
			log.line("INFO", null, "Input staged: inputs/" + target.getFileName());
		}
		log.line("INFO", null, "Dataset " + dataset + ": " + staged + " file(s) staged");
	}

	private URI harvested(String fileId) {
		return this.inputs.harvestService().resolve("/v1/files/" + UUID.fromString(fileId) + "/content");
	}

	/** Another run's output, from this service's own store. */
	private boolean ownOutput(String fileId, Path target) {
		String key = this.outputs.apply(fileId);
		if (key == null) {
			return false;
		}
		try {
			org.sciport.commons.storage.ChannelWriter.write(this.blobs.read(key),
					() -> java.nio.channels.FileChannel.open(target, java.nio.file.StandardOpenOption.CREATE,
							java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE))
				.block(FETCH);
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/** A name not yet taken in {@code inputs/}: the file's own, or prefixed with its id. */
	private static String unique(java.util.Set<String> names, String name, String id) {
		String chosen = names.add(name) ? name : id + "-" + name;
		names.add(chosen);
		return chosen;
	}

	private void credentials(RunExecutor.Claimed run, HttpHeaders headers) {
		String token = this.inputs.apiToken();
		if (token == null || token.isBlank()) {
			throw new StagingFailed("this installation has no credential to read other services' files "
					+ "(sciport.workflow.inputs.api-token is not set)");
		}
		headers.setBearerAuth(this.exchanger.exchange(token).block(Duration.ofSeconds(30)));
		if (!run.actsAsAdmin()) {
			headers.set(AccessTokenFilter.ACTING_FOR_HEADER, run.actsFor().toString());
		}
	}

	private void fetch(RunExecutor.Claimed run, URI from, Path target, @Nullable String sha256, String what) {
		fetch(run, from, target, sha256, what, false);
	}

	/**
	 * Fetches {@code from} into {@code target}, checked against its SHA-256 if given; with
	 * {@code missingIsFalse}, a 404 answers {@code false} instead of failing the run.
	 */
	private boolean fetch(RunExecutor.Claimed run, URI from, Path target, @Nullable String sha256, String what,
			boolean missingIsFalse) {
		Path partial = target.resolveSibling("." + target.getFileName() + ".part");
		try {
			java.util.concurrent.atomic.AtomicBoolean missing = new java.util.concurrent.atomic.AtomicBoolean();
			// Exchanged here, on the run's thread: a retry re-runs the request on a scheduler's
			// thread, where waiting for the exchange would block.
			HttpHeaders credentials = new HttpHeaders();
			credentials(run, credentials);
			Flux<DataBuffer> body = this.client.get()
				.uri(from)
				.headers((headers) -> headers.addAll(credentials))
				.exchangeToFlux((response) -> {
					if (response.statusCode().is2xxSuccessful()) {
						return response.bodyToFlux(DataBuffer.class);
					}
					int status = response.statusCode().value();
					if (status == 404 && missingIsFalse) {
						missing.set(true);
						return response.releaseBody().thenMany(Flux.empty());
					}
					return response.releaseBody().thenMany(Flux.error(new StagingFailed((status == 404 || status == 403)
							? what + " is not readable by the user the run acts for"
							: "the service answered " + status + " for " + what)));
				});
			// Written by the file worker threads, never on an event loop (the JDK's asynchronous
			// file channel queues each write behind a lock).
			this.harvest.guard(org.sciport.commons.storage.ChannelWriter.write(body,
					() -> java.nio.channels.FileChannel.open(partial, java.nio.file.StandardOpenOption.CREATE,
							java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE))
				.thenReturn(true)).block(FETCH);
			if (missing.get()) {
				return false;
			}
			if (sha256 != null && !sha256.isBlank() && !sha256.equalsIgnoreCase(digest(partial))) {
				throw new StagingFailed(what + " arrived with another SHA-256 than it was recorded with");
			}
			Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			return true;
		}
		catch (StagingFailed ex) {
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			throw new StagingFailed(what + " could not be fetched: " + ex.getMessage());
		}
		finally {
			try {
				Files.deleteIfExists(partial);
			}
			catch (IOException ex) {
				// The work directory goes with the run.
			}
		}
	}

	/**
	 * Stores what the run left in {@code workDirectory/outputs}; blocks, on the run's thread.
	 *
	 * @throws StagingFailed when an output cannot be stored (the run fails)
	 */
	/** Stores every regular file the run's tasks left under {@code outputs/}; a link or special file fails the run. */
	List<FileEvents.DatasetFile> store(RunExecutor.Claimed run, Path workDirectory, RunLog log) {
		Path outputs = workDirectory.resolve("outputs");
		List<Path> files = new ArrayList<>();
		try {
			Files.walkFileTree(outputs, new SimpleFileVisitor<>() {
				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
					if (!attributes.isRegularFile()) {
						throw new StagingFailed("outputs/" + outputs.relativize(file)
								+ " is not a regular file (links and special files are not taken)");
					}
					if (files.size() >= RunFiles.this.runs.maxOutputs()) {
						throw new StagingFailed("the run left more than " + RunFiles.this.runs.maxOutputs()
								+ " files in outputs/ (sciport.workflow.runs.max-outputs)");
					}
					files.add(file);
					return FileVisitResult.CONTINUE;
				}
			});
		}
		catch (IOException ex) {
			throw new StagingFailed("its outputs could not be read: " + ex.getMessage());
		}
		return store(run, outputs, "outputs/", files, log);
	}

	/**
	 * Stores {@code files} (regular files under {@code root}) through the blob store, named by
	 * their path under {@code root}; answers them as the run's outputs.
	 */
	List<FileEvents.DatasetFile> store(RunExecutor.Claimed run, Path root, List<Path> files, RunLog log) {
		return store(run, root, "", files, log);
	}

	private List<FileEvents.DatasetFile> store(RunExecutor.Claimed run, Path outputs, String shown, List<Path> files,
			RunLog log) {
		if (files.size() > this.runs.maxOutputs()) {
			throw new StagingFailed("the run wrote more than " + this.runs.maxOutputs()
					+ " files (sciport.workflow.runs.max-outputs)");
		}
		List<FileEvents.DatasetFile> stored = new ArrayList<>();
		for (Path file : files.stream().sorted().toList()) {
			String name = outputs.relativize(file).toString();
			UUID id = UUID.nameUUIDFromBytes(("workflow/" + run.id() + "/" + name).getBytes(StandardCharsets.UTF_8));
			try {
				if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
					throw new StagingFailed(shown + name + " is not a regular file");
				}
				String sha256 = digest(file);
				long size = this.blobs
					.write("runs/" + run.id() + "/" + id, DataBufferUtils.read(file, DefaultDataBufferFactory.sharedInstance, 1 << 20))
					.block(FETCH)
					.size();
				stored.add(new FileEvents.DatasetFile(id.toString(), name, size, contentType(name), null, sha256));
				log.line("INFO", null, "Output stored: " + shown + name + " (" + size + " bytes)");
			}
			catch (IOException | RuntimeException ex) {
				if (ex instanceof StagingFailed failed) {
					throw failed;
				}
				throw new StagingFailed(shown + name + " could not be stored: " + ex.getMessage());
			}
		}
		return stored;
	}

	/** The last segment of a name, if it can be a file's name here. */
	static @Nullable String safeName(String name) {
		String last = name.substring(name.lastIndexOf('/') + 1);
		if (last.isEmpty() || last.equals(".") || last.equals("..") || last.startsWith(".") || last.length() > 255
				|| last.chars().anyMatch((c) -> c < 0x20 || c == 0x7f || c == '\\')) {
			return null;
		}
		return last;
	}

	private static @Nullable String contentType(String name) {
		try {
			return Files.probeContentType(Path.of(name));
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	private static String digest(Path file) throws IOException {
		try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
			in.transferTo(java.io.OutputStream.nullOutputStream());
			return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
