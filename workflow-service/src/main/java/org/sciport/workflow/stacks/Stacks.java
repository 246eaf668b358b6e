package org.sciport.workflow.stacks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.sciport.workflow.WorkflowProperties;
import org.springframework.stereotype.Component;

/**
 * The stacks this installation runs: {@code sciport.workflow.stacks}, a map from
 * {@code name:version} to an executor and its defaults ({@code shell:1} and
 * {@code container:1} when none are configured). A task names a stack as {@code name:version},
 * or as {@code name} for its highest version. A stack whose executor is not installed here (the
 * {@code kubernetes} executor without {@code sciport.workflow.kubernetes.enabled}) is not
 * installed: a task naming it fails, naming the stacks that are.
 */
@Component
public class Stacks {

	/** The executors. */
	public enum Executor {

		/** A process on the service's host. */
		SHELL,

		/** A Kubernetes Job. */
		KUBERNETES

	}

	/**
	 * A stack as a task resolved it.
	 *
	 * @param name its {@code name:version}
	 * @param executor what runs it
	 * @param settings its defaults
	 */
	public record Stack(String name, Executor executor, WorkflowProperties.Stack settings) {
	}

	private final Map<String, Stack> configured = new LinkedHashMap<>();

	private final boolean kubernetes;

	public Stacks(WorkflowProperties properties) {
		Map<String, WorkflowProperties.Stack> stacks = properties.stacks();
		if (stacks == null || stacks.isEmpty()) {
			stacks = Map.of("shell:1", new WorkflowProperties.Stack("shell", null, "500m", "512Mi"), "container:1",
					new WorkflowProperties.Stack("kubernetes", "busybox:1.36", "500m", "512Mi"));
		}
		stacks.forEach((name, settings) -> {
			if (!name.matches("[a-z0-9][a-z0-9._-]*:[A-Za-z0-9._-]+")) {
				throw new IllegalArgumentException("sciport.workflow.stacks: '" + name + "' is not name:version");
			}
			Executor executor = switch (settings.executor()) {
				case "shell" -> Executor.SHELL;
				case "kubernetes" -> Executor.KUBERNETES;
				default -> throw new IllegalArgumentException("sciport.workflow.stacks." + name + ".executor: '"
						+ settings.executor() + "' is neither shell nor kubernetes");
			};
			this.configured.put(name, new Stack(name, executor, settings));
		});
		this.kubernetes = properties.kubernetes().enabled();
	}

	/** The stack a task names, if this installation runs it. */
	public Optional<Stack> resolve(String named) {
		return find(named).filter(this::installed);
	}

	/**
	 * Whether a task naming this stack would run on the service's host: a configured stack with
	 * the shell executor (installed or not, so that a later change cannot widen who applied it).
	 */
	public boolean runsOnHost(String named) {
		return find(named).map((stack) -> stack.executor() == Executor.SHELL).orElse(false);
	}

	/** The stacks installed here, by name. */
	public List<String> installed() {
		return this.configured.values().stream().filter(this::installed).map(Stack::name).sorted().toList();
	}

	private boolean installed(Stack stack) {
		return stack.executor() == Executor.SHELL || this.kubernetes;
	}

	private Optional<Stack> find(String named) {
		if (named.contains(":")) {
			return Optional.ofNullable(this.configured.get(named));
		}
		List<Stack> versions = new ArrayList<>();
		this.configured.forEach((name, stack) -> {
			if (name.substring(0, name.indexOf(':')).equals(named)) {
				versions.add(stack);
			}
		});
		return versions.stream().max(Comparator.comparing((Stack stack) -> stack.name(), Stacks::compareVersions));
	}

	/** Compares {@code name:1.10} after {@code name:1.9}: dotted numbers as numbers, the rest as text. */
	static int compareVersions(String a, String b) {
		String[] left = a.substring(a.indexOf(':') + 1).split("\\.");
		String[] right = b.substring(b.indexOf(':') + 1).split("\\.");
		for (int i = 0; i < Math.max(left.length, right.length); i++) {
			String l = (i < left.length) ? left[i] : "";
			String r = (i < right.length) ? right[i] : "";
			int order = (l.matches("\\d{1,9}") && r.matches("\\d{1,9}")) ? Integer.compare(Integer.parseInt(l), Integer.parseInt(r))
					: l.compareTo(r);
			if (order != 0) {
				return order;
			}
		}
		return 0;
	}

}
