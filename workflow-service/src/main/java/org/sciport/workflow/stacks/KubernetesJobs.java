package org.sciport.workflow.stacks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import org.jspecify.annotations.Nullable;
import org.sciport.workflow.WorkflowProperties;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * The {@code kubernetes} executor: a task becomes a Kubernetes Job (one pod, never restarted,
 * {@code backoffLimit: 0}: Sciport's own {@code retry} decides about attempts) in
 * {@code sciport.workflow.kubernetes.namespace}, created through the fabric8 client, looked at
 * every {@code poll} until it succeeds or fails, its pod's log followed into the run's log as
 * the container writes it (read whole at the end where it could not be followed), and then
 * deleted with its pod. The pod runs hardened: not as root, no privilege escalation, every
 * capability dropped, the runtime's seccomp profile, a read-only root file system with an empty
 * {@code /work} (its working directory) and {@code /tmp}, no service account token, and CPU and
 * memory requested and limited.
 * <p>
 * A task's spec: {@code image} (else the stack's), {@code command} (a string runs through
 * {@code /bin/sh -c}, a list as it is), {@code arguments}, {@code environment}, and
 * {@code resources} ({@code cpu}, {@code memory}; else the stack's). A task that runs out of
 * time, or whose run is cancelled, has its Job deleted.
 */
@Component
public class KubernetesJobs implements DisposableBean {

	private static final String CONTAINER = "task";

	private final WorkflowProperties.Kubernetes properties;

	private volatile @Nullable KubernetesClient client;

	public KubernetesJobs(WorkflowProperties properties) {
		this.properties = properties.kubernetes();
	}

	/**
	 * How a Job ended.
	 *
	 * @param exitCode its container's exit code, {@code null} when it did not end by itself
	 * @param message what happened
	 */
	public record Outcome(@Nullable Integer exitCode, String message) {
	}

	/**
	 * Runs one attempt of a task as a Job; blocks until it has ended and is deleted.
	 *
	 * @param name the Job's name (a DNS label, unique per attempt)
	 * @param labels the Job's and its pod's labels
	 * @param stack the task's stack
	 * @param spec the task's spec
	 * @param timeout how long it may take
	 * @param directory where the task works, and its run's work directory: used when both lie on
	 * the shared volume
	 * @param log where the pod's lines go ({@code INFO}, line)
	 * @param cancelled whether the run was asked to stop
	 */
	public Outcome run(String name, Map<String, String> labels, Stacks.Stack stack, JsonNode spec, Duration timeout,
			Directories directory, BiConsumer<String, String> log, BooleanSupplier cancelled) {
		String image = spec.path("image").asString(stack.settings().image());
		if (image == null || image.isBlank()) {
			return new Outcome(null, "a " + stack.name() + " task needs spec.image");
		}
		Job job;
		try {
			job = job(name, labels, image, stack, spec, timeout, directory);
		}
		catch (IllegalArgumentException ex) {
			return new Outcome(null, ex.getMessage());
		}
		KubernetesClient kubernetes = client();
		String namespace = this.properties.namespace();
		try {
			kubernetes.batch().v1().jobs().inNamespace(namespace).resource(job).create();
		}
		catch (KubernetesClientException ex) {
			return new Outcome(null, "the Job could not be created: " + reason(ex));
		}
		log.accept("INFO", "Job " + namespace + "/" + name + " created (" + image + ")");
		Instant deadline = Instant.now().plus(timeout);
		PodLogStream live = null;
		try {
			while (true) {
				if (cancelled.getAsBoolean()) {
					return new Outcome(null, "the run was cancelled");
				}
				if (Instant.now().isAfter(deadline)) {
					if (live == null || !live.streamed()) {
						collect(kubernetes, name, log);
					}
					return new Outcome(null, "it ran out of time (" + timeout.toSeconds() + " s) and its Job was deleted");
				}
				if (live == null) {
					live = follow(kubernetes, name, log);
				}
				Job current = kubernetes.batch().v1().jobs().inNamespace(namespace).withName(name).get();
				if (current == null) {
					return new Outcome(null, "its Job " + name + " was deleted before it ended");
				}
				JobStatus status = current.getStatus();
				boolean succeeded = status != null && status.getSucceeded() != null && status.getSucceeded() > 0;
				boolean failed = status != null && ((status.getFailed() != null && status.getFailed() > 0)
						|| (status.getConditions() != null && status.getConditions().stream()
							.anyMatch((c) -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))));
				if (succeeded || failed) {
					Integer code;
					if (live != null) {
						live.finish();
					}
					if (live != null && live.streamed()) {
						// The log came while it ran; only how it ended is left to read.
						code = collect(kubernetes, name, (level, line) -> {
						}, false);
					}
					else {
						code = collect(kubernetes, name, log);
					}
					if (succeeded) {
						return new Outcome(0, "exit code 0");
					}
					return new Outcome((code != null && code != 0) ? code : -1,
							(code != null) ? "exit code " + code : "its Job failed: " + failure(current));
				}
				Thread.sleep(this.properties.poll().toMillis());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new Outcome(null, "the replica stopped");
		}
		catch (KubernetesClientException ex) {
			return new Outcome(null, "the Job could not be followed: " + reason(ex));
		}
		finally {
			if (live != null) {
				live.stop();
			}
			delete(kubernetes, name);
		}
	}

	/**
	 * Starts following the Job's pod's log once its container runs (or has ended); {@code null}
	 * while there is nothing to follow yet, or if the log cannot be followed (it is then read
	 * whole when the Job ends).
	 */
	private @Nullable PodLogStream follow(KubernetesClient kubernetes, String job, BiConsumer<String, String> log) {
		Pod pod = newestPod(kubernetes, job);
		if (pod == null || pod.getStatus() == null || pod.getStatus().getPhase() == null
				|| "Pending".equals(pod.getStatus().getPhase())) {
			return null;
		}
		PodLogStream stream = new PodLogStream(log);
		try {
			stream.watching(kubernetes.pods().inNamespace(this.properties.namespace()).withName(pod.getMetadata().getName())
				.inContainer(CONTAINER).watchLog(stream));
			return stream;
		}
		catch (KubernetesClientException ex) {
			return null;
		}
	}

	private @Nullable Pod newestPod(KubernetesClient kubernetes, String job) {
		List<Pod> pods = new ArrayList<>(
				kubernetes.pods().inNamespace(this.properties.namespace()).withLabel("job-name", job).list().getItems());
		if (pods.isEmpty()) {
			return null;
		}
		pods.sort(Comparator.comparing((Pod pod) -> String.valueOf(pod.getMetadata().getCreationTimestamp())));
		return pods.get(pods.size() - 1);
	}

	private @Nullable Integer collect(KubernetesClient kubernetes, String job, BiConsumer<String, String> log) {
		return collect(kubernetes, job, log, true);
	}

	/** Keeps the pod's log (if {@code withLog}) and answers its container's exit code, if it ended. */
	private @Nullable Integer collect(KubernetesClient kubernetes, String job, BiConsumer<String, String> log,
			boolean withLog) {
		Pod pod = newestPod(kubernetes, job);
		if (pod == null) {
			log.accept("WARN", "Job " + job + " has no pod (its log is gone)");
			return null;
		}
		if (withLog) {
			try {
				String text = kubernetes.pods().inNamespace(this.properties.namespace()).withName(pod.getMetadata().getName())
					.inContainer(CONTAINER).getLog();
				if (text != null && !text.isEmpty()) {
					text.lines().forEach((line) -> log.accept("INFO", line));
				}
			}
			catch (KubernetesClientException ex) {
				log.accept("WARN", "The log of pod " + pod.getMetadata().getName() + " could not be read: " + reason(ex));
			}
		}
		if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
			return null;
		}
		for (ContainerStatus container : pod.getStatus().getContainerStatuses()) {
			if (CONTAINER.equals(container.getName()) && container.getState() != null
					&& container.getState().getTerminated() != null) {
				return container.getState().getTerminated().getExitCode();
			}
		}
		return null;
	}

	private void delete(KubernetesClient kubernetes, String job) {
		try {
			kubernetes.batch().v1().jobs().inNamespace(this.properties.namespace()).withName(job)
				.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
		}
		catch (KubernetesClientException ex) {
			// ttlSecondsAfterFinished removes it later.
		}
	}

	/**
	 * Where a task works.
	 *
	 * @param task its working directory (its run's, or one of {@code more})
	 * @param run its run's work directory
	 * @param more other folders it uses (a Nextflow project's)
	 */
	public record Directories(java.nio.file.Path task, java.nio.file.Path run, List<java.nio.file.Path> more) {

		List<java.nio.file.Path> mounted() {
			List<java.nio.file.Path> mounted = new ArrayList<>();
			mounted.add(this.run.toAbsolutePath().normalize());
			this.more.forEach((folder) -> mounted.add(folder.toAbsolutePath().normalize()));
			return mounted;
		}

	}

	/** Whether every folder the task uses lies on the shared volume (and one is configured). */
	private boolean shared(Directories directories) {
		java.nio.file.Path mount = this.properties.sharedPath();
		if (this.properties.sharedVolume() == null || mount == null) {
			return false;
		}
		java.nio.file.Path root = mount.toAbsolutePath().normalize();
		List<java.nio.file.Path> mounted = directories.mounted();
		return mounted.stream().allMatch((folder) -> folder.startsWith(root) && !folder.equals(root))
				&& mounted.stream().anyMatch((folder) -> directories.task().toAbsolutePath().normalize().startsWith(folder));
	}

	private Job job(String name, Map<String, String> labels, String image, Stacks.Stack stack, JsonNode spec,
			Duration timeout, Directories directories) {
		List<String> command = new ArrayList<>();
		JsonNode given = spec.path("command");
		if (given.isString()) {
			command.addAll(List.of("/bin/sh", "-c", given.asString()));
		}
		else if (given.isArray()) {
			given.forEach((part) -> command.add(part.asString()));
		}
		List<String> arguments = new ArrayList<>();
		spec.path("arguments").forEach((argument) -> arguments.add(argument.asString()));
		List<EnvVar> environment = new ArrayList<>();
		for (String variable : spec.path("environment").propertyNames()) {
			environment.add(new EnvVar(variable, spec.path("environment").path(variable).asString(), null));
		}
		boolean shared = shared(directories);
		String workingDir = shared ? directories.task().toString() : "/work";
		environment.add(0, new EnvVar("HOME", shared ? directories.run().toString() : "/work", null));
		environment.add(1, new EnvVar("SCIPORT_WORK_DIR", shared ? directories.run().toString() : "/work", null));
		io.fabric8.kubernetes.api.model.Volume work = shared
				? new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("work").withNewPersistentVolumeClaim()
					.withClaimName(this.properties.sharedVolume()).endPersistentVolumeClaim().build()
				: new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("work").withNewEmptyDir().endEmptyDir().build();
		// Only the task's own folders of the shared volume, each where the service has it.
		List<io.fabric8.kubernetes.api.model.VolumeMount> mounts = new ArrayList<>();
		if (shared) {
			java.nio.file.Path root = this.properties.sharedPath().toAbsolutePath().normalize();
			for (java.nio.file.Path folder : directories.mounted()) {
				mounts.add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("work")
					.withMountPath(folder.toString()).withSubPath(root.relativize(folder).toString()).build());
			}
		}
		else {
			mounts.add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("work").withMountPath("/work").build());
		}
		Quantity cpu = quantity(spec.path("resources").path("cpu").asString(stack.settings().cpu()), "cpu");
		Quantity memory = quantity(spec.path("resources").path("memory").asString(stack.settings().memory()), "memory");
		return new JobBuilder()
			.withNewMetadata().withName(name).withNamespace(this.properties.namespace()).addToLabels(labels).endMetadata()
			.withNewSpec()
				.withBackoffLimit(0)
				.withActiveDeadlineSeconds(Math.max(1, timeout.toSeconds()))
				.withTtlSecondsAfterFinished((int) Math.max(0, this.properties.keepFinished().toSeconds()))
				.withNewTemplate()
					.withNewMetadata().addToLabels(labels).endMetadata()
					.withNewSpec()
						.withRestartPolicy("Never")
						.withServiceAccountName(this.properties.serviceAccount())
						.withAutomountServiceAccountToken(false)
						.withNewSecurityContext()
							.withRunAsNonRoot(true).withRunAsUser(65532L).withRunAsGroup(65532L).withFsGroup(65532L)
							.withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
						.endSecurityContext()
						.addNewContainer()
							.withName(CONTAINER).withImage(image)
							.withCommand(command.isEmpty() ? null : command).withArgs(arguments.isEmpty() ? null : arguments)
							.withEnv(environment).withWorkingDir(workingDir)
							.withNewResources()
								.addToRequests("cpu", cpu).addToRequests("memory", memory)
								.addToLimits("cpu", cpu).addToLimits("memory", memory)
							.endResources()
							.withNewSecurityContext()
								.withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
								.withNewCapabilities().addToDrop("ALL").endCapabilities()
							.endSecurityContext()
							.addAllToVolumeMounts(mounts)
							.addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
						.endContainer()
						.addToVolumes(work)
						.addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
					.endSpec()
				.endTemplate()
			.endSpec()
			.build();
	}

	private static Quantity quantity(String value, String what) {
		if (!value.matches("\\d+(\\.\\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?")) {
			throw new IllegalArgumentException("spec.resources." + what + " '" + value + "' is not a Kubernetes quantity");
		}
		return new Quantity(value);
	}

	private static String failure(Job job) {
		if (job.getStatus() != null && job.getStatus().getConditions() != null) {
			return job.getStatus().getConditions().stream()
				.filter((c) -> "Failed".equals(c.getType()))
				.map((c) -> c.getReason() + ((c.getMessage() != null) ? ": " + c.getMessage() : ""))
				.findFirst()
				.orElse("failed");
		}
		return "failed";
	}

	private static String reason(KubernetesClientException ex) {
		return (ex.getStatus() != null && ex.getStatus().getMessage() != null) ? ex.getStatus().getMessage()
				: String.valueOf(ex.getMessage()).lines().findFirst().orElse("unknown");
	}

	private KubernetesClient client() {
		KubernetesClient current = this.client;
		if (current == null) {
			synchronized (this) {
				current = this.client;
				if (current == null) {
					Config config = Config.autoConfigure(null);
					if (this.properties.masterUrl() != null && !this.properties.masterUrl().isBlank()) {
						config = new ConfigBuilder(config).withMasterUrl(this.properties.masterUrl()).build();
					}
					current = new KubernetesClientBuilder().withConfig(config).build();
					this.client = current;
				}
			}
		}
		return current;
	}

	@Override
	public void destroy() {
		KubernetesClient current = this.client;
		if (current != null) {
			current.close();
		}
	}

}
