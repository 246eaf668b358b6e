package org.sciport.harvest.hooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.sciport.harvest.hooks.HookPlan.Decision;
import org.sciport.harvest.hooks.HookPlan.Grant;
import org.sciport.harvest.hooks.HookPlan.HookError;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs a plan's hooks over one file, in priority order.
 * <p>
 * Before the transfer: {@code file_filter} keeps a file back for good or redirects it, and a
 * {@code command} may do either or add metadata. A pre-transfer hook that fails or runs out of
 * time holds the file back (it is tried again in the next run) unless its configuration says
 * {@code "on_failure": "continue"}; then the failure is recorded and the file goes through.
 * <p>
 * After it: {@code metadata_enrichment} reads the file's name, {@code access_assignment} grants
 * access (from the metadata so far), {@code http_webhook} posts the file record, signed as
 * Standard Webhooks says, and merges the JSON object it answers into the metadata, and a
 * {@code command} may add metadata. A post-transfer hook that fails is recorded on the transfer,
 * and the next hook runs.
 * <p>
 * A command is started directly (never through a shell), with an empty environment but
 * {@code PATH} and {@code LANG}, the file record as JSON on its standard input, and must answer
 * one JSON object on its standard output: {@code {"action": "skip", "reason": ...}},
 * {@code {"destination": "sub/folder"}}, {@code {"metadata": {...}}}, or {@code {}}.
 */
@Component
public class HookRunner {

	private static final Log logger = LogFactory.getLog(HookRunner.class);

	/** The most a command may write on its standard output or a webhook answer. */
	private static final int ANSWER_LIMIT = 1024 * 1024;

	private final WebClient web;

	private final JsonMapper json;

	HookRunner(WebClient.Builder web, JsonMapper json) {
		this.web = web.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(ANSWER_LIMIT)).build();
		this.json = json;
	}

	/**
	 * What the pre-transfer hooks decide for a file.
	 *
	 * @param file the file as hooks see it ({@code source_path}, {@code size_bytes}, ...)
	 */
	public Mono<Decision> before(HookPlan plan, ObjectNode file) {
		String path = file.path("source_path").asString();
		long size = file.path("size_bytes").asLong();
		State state = new State(this.json.createObjectNode());
		Mono<Decision> decided = Mono.empty();
		for (Hooks.Hook hook : plan.at("pre_transfer")) {
			decided = decided.switchIfEmpty(Mono.defer(() -> {
				if ("file_filter".equals(hook.builtinName())) {
					String reason = HookPlan.excludes(hook, path, size);
					if (reason != null) {
						return Mono.just(new HookPlan.Skip(reason));
					}
					if (state.destination == null) {
						state.destination = HookPlan.redirect(hook, path);
					}
					return Mono.empty();
				}
				if ("command".equals(hook.implementation())) {
					return command(hook, withMetadata(file, state.metadata)).flatMap((answer) -> {
						if ("skip".equals(answer.path("action").asString(""))) {
							return Mono.just(new HookPlan.Skip(hook.name() + ": "
									+ answer.path("reason").asString("the command skipped the file")));
						}
						String destination = answer.path("destination").asString(null);
						if (destination != null) {
							if (!Hooks.isFolder(destination)) {
								return Mono.error(new HookFailure("the command's destination " + destination
										+ " is not a relative folder without '..'"));
							}
							if (state.destination == null) {
								state.destination = destination;
							}
						}
						merge(state.metadata, answer.path("metadata"));
						return Mono.<Decision>empty();
					}).onErrorResume((ex) -> {
						HookError error = new HookError(hook.id(), hook.name(), message(ex));
						state.errors.add(error);
						return "continue".equals(hook.config().path("on_failure").asString("hold")) ? Mono.empty()
								: Mono.just(new HookPlan.Hold(List.copyOf(state.errors)));
					});
				}
				return Mono.empty();
			}));
		}
		return decided.switchIfEmpty(Mono.fromSupplier(
				() -> new HookPlan.Take(state.destination, state.metadata, List.copyOf(state.errors))));
	}

	/**
	 * What the post-transfer hooks add: metadata, grants, and the failures.
	 *
	 * @param metadata the file's metadata after every hook
	 * @param grants the grants given
	 * @param errors the hooks that failed
	 */
	public record After(ObjectNode metadata, List<Grant> grants, List<HookError> errors) {
	}

	/**
	 * Runs the post-transfer hooks over a stored file.
	 *
	 * @param file the file as hooks see it, with its stored copy's details
	 * @param metadata what the pre-transfer hooks added
	 */
	public Mono<After> after(HookPlan plan, ObjectNode file, ObjectNode metadata) {
		String path = file.path("source_path").asString();
		State state = new State(metadata.deepCopy());
		List<Grant> grants = new ArrayList<>();
		Mono<Void> chain = Mono.empty();
		for (Hooks.Hook hook : plan.at("post_transfer")) {
			chain = chain.then(Mono.defer(() -> {
				if ("metadata_enrichment".equals(hook.builtinName())) {
					HookPlan.enrich(hook, path, state.metadata);
					return Mono.empty();
				}
				if ("access_assignment".equals(hook.builtinName())) {
					grants.addAll(HookPlan.grants(hook, state.metadata));
					return Mono.empty();
				}
				Mono<JsonNode> answer = "http_webhook".equals(hook.implementation())
						? webhook(hook, withMetadata(file, state.metadata))
						: ("command".equals(hook.implementation()) ? command(hook, withMetadata(file, state.metadata))
							.map((node) -> node.path("metadata")) : Mono.empty());
				return answer.doOnNext((node) -> merge(state.metadata, node)).then().onErrorResume((ex) -> {
					state.errors.add(new HookError(hook.id(), hook.name(), message(ex)));
					return Mono.empty();
				});
			}));
		}
		return chain.then(Mono.fromSupplier(() -> new After(state.metadata, List.copyOf(grants), List.copyOf(state.errors))));
	}

	/** What the hooks of one file have produced so far. */
	private static final class State {

		final ObjectNode metadata;

		final List<HookError> errors = new ArrayList<>();

		@Nullable String destination;

		State(ObjectNode metadata) {
			this.metadata = metadata;
		}

	}

	private ObjectNode withMetadata(ObjectNode file, ObjectNode metadata) {
		ObjectNode copy = file.deepCopy();
		copy.set("metadata_", metadata.deepCopy());
		return copy;
	}

	private static void merge(ObjectNode metadata, JsonNode answer) {
		if (answer.isObject()) {
			for (String field : answer.propertyNames()) {
				metadata.set(field, answer.get(field));
			}
		}
	}

	/**
	 * Posts the file to the hook's URL and reads its answer: retried on a connection failure, a
	 * timeout or a 5xx, at most {@code max_attempts} times; a 4xx is final.
	 */
	private Mono<JsonNode> webhook(Hooks.Hook hook, ObjectNode file) {
		Duration timeout = Duration.ofSeconds(hook.config().path("timeout_seconds").asInt(10));
		int attempts = hook.config().path("max_attempts").asInt(3);
		String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
		ObjectNode payload = this.json.createObjectNode();
		payload.put("type", "harvest.file.transferred");
		payload.put("timestamp", Instant.now().toString());
		payload.set("data", file);
		byte[] body = this.json.writeValueAsBytes(payload);
		Mono<String> call = Mono.defer(() -> this.web.post()
			.uri(hook.webhookUrl())
			.contentType(MediaType.APPLICATION_JSON)
			.headers((headers) -> {
				if (hook.signature() != null) {
					hook.signature().sign(headers, id, Instant.now().getEpochSecond(), body);
				}
			})
			.bodyValue(body)
			.retrieve()
			.bodyToMono(String.class)
			.defaultIfEmpty("")
			.timeout(timeout));
		return call
			.retryWhen(Retry.backoff(Math.max(0, attempts - 1), Duration.ofMillis(200))
				.filter((ex) -> !(ex instanceof WebClientResponseException response) || response.getStatusCode().is5xxServerError())
				.onRetryExhaustedThrow((spec, signal) -> signal.failure()))
			.onErrorMap((ex) -> new HookFailure(describe(ex, timeout) + " (after " + attempts + " attempt"
					+ ((attempts == 1) ? "" : "s") + ")"))
			.flatMap((text) -> {
				if (text.isBlank()) {
					return Mono.empty();
				}
				try {
					JsonNode answer = this.json.readTree(text);
					return answer.isObject() ? Mono.just(answer) : Mono.empty();
				}
				catch (JacksonException ex) {
					return Mono.empty();
				}
			});
	}

	private static String describe(Throwable ex, Duration timeout) {
		if (ex instanceof TimeoutException) {
			return "no answer within " + timeout.toSeconds() + " s";
		}
		if (ex instanceof WebClientResponseException response) {
			return "the hook answered " + response.getStatusCode().value();
		}
		return "the hook could not be reached: " + ((ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName());
	}

	/**
	 * Runs the hook's command with the file as JSON on its standard input and reads the JSON
	 * object it writes: a non-zero exit, no answer in time or an answer that is not one JSON
	 * object fails the hook.
	 */
	private Mono<JsonNode> command(Hooks.Hook hook, ObjectNode file) {
		Duration timeout = Duration.ofSeconds(hook.config().path("timeout_seconds").asInt(10));
		return Mono.fromCallable(() -> execute(hook, this.json.writeValueAsBytes(file), timeout))
			.subscribeOn(Schedulers.boundedElastic());
	}

	private JsonNode execute(Hooks.Hook hook, byte[] input, Duration timeout) throws IOException, InterruptedException {
		Path out = Files.createTempFile("sciport-hook-", ".out");
		Path err = Files.createTempFile("sciport-hook-", ".err");
		try {
			ProcessBuilder builder = new ProcessBuilder(hook.command()).redirectOutput(out.toFile())
				.redirectError(err.toFile());
			String pathVariable = System.getenv("PATH");
			builder.environment().clear();
			builder.environment().put("PATH", (pathVariable != null) ? pathVariable : "/usr/bin:/bin");
			builder.environment().put("LANG", "C.UTF-8");
			Process process;
			try {
				process = builder.start();
			}
			catch (IOException ex) {
				throw new HookFailure("the command could not be started: " + ex.getMessage());
			}
			try {
				try (var stdin = process.getOutputStream()) {
					stdin.write(input);
				}
				catch (IOException ex) {
					// It did not read its input: its answer says what it made of that.
				}
				if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					throw new HookFailure("the command did not answer within " + timeout.toSeconds() + " s and was stopped");
				}
			}
			finally {
				process.descendants().forEach(ProcessHandle::destroyForcibly);
				process.destroyForcibly();
			}
			if (process.exitValue() != 0) {
				throw new HookFailure("the command exited with " + process.exitValue() + ": " + head(err));
			}
			if (Files.size(out) > ANSWER_LIMIT) {
				throw new HookFailure("the command's answer is larger than " + ANSWER_LIMIT + " bytes");
			}
			String answer = Files.readString(out, StandardCharsets.UTF_8);
			try {
				JsonNode node = answer.isBlank() ? this.json.createObjectNode() : this.json.readTree(answer);
				if (!node.isObject()) {
					throw new HookFailure("the command's answer is not a JSON object");
				}
				return node;
			}
			catch (JacksonException ex) {
				throw new HookFailure("the command's answer is not JSON");
			}
		}
		finally {
			Files.deleteIfExists(out);
			Files.deleteIfExists(err);
		}
	}

	private static String head(Path file) throws IOException {
		String text = Files.readString(file, StandardCharsets.UTF_8).strip();
		return text.isEmpty() ? "(nothing on standard error)" : (text.length() > 300) ? text.substring(0, 300) + "..." : text;
	}

	private static String message(Throwable ex) {
		if (ex instanceof HookFailure) {
			return ex.getMessage();
		}
		logger.warn("A hook failed unexpectedly", ex);
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}

	/** A hook that failed, with the reason the transfer records. */
	static final class HookFailure extends RuntimeException {

		HookFailure(String message) {
			super(message, null, false, false);
		}

	}

}
