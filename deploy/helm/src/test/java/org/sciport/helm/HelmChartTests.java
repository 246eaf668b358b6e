package org.sciport.helm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chart, linted and rendered by Helm itself (helm-java) with the values files in
 * {@code sciport/ci/}; the rendered objects read by fabric8's Kubernetes model and checked the
 * way an operator's admission policy would.
 */
class HelmChartTests {

	private static final Path CHART = Path.of("sciport").toAbsolutePath();

	private static final List<String> MODULES = List.of("gateway", "auth-service", "upload-service", "dataset-service",
			"harvest-service", "workflow-service");

	/** Names whose values are secrets: never in a ConfigMap. */
	private static final Pattern SECRET_NAME = Pattern
		.compile("(?i).*(password|secret|token|jaas_config|jaas|credentials?|private_key|_key)$");

	private final KubernetesSerialization serialization = new KubernetesSerialization();

	@Test
	void lintsCleanInStrictMode() {
		LintResult lint = new Helm(CHART).lint().strict().call();
		assertThat(lint.getMessages()).filteredOn((message) -> !message.startsWith("[INFO]")).isEmpty();
		assertThat(lint.isFailed()).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "defaults-values.yaml", "external-values.yaml", "ha-values.yaml" })
	void everyServiceGetsItsObjects(String values) {
		List<HasMetadata> objects = render(values);
		for (String module : MODULES) {
			for (Class<? extends HasMetadata> kind : List.of(Deployment.class, Service.class, ServiceAccount.class,
					ConfigMap.class, PodDisruptionBudget.class)) {
				assertThat(of(objects, kind)).as(kind.getSimpleName() + " of " + module + " in " + values)
					.anyMatch((object) -> module.equals(object.getMetadata().getLabels().get("app.kubernetes.io/component"))
							|| object.getMetadata().getName().endsWith(module));
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "defaults-values.yaml", "external-values.yaml", "ha-values.yaml" })
	void everyContainerIsHardenedLimitedAndProbed(String values) {
		List<Deployment> deployments = of(render(values), Deployment.class);
		assertThat(deployments).hasSize(MODULES.size());
		List<String> problems = new ArrayList<>();
		for (Deployment deployment : deployments) {
			String name = deployment.getMetadata().getName();
			var pod = deployment.getSpec().getTemplate().getSpec();
			PodSecurityContext podSecurity = pod.getSecurityContext();
			check(problems, name, "pod runAsNonRoot", podSecurity != null && Boolean.TRUE.equals(podSecurity.getRunAsNonRoot()));
			check(problems, name, "seccomp RuntimeDefault", podSecurity != null && podSecurity.getSeccompProfile() != null
					&& "RuntimeDefault".equals(podSecurity.getSeccompProfile().getType()));
			List<Container> containers = new ArrayList<>(pod.getContainers());
			containers.addAll(pod.getInitContainers());
			for (Container container : containers) {
				String where = name + "/" + container.getName();
				SecurityContext security = container.getSecurityContext();
				check(problems, where, "securityContext", security != null);
				if (security != null) {
					check(problems, where, "readOnlyRootFilesystem", Boolean.TRUE.equals(security.getReadOnlyRootFilesystem()));
					check(problems, where, "allowPrivilegeEscalation false",
							Boolean.FALSE.equals(security.getAllowPrivilegeEscalation()));
					check(problems, where, "capabilities drop ALL", security.getCapabilities() != null
							&& security.getCapabilities().getDrop().contains("ALL"));
					check(problems, where, "no runAsUser 0", !Objects.equals(security.getRunAsUser(), 0L));
				}
				var resources = container.getResources();
				for (String resource : List.of("cpu", "memory")) {
					check(problems, where, "request " + resource, resources != null && resources.getRequests().containsKey(resource));
				}
				check(problems, where, "memory limit", resources != null && resources.getLimits().containsKey("memory"));
				if (pod.getContainers().contains(container)) {
					check(problems, where, "liveness on the health group", probes(container.getLivenessProbe(), "/actuator/health/liveness"));
					check(problems, where, "readiness on the health group", probes(container.getReadinessProbe(), "/actuator/health/readiness"));
					check(problems, where, "startup probe", container.getStartupProbe() != null);
				}
				// Secrets come from Secrets, by reference.
				container.getEnv().stream()
					.filter((variable) -> SECRET_NAME.matcher(variable.getName()).matches() && variable.getValue() != null
							&& !variable.getValue().isEmpty())
					.forEach((variable) -> problems.add(where + ": " + variable.getName() + " is given in clear"));
			}
			// Writable places are emptyDirs or claims, and the root filesystem is read-only: /tmp exists.
			check(problems, name, "a writable /tmp", pod.getContainers().get(0).getVolumeMounts().stream()
				.anyMatch((mount) -> "/tmp".equals(mount.getMountPath())));
		}
		assertThat(problems).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "defaults-values.yaml", "external-values.yaml", "ha-values.yaml" })
	void everyServiceSelectsOneDeploymentAndPoliciesCoverEveryPod(String values) {
		List<HasMetadata> objects = render(values);
		List<Deployment> deployments = of(objects, Deployment.class);
		for (Service service : of(objects, Service.class)) {
			Map<String, String> selector = service.getSpec().getSelector();
			assertThat(selector).as(service.getMetadata().getName()).isNotEmpty();
			assertThat(deployments).as("Deployments selected by Service " + service.getMetadata().getName())
				.filteredOn((deployment) -> labels(deployment).entrySet().containsAll(selector.entrySet()))
				.hasSize(1);
		}
		List<NetworkPolicy> policies = of(objects, NetworkPolicy.class);
		for (Deployment deployment : deployments) {
			for (String direction : List.of("Ingress", "Egress")) {
				assertThat(policies).as(direction + " policy for " + deployment.getMetadata().getName())
					.anyMatch((policy) -> policy.getSpec().getPolicyTypes().contains(direction)
							&& selects(policy.getSpec().getPodSelector(), labels(deployment)));
			}
			// A PodDisruptionBudget protects it.
			assertThat(of(objects, PodDisruptionBudget.class)).as("PDB of " + deployment.getMetadata().getName())
				.anyMatch((pdb) -> selects(pdb.getSpec().getSelector(), labels(deployment)));
		}
		// Only the gateway is reachable from outside the suite's own pods.
		Deployment gateway = deployments.stream()
			.filter((deployment) -> deployment.getMetadata().getName().endsWith("gateway"))
			.findFirst()
			.orElseThrow();
		for (Deployment service : deployments) {
			if (service == gateway) {
				continue;
			}
			for (NetworkPolicy policy : policies) {
				if (!policy.getSpec().getPolicyTypes().contains("Ingress")
						|| !selects(policy.getSpec().getPodSelector(), labels(service))) {
					continue;
				}
				policy.getSpec().getIngress().forEach((rule) -> rule.getFrom().forEach((peer) -> assertThat(
						peer.getIpBlock()).as("no address block reaches " + service.getMetadata().getName()).isNull()));
			}
		}
		// ConfigMaps carry settings, never secrets.
		for (ConfigMap config : of(objects, ConfigMap.class)) {
			assertThat(config.getData().keySet()).as(config.getMetadata().getName())
				.noneMatch((key) -> SECRET_NAME.matcher(key).matches());
		}
		for (Ingress ingress : of(objects, Ingress.class)) {
			ingress.getSpec().getRules().forEach((rule) -> rule.getHttp().getPaths().forEach((path) -> assertThat(
					path.getBackend().getService().getName()).endsWith("gateway")));
		}
	}

	@Test
	void highAvailabilityScalesWithSharedState() {
		List<HasMetadata> objects = render("ha-values.yaml");
		assertThat(of(objects, HorizontalPodAutoscaler.class)).isNotEmpty();
		assertThat(objects).extracting(HasMetadata::getKind)
			.contains("ServiceMonitor", "HTTPRoute");
		Deployment gateway = of(objects, Deployment.class).stream()
			.filter((deployment) -> deployment.getMetadata().getName().endsWith("gateway"))
			.findFirst()
			.orElseThrow();
		String store = gateway.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
			.filter((variable) -> variable.getName().equals("SCIPORT_GATEWAY_RATELIMIT_STORE"))
			.map((variable) -> variable.getValue())
			.findFirst()
			.orElseGet(() -> of(objects, ConfigMap.class).stream()
				.map((config) -> config.getData().get("SCIPORT_GATEWAY_RATELIMIT_STORE"))
				.filter(Objects::nonNull)
				.findFirst()
				.orElse(null));
		assertThat(store).isEqualTo("redis");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"invalid/two-gateways-memory-store.yaml | more than one gateway replica",
			"invalid/local-blobs-two-uploads.yaml | more than one upload-service replica",
			"invalid/jobs-without-shared-volume.yaml | shareDataVolume needs" })
	void impossibleSettingsAreRefusedWithAReason(String values, String reason) {
		assertThatThrownBy(() -> render(values)).hasMessageContaining(reason);
	}

	private List<HasMetadata> render(String values) {
		String manifest = new Helm(CHART).template()
			.withName("sciport")
			.withNamespace("sciport")
			.withValuesFile(CHART.resolve("ci").resolve(values))
			.call();
		List<HasMetadata> objects = new ArrayList<>();
		for (String document : manifest.split("(?m)^---\\s*$")) {
			if (document.lines().allMatch((line) -> line.isBlank() || line.startsWith("#"))) {
				continue;
			}
			objects.add(this.serialization.unmarshal(document, HasMetadata.class));
		}
		return objects;
	}

	private static <T extends HasMetadata> List<T> of(List<HasMetadata> objects, Class<T> kind) {
		return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
	}

	private static Map<String, String> labels(Deployment deployment) {
		return deployment.getSpec().getTemplate().getMetadata().getLabels();
	}

	private static boolean selects(LabelSelector selector, Map<String, String> labels) {
		if (selector == null) {
			return false;
		}
		boolean expressions = selector.getMatchExpressions().stream().allMatch((expression) -> switch (expression.getOperator()) {
			case "In" -> expression.getValues().contains(labels.get(expression.getKey()));
			case "NotIn" -> !expression.getValues().contains(labels.get(expression.getKey()));
			case "Exists" -> labels.containsKey(expression.getKey());
			default -> !labels.containsKey(expression.getKey());
		});
		return expressions && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
	}

	private static boolean probes(Probe probe, String path) {
		return probe != null && probe.getHttpGet() != null && path.equals(probe.getHttpGet().getPath());
	}

	private static void check(List<String> problems, String where, String what, boolean ok) {
		if (!ok) {
			problems.add(where + ": " + what);
		}
	}

}
