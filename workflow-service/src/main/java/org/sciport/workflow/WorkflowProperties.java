package org.sciport.workflow;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * workflow-service's settings ({@code sciport.workflow.*}).
 *
 * @param resourceTypes the resource types that may be applied; {@code workflow} runs, the
 * others are stored
 * @param maxManifestSize the largest manifest a resource may be applied with
 * @param runs how runs are carried out
 * @param storageDirectory where runs' outputs are stored (the local blob store)
 * @param inputs where runs' inputs come from
 * @param stacks the stacks this installation runs, by {@code name:version}: each names its
 * {@code executor} ({@code shell} or {@code kubernetes}) and its defaults; when none are
 * configured, {@code shell:1} and {@code container:1}
 * @param kubernetes the cluster the {@code kubernetes} executor runs Jobs in
 * @param nextflow Nextflow projects (seed 004): where their files are, and the pipelines
 */
@ConfigurationProperties("sciport.workflow")
public record WorkflowProperties(
		@DefaultValue({ "workflow", "service", "worker", "depot", "cluster", "compute", "policy", "secret", "bundle",
				"monitor" }) List<String> resourceTypes,
		@DefaultValue("1MB") DataSize maxManifestSize, @DefaultValue Runs runs,
		@DefaultValue("data/workflow/blobs") java.nio.file.Path storageDirectory, @DefaultValue Inputs inputs,
		java.util.@org.jspecify.annotations.Nullable Map<String, Stack> stacks, @DefaultValue Kubernetes kubernetes,
		@DefaultValue Nextflow nextflow) {

	/**
	 * @param projectsDirectory where each project's files are kept ({@code <id>/})
	 * @param maxUpload the largest file a project upload may carry
	 * @param pipelines the pipelines projects may run, by name
	 * @param command the Nextflow executable {@code schedule} launches; without one, projects
	 * cannot be scheduled here
	 * @param stack the stack a project's run goes through ({@code shell:1}, a process on this
	 * host, by default)
	 * @param weblogUrl the base URL at which the launched Nextflow reaches this service for its
	 * weblog; by default this service's own port on the loopback address
	 * @param environment environment variables the Nextflow process gets ({@code NXF_HOME},
	 * {@code JAVA_HOME}, ...); the process gets no other but {@code PATH}, {@code LANG} and
	 * {@code HOME} (the run's work directory)
	 * @param image the Nextflow image a {@code kubernetes} stack's Job runs (else the stack's)
	 * @param timeout how long a project's run may take before it is stopped
	 */
	public record Nextflow(@DefaultValue("data/workflow/projects") java.nio.file.Path projectsDirectory,
			@DefaultValue("10GB") org.springframework.util.unit.DataSize maxUpload,
			@DefaultValue java.util.Map<String, Pipeline> pipelines, @org.jspecify.annotations.Nullable String command,
			@DefaultValue("shell") String stack, java.net.@org.jspecify.annotations.Nullable URI weblogUrl,
			@DefaultValue java.util.Map<String, String> environment, @org.jspecify.annotations.Nullable String image,
			@DefaultValue("7d") java.time.Duration timeout) {
	}

	/**
	 * A pipeline a project may run.
	 *
	 * @param directory where its script is (or a repository name)
	 * @param script its script, {@code main.nf} by default
	 * @param parameters the pipeline parameters it always gets ({@code --name value})
	 * @param options options for {@code nextflow run} it always gets ({@code -profile docker})
	 * @param arguments the arguments a project gives it, by name: each with a {@code type}
	 * ({@code path}, {@code paths}, {@code file-glob}, {@code number}, {@code text}), and
	 * optionally {@code label} and {@code description}
	 */
	public record Pipeline(@org.jspecify.annotations.Nullable String directory, @DefaultValue("main.nf") String script,
			@DefaultValue java.util.Map<String, String> parameters, @DefaultValue java.util.List<String> options,
			@DefaultValue java.util.Map<String, java.util.Map<String, String>> arguments) {
	}

	/**
	 * A stack's executor and its defaults.
	 *
	 * @param executor {@code shell} (a process on the service's host) or {@code kubernetes} (a
	 * Kubernetes Job)
	 * @param image the container image a task of this stack runs when it names none
	 * ({@code kubernetes})
	 * @param cpu the CPU a task's container is given when it names none (request and limit)
	 * @param memory the memory a task's container is given when it names none
	 */
	public record Stack(@DefaultValue("shell") String executor, @org.jspecify.annotations.Nullable String image,
			@DefaultValue("500m") String cpu, @DefaultValue("512Mi") String memory) {
	}

	/**
	 * @param enabled whether the {@code kubernetes} executor is installed
	 * @param masterUrl the API server; when unset, the client's own configuration (in-cluster
	 * service account, {@code KUBECONFIG} or {@code ~/.kube/config})
	 * @param namespace where Jobs are created
	 * @param serviceAccount the service account the Jobs' pods run as (none: the namespace's
	 * default)
	 * @param poll how often a running Job is looked at
	 * @param keepFinished how long Kubernetes keeps a finished Job whose removal failed
	 * ({@code ttlSecondsAfterFinished}); Sciport deletes each Job once its log is kept
	 * @param sharedVolume a PersistentVolumeClaim (ReadWriteMany) that holds this service's data
	 * directory, mounted at {@code sharedPath} in this service's pod; a Job whose task works in a
	 * directory under it gets it mounted at the same path and works there, so it finds its run's
	 * {@code inputs/} and leaves {@code outputs/} (and a Nextflow project's files) where the
	 * service reads them. Without one, a Job works in an empty {@code /work} of its own.
	 * @param sharedPath where {@code sharedVolume} is mounted
	 */
	public record Kubernetes(@DefaultValue("false") boolean enabled, @org.jspecify.annotations.Nullable String masterUrl,
			@DefaultValue("default") String namespace, @org.jspecify.annotations.Nullable String serviceAccount,
			@DefaultValue("1s") java.time.Duration poll, @DefaultValue("10m") java.time.Duration keepFinished,
			@org.jspecify.annotations.Nullable String sharedVolume,
			java.nio.file.@org.jspecify.annotations.Nullable Path sharedPath) {
	}

	/**
	 * @param harvestService harvest-service's base URL, where harvested files are fetched
	 * @param datasetService dataset-service's base URL, where a dataset's files are listed
	 * @param uploadService upload-service's base URL, where uploaded files are fetched
	 * @param apiToken the API token (of an administrator, with {@code harvest:read} and
	 * {@code datasets:read}) with which files are fetched acting for the user a run acts for;
	 * without one, runs that need files of other services fail saying so
	 */
	public record Inputs(@DefaultValue("http://127.0.0.1:8084") java.net.URI harvestService,
			@DefaultValue("http://127.0.0.1:8083") java.net.URI datasetService,
			@DefaultValue("http://127.0.0.1:8082") java.net.URI uploadService,
			@org.jspecify.annotations.Nullable String apiToken) {

		@Override
		public String toString() {
			return "Inputs[harvestService=" + this.harvestService + ", datasetService=" + this.datasetService
					+ ", uploadService=" + this.uploadService + ", apiToken=" + ((this.apiToken != null) ? "****" : "none")
					+ "]";
		}

	}

	/**
	 * @param workDirectory where each run gets its work directory (shared by its tasks)
	 * @param parallelism tasks of one run at once
	 * @param concurrentRuns runs one replica carries out at once
	 * @param taskTimeout how long a task may run when it says nothing else
	 * @param logLines the most log lines kept per run (the rest are counted, not kept)
	 * @param poll how often a replica looks for pending runs
	 * @param shellForEveryone whether anyone may apply workflows whose tasks use the
	 * {@code shell} stack, which runs commands on the service's host as the service's user (by
	 * default only administrators may)
	 * @param missedDeadline a tick missed while no replica ran is run once on start if it is at
	 * most this old; an older one is recorded as a skipped run
	 * @param maxOutputs the most files a run may leave in {@code outputs/}
	 */
	public record Runs(@DefaultValue("data/workflow/runs") java.nio.file.Path workDirectory,
			@DefaultValue("4") int parallelism, @DefaultValue("2") int concurrentRuns,
			@DefaultValue("1h") java.time.Duration taskTimeout, @DefaultValue("100000") int logLines,
			@DefaultValue("500ms") java.time.Duration poll, @DefaultValue("false") boolean shellForEveryone,
			@DefaultValue("1h") java.time.Duration missedDeadline, @DefaultValue("1000") int maxOutputs) {
	}

}
