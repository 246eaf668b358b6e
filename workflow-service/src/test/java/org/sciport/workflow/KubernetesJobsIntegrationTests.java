package org.sciport.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code container} stack against fabric8's Kubernetes mock server (its CRUD mode, with a
 * stand-in for the Job controller that gives each Job a finished pod and a log), with real
 * PostgreSQL and Kafka behind the service: each task becomes a hardened Job with its image,
 * command, environment and resources; it is followed to its end, its pod's log kept in the run's
 * log (followed while the container runs), its exit code recorded, and the Job deleted; a
 * cancelled run deletes its running Job.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.name=workflow-service", "sciport.workflow.runs.poll=200ms",
				"sciport.workflow.kubernetes.enabled=true", "sciport.workflow.kubernetes.namespace=lab",
				"sciport.workflow.kubernetes.poll=100ms", "sciport.workflow.nextflow.command=nextflow",
				"sciport.workflow.nextflow.stack=container:1", "sciport.workflow.nextflow.image=docker.io/nextflow/nextflow:24.10.4",
				"sciport.workflow.nextflow.weblog-url=http://workflow-service.sciport:8085",
				"sciport.workflow.nextflow.pipelines.hello.directory=/pipelines/hello" })
@AutoConfigureWebTestClient
@Import(TestTokens.class)
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesJobsIntegrationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

	private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

	static KubernetesMockServer server;

	static KubernetesClient kubernetes;

	private static java.nio.file.Path shared;

	private static java.nio.file.Path runs;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) throws IOException {
		TestInfrastructure.register(registry, "workflow_kubernetes");
		shared = Files.createTempDirectory("sciport-shared-");
		runs = Files.createDirectories(shared.resolve("runs"));
		registry.add("sciport.workflow.runs.work-directory", runs::toString);
		registry.add("sciport.workflow.kubernetes.shared-volume", () -> "sciport-data");
		registry.add("sciport.workflow.kubernetes.shared-path", shared::toString);
		registry.add("sciport.workflow.nextflow.projects-directory", () -> shared.resolve("projects").toString());
		registry.add("sciport.workflow.kubernetes.master-url", () -> kubernetes.getConfiguration().getMasterUrl());
	}

	@Autowired
	WebTestClient client;

	private final User user = TestTokens.user();

	/** Every Job as it was created. */
	private final List<Job> created = new CopyOnWriteArrayList<>();

	private final Set<String> handled = ConcurrentHashMap.newKeySet();

	private volatile boolean running = true;

	private Thread controller;

	/**
	 * Plays Kubernetes' Job controller and kubelet: a new Job gets a pod that has ended (exit 3
	 * if its command says so, else 0) with a log, and the Job's status says how it ended. A Job
	 * whose command sleeps is left running.
	 */
	@BeforeEach
	void startController() {
		this.controller = new Thread(() -> {
			while (this.running) {
				for (Job job : kubernetes.batch().v1().jobs().inNamespace("lab").list().getItems()) {
					String name = job.getMetadata().getName();
					if (!this.handled.add(name)) {
						continue;
					}
					this.created.add(job);
					Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
					String command = String.join(" ", container.getCommand());
					if (command.contains("sleep")) {
						continue;
					}
					if (command.contains("live")) {
						// Running, writing its log, never ending by itself.
						Pod pod = new PodBuilder().withNewMetadata().withName(name + "-r4nq8").withNamespace("lab")
							.addToLabels("job-name", name).endMetadata()
							.withNewStatus().withPhase("Running").endStatus().build();
						kubernetes.pods().inNamespace("lab").resource(pod).create();
						server.expect().get()
							.withPath("/api/v1/namespaces/lab/pods/" + name + "-r4nq8/log?pretty=false&container=task&follow=true")
							.andReturn(200, "epoch 1 loss 0.91\nepoch 2 loss 0.47\n")
							.always();
						continue;
					}
					int exit = command.contains("exit 3") ? 3 : 0;
					Pod pod = new PodBuilder().withNewMetadata().withName(name + "-x7k2p").withNamespace("lab")
						.addToLabels("job-name", name).endMetadata()
						.withNewStatus().withPhase((exit == 0) ? "Succeeded" : "Failed")
						.addNewContainerStatus().withName("task").withNewState().withNewTerminated().withExitCode(exit)
						.endTerminated().endState().endContainerStatus().endStatus().build();
					kubernetes.pods().inNamespace("lab").resource(pod).create();
					String text = "fitting with MODE=" + container.getEnv().stream().filter((variable) -> variable.getName().equals("MODE")).findFirst()
						.map((variable) -> variable.getValue()).orElse("none") + "\nresidual 0.0042\n";
					// Read whole, or followed (an ended container's log, then the end of the stream).
					for (String query : List.of("", "&follow=true")) {
						server.expect().get().withPath("/api/v1/namespaces/lab/pods/" + name + "-x7k2p/log?pretty=false&container=task" + query)
							.andReturn(200, text)
							.always();
					}
					Job done = new JobBuilder(job).withNewStatus().withSucceeded((exit == 0) ? 1 : 0)
						.withFailed((exit == 0) ? 0 : 1).endStatus().build();
					kubernetes.batch().v1().jobs().inNamespace("lab").resource(done).updateStatus();
				}
				try {
					Thread.sleep(50);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}, "job-controller");
		this.controller.setDaemon(true);
		this.controller.start();
	}

	@AfterEach
	void stopController() throws InterruptedException {
		this.running = false;
		this.controller.join(5000);
	}

	@Test
	@SuppressWarnings("unchecked")
	void eachTaskRunsAsAHardenedJobFollowedToItsEndWithItsLogKeptAndItsJobDeleted() {
		String name = "fit-" + UUID.randomUUID().toString().substring(0, 8);
		apply("""
				name: %s
				type: workflow
				workflow:
				  dag:
				    - name: fit
				      spec:
				        stack: container:1
				        image: ghcr.io/example/fitter:2.1
				        command: python fit.py --all
				        environment: {MODE: fast}
				        resources: {cpu: 250m, memory: 256Mi}
				    - name: report
				      dependencies: [fit]
				      spec:
				        stack: container
				        image: ghcr.io/example/fitter:2.1
				        command: [sh, -c, "exit 3"]
				        environment: {MODE: report}
				""".formatted(name));
		Map<String, Object> run = awaitEnded(name);
		assertThat(run).containsEntry("status", "failed");
		Map<String, Object> view = get("/v1/resources/workflow/" + name + "/runs/" + run.get("id"));
		Map<String, Map<String, Object>> tasks = new java.util.HashMap<>();
		for (Map<String, Object> task : (List<Map<String, Object>>) view.get("tasks")) {
			tasks.put((String) task.get("name"), task);
		}
		assertThat(tasks.get("fit")).containsEntry("status", "succeeded").containsEntry("exit_code", 0);
		assertThat(tasks.get("report")).containsEntry("status", "failed").containsEntry("exit_code", 3);

		// The pod's log is the task's, kept after the Job is gone.
		List<Map<String, Object>> logs = (List<Map<String, Object>>) get("/v1/resources/workflow/" + name + "/logs").get("logs");
		assertThat(logs).anySatisfy((line) -> assertThat(line).containsEntry("task", "fit")
			.containsEntry("message", "fitting with MODE=fast"));
		assertThat(logs).anySatisfy((line) -> assertThat(line).containsEntry("task", "fit")
			.containsEntry("message", "residual 0.0042"));
		assertThat(logs).anySatisfy((line) -> assertThat(line).containsEntry("task", "report")
			.containsEntry("message", "Task failed: exit code 3"));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> kubernetes.batch().v1().jobs().inNamespace("lab").withLabel("sciport.org/run", (String) run.get("id"))
				.list().getItems().isEmpty());

		// The Job as it was created: the task's image, command, environment and resources, hardened.
		Job fit = this.created.stream().filter((job) -> "fit".equals(job.getMetadata().getLabels().get("sciport.org/task"))
				&& run.get("id").equals(job.getMetadata().getLabels().get("sciport.org/run"))).findFirst().orElseThrow();
		assertThat(fit.getMetadata().getName()).startsWith("sciport-").endsWith("-fit-1");
		assertThat(fit.getSpec().getBackoffLimit()).isZero();
		assertThat(fit.getSpec().getActiveDeadlineSeconds()).isPositive();
		var pod = fit.getSpec().getTemplate().getSpec();
		assertThat(pod.getRestartPolicy()).isEqualTo("Never");
		assertThat(pod.getAutomountServiceAccountToken()).isFalse();
		assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
		assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
		Container container = pod.getContainers().get(0);
		assertThat(container.getImage()).isEqualTo("ghcr.io/example/fitter:2.1");
		assertThat(container.getCommand()).containsExactly("/bin/sh", "-c", "python fit.py --all");
		String workDirectory = runs.resolve((String) run.get("id")).toAbsolutePath().toString();
		assertThat(container.getEnv()).extracting((variable) -> variable.getName() + "=" + variable.getValue())
			.containsExactly("HOME=" + workDirectory, "SCIPORT_WORK_DIR=" + workDirectory, "MODE=fast");
		// The run's work directory is on the shared volume: the Job mounts it where the service has it, and works there.
		assertThat(container.getWorkingDir()).isEqualTo(workDirectory);
		assertThat(container.getVolumeMounts())
			.extracting((mount) -> mount.getName() + ":" + mount.getMountPath() + ":" + mount.getSubPath())
			.containsExactlyInAnyOrder("work:" + workDirectory + ":runs/" + run.get("id"), "tmp:/tmp:null");
		assertThat(pod.getVolumes()).filteredOn((volume) -> volume.getName().equals("work")).singleElement()
			.satisfies((volume) -> assertThat(volume.getPersistentVolumeClaim().getClaimName()).isEqualTo("sciport-data"));
		assertThat(container.getResources().getLimits().get("cpu").toString()).isEqualTo("250m");
		assertThat(container.getResources().getRequests().get("memory").toString()).isEqualTo("256Mi");
		assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
		assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
		assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
	}

	@Test
	@SuppressWarnings("unchecked")
	void aCancelledRunDeletesItsRunningJob() {
		String name = "long-" + UUID.randomUUID().toString().substring(0, 8);
		apply("""
				name: %s
				type: workflow
				workflow:
				  dag:
				    - name: wait
				      spec: {stack: container, image: "busybox:1.36", command: "sleep 3600", environment: {MODE: slow}}
				""".formatted(name));
		String run = await().atMost(Duration.ofSeconds(30)).until(() -> this.created.stream()
			.filter((job) -> "wait".equals(job.getMetadata().getLabels().get("sciport.org/task")))
			.map((job) -> job.getMetadata().getLabels().get("sciport.org/run"))
			.findFirst()
			.orElse(null), java.util.Objects::nonNull);
		this.client.post().uri("/v1/resources/workflow/" + name + "/runs/" + run + "/cancel")
			.headers((h) -> h.setBearerAuth(this.user.token())).exchange().expectStatus().isAccepted();
		assertThat(awaitEnded(name)).containsEntry("status", "cancelled");
		await().atMost(Duration.ofSeconds(10)).until(() -> kubernetes.batch().v1().jobs().inNamespace("lab")
			.withLabel("sciport.org/run", run).list().getItems().isEmpty());
	}

	@Test
	@SuppressWarnings("unchecked")
	void aRunningContainersLogReachesTheRunsLogWhileItRuns() {
		String name = "live-" + UUID.randomUUID().toString().substring(0, 8);
		apply("""
				name: %s
				type: workflow
				workflow:
				  dag:
				    - name: train
				      spec: {stack: container, image: "ghcr.io/example/trainer:1", command: "train --live"}
				""".formatted(name));
		// The lines are in the run's log while the Job still runs (it never ends by itself here).
		List<Map<String, Object>> logs = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
			.until(() -> (List<Map<String, Object>>) get("/v1/resources/workflow/" + name + "/logs").get("logs"),
					(lines) -> lines.stream().anyMatch((line) -> "epoch 2 loss 0.47".equals(line.get("message"))));
		assertThat(logs).anySatisfy((line) -> assertThat(line).containsEntry("task", "train")
			.containsEntry("message", "epoch 1 loss 0.91"));
		List<Map<String, Object>> runs = (List<Map<String, Object>>) get("/v1/resources/workflow/" + name + "/runs").get("data");
		assertThat(runs.get(0)).containsEntry("status", "running");
		String run = (String) runs.get(0).get("id");

		this.client.post().uri("/v1/resources/workflow/" + name + "/runs/" + run + "/cancel")
			.headers((h) -> h.setBearerAuth(this.user.token())).exchange().expectStatus().isAccepted();
		assertThat(awaitEnded(name)).containsEntry("status", "cancelled");
		// Each line once: followed, not read again at the end.
		List<Map<String, Object>> after = (List<Map<String, Object>>) get("/v1/resources/workflow/" + name + "/logs?run=" + run)
			.get("logs");
		assertThat(after).filteredOn((line) -> "epoch 1 loss 0.91".equals(line.get("message"))).hasSize(1);
	}

	/**
	 * A Nextflow project's run as a Job of the Nextflow image: it works in the project's directory
	 * and keeps its work directory and weblog configuration in the run's, both on the shared
	 * volume, and posts to the weblog URL the cluster reaches the service at.
	 */
	@Test
	@SuppressWarnings("unchecked")
	void aNextflowProjectRunsAsAJobOfTheNextflowImageOnTheSharedVolume() {
		Map<String, Object> project = (Map<String, Object>) this.client.post().uri("/api/projects/create")
			.header("x-access-token", this.user.token()).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "On the cluster")).exchange().expectStatus().isOk().expectBody(MAP).returnResult()
			.getResponseBody().get("project");
		int id = (Integer) project.get("id");
		this.client.post().uri("/api/projects/" + id + "/update").header("x-access-token", this.user.token())
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("nextflow_project", "hello")).exchange()
			.expectStatus().isOk();
		this.client.post().uri("/api/projects/" + id + "/schedule").header("x-access-token", this.user.token()).exchange()
			.expectStatus().isOk();
		Map<String, Object> run = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
			List<Map<String, Object>> listed = (List<Map<String, Object>>) this.client.get().uri("/api/projects/" + id + "/runs")
				.header("x-access-token", this.user.token()).exchange().expectStatus().isOk().expectBody(MAP).returnResult()
				.getResponseBody().get("runs");
			return listed.isEmpty() ? null : listed.get(0);
		}, (found) -> found != null && "succeeded".equals(found.get("status")));
		Job job = this.created.stream().filter((created) -> run.get("id").equals(created.getMetadata().getLabels()
			.get("sciport.org/run"))).findFirst().orElseThrow();
		Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
		String workDirectory = runs.resolve((String) run.get("id")).toAbsolutePath().toString();
		assertThat(container.getImage()).isEqualTo("docker.io/nextflow/nextflow:24.10.4");
		assertThat(container.getCommand()).containsExactly("nextflow", "-c", workDirectory + "/sciport-weblog.config", "run",
				"/pipelines/hello/main.nf", "-work-dir", workDirectory + "/work", "-with-weblog",
				"http://workflow-service.sciport:8085/api/projects/" + id + "/nextflow-log");
		assertThat(container.getWorkingDir()).isEqualTo(workDirectory + "/launch");
		// Its own run's folder and its project's, and nothing else of the shared volume.
		assertThat(container.getVolumeMounts())
			.extracting((mount) -> mount.getName() + ":" + mount.getMountPath() + ":" + mount.getSubPath())
			.containsExactlyInAnyOrder("work:" + workDirectory + ":runs/" + run.get("id"),
					"work:" + shared.resolve("projects/" + id).toAbsolutePath() + ":projects/" + id, "tmp:/tmp:null");
		// Its weblog secret ended with it.
		assertThat(java.nio.file.Path.of(workDirectory, "launch")).isDirectory();
		assertThat(java.nio.file.Path.of(workDirectory, "sciport-weblog.config")).doesNotExist();
	}

	@Test
	void aContainerStackWithoutKubernetesIsNotInstalled() {
		org.sciport.workflow.stacks.Stacks without = new org.sciport.workflow.stacks.Stacks(new WorkflowProperties(
				List.of("workflow"), org.springframework.util.unit.DataSize.ofMegabytes(1), null, java.nio.file.Path.of("b"),
				null, null, new WorkflowProperties.Kubernetes(false, null, "default", null, Duration.ofSeconds(1),
						Duration.ofMinutes(10), null, null), null));
		assertThat(without.installed()).containsExactly("shell:1");
		assertThat(without.resolve("container")).isEmpty();
		assertThat(without.runsOnHost("shell")).isTrue();
		assertThat(without.runsOnHost("container:1")).isFalse();
	}

	private void apply(String manifest) {
		this.client.post().uri("/v1/resources").headers((h) -> h.setBearerAuth(this.user.token())).contentType(YAML)
			.bodyValue(manifest).exchange().expectStatus().isCreated();
	}

	private Map<String, Object> get(String path) {
		return this.client.get().uri(path).headers((h) -> h.setBearerAuth(this.user.token())).exchange().expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody();
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> awaitEnded(String name) {
		return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
			List<Map<String, Object>> runs = (List<Map<String, Object>>) get("/v1/resources/workflow/" + name + "/runs")
				.get("data");
			return runs.isEmpty() ? Map.<String, Object>of("status", "none") : runs.get(0);
		}, (run) -> List.of("succeeded", "failed", "cancelled").contains(run.get("status")));
	}

}
