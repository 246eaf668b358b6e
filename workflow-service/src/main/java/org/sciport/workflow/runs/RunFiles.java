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
 * {@code inputs/} under its name (checked against its SHA-256 when the event gives one). The
 * fetch uses this installation's service credential ({@code sciport.workflow.inputs.api-token},
 * an administrator's API token) on behalf of the user the run acts for, unless they applied
 * the workflow as an administrator: harvest-service serves the file only if that user may see
 * it.
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

	RunFiles(WorkflowProperties properties, BlobStore blobs, ApiTokenExchanger exchanger, WebClient.Builder client,
			ServiceCalls calls) {
		this.inputs = properties.inputs();
		this.runs = properties.runs();
		this.blobs = blobs;
		this.exchanger = exchanger;
		this.client = client.build();
		this.harvest = calls.to("harvest-service", FETCH);
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
		if (run.eventData() == null) {
			return;
		}
		Path directory = workDirectory.resolve("inputs");
		try {
			Files.createDirectories(directory);
			Files.writeString(directory.resolve("event.json"), run.eventData().toString(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new StagingFailed("its inputs could not be written: " + ex.getMessage());
		}
		if (!org.sciport.commons.event.FileEvents.TransferCompleted.TYPE.equals(run.eventType())) {
			return;
		}
		for (JsonNode file : run.eventData().path("files")) {
			String id = file.path("file_id").asString("");
			String name = safeName(file.path("filename").asString(""));
			if (id.isEmpty() || name == null) {
				throw new StagingFailed("the event names a file without an id or with a name that cannot be a file's");
			}
			fetch(run, id, directory.resolve(name), file.path("sha256").asString(null));
			log.line("INFO", null, "Input staged: inputs/" + name);
		}
	}

	private void fetch(RunExecutor.Claimed run, String fileId, Path target, @Nullable String sha256) {
		String token = this.inputs.apiToken();
		if (token == null || token.isBlank()) {
			throw new StagingFailed("this installation has no credential to read harvested files "
					+ "(sciport.workflow.inputs.api-token is not set)");
		}
		URI harvestService = this.inputs.harvestService();
		Path partial = target.resolveSibling("." + target.getFileName() + ".part");
		try {
			String accessToken = this.exchanger.exchange(token).block(Duration.ofSeconds(30));
			Flux<DataBuffer> body = this.client.get()
				.uri(harvestService.resolve("/v1/files/" + UUID.fromString(fileId) + "/content").toString()
						+ (run.actsAsAdmin() ? "" : "?for_user=" + run.actsFor()))
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + accessToken)
				.exchangeToFlux((response) -> {
					if (response.statusCode().is2xxSuccessful()) {
						return response.bodyToFlux(DataBuffer.class);
					}
					int status = response.statusCode().value();
					return response.releaseBody().thenMany(Flux.error(new StagingFailed((status == 404 || status == 403)
							? "file " + fileId + " is not readable by the user the run acts for"
							: "harvest-service answered " + status + " for file " + fileId)));
				});
			this.harvest.guard(DataBufferUtils.write(body, partial).then(Mono.just(true))).block(FETCH);
			if (sha256 != null && !sha256.isBlank() && !sha256.equalsIgnoreCase(digest(partial))) {
				throw new StagingFailed("file " + fileId + " arrived with another SHA-256 than its event gives");
			}
			Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (StagingFailed ex) {
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			throw new StagingFailed("file " + fileId + " could not be fetched: " + ex.getMessage());
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
		List<FileEvents.DatasetFile> stored = new ArrayList<>();
		for (Path file : files.stream().sorted().toList()) {
			String name = outputs.relativize(file).toString();
			UUID id = UUID.nameUUIDFromBytes(("workflow/" + run.id() + "/" + name).getBytes(StandardCharsets.UTF_8));
			try {
				if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
					throw new StagingFailed("outputs/" + name + " is not a regular file");
				}
				String sha256 = digest(file);
				long size = this.blobs
					.write("runs/" + run.id() + "/" + id, DataBufferUtils.read(file, DefaultDataBufferFactory.sharedInstance, 1 << 20))
					.block(FETCH)
					.size();
				stored.add(new FileEvents.DatasetFile(id.toString(), name, size, contentType(name), null, sha256));
				log.line("INFO", null, "Output stored: outputs/" + name + " (" + size + " bytes)");
			}
			catch (IOException | RuntimeException ex) {
				if (ex instanceof StagingFailed failed) {
					throw failed;
				}
				throw new StagingFailed("outputs/" + name + " could not be stored: " + ex.getMessage());
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
