package org.sciport.workflow.resources;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.SciportException;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.schedule.CronSchedule;
import org.sciport.workflow.web.Durations;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The checks of a workflow's section on apply: {@code workflow.dag}, a non-empty list of tasks,
 * each with a unique {@code name}, {@code dependencies} naming tasks of the same DAG (and no
 * cycle through them), and a {@code spec} naming its {@code stack}; and an optional
 * {@code workflow.schedule} with a five-field {@code cron}, a {@code timezone},
 * {@code concurrencyPolicy} ({@code Allow}, {@code Forbid}, {@code Replace}) and {@code endOn};
 * an optional {@code workflow.inputs} with the {@code dataset_id} whose files each run is given;
 * an optional {@code workflow.trigger} with the {@code event} type it starts on (one of
 * {@link #TRIGGERS}) and a {@code filter} of the event's fields; and an optional
 * {@code workflow.outputs} with the {@code dataset_id} its outputs go into. Each refusal names
 * the field it is about.
 */
public final class WorkflowSpec {

	/** The most tasks one DAG may hold. */
	static final int MAX_TASKS = 5000;

	private static final Set<String> SECTION = Set.of("title", "description", "dag", "schedule", "trigger", "inputs",
			"outputs");

	/** The events a workflow may start on, each with the fields its filter may name. */
	public static final Map<String, Set<String>> TRIGGERS = Map.of("sciport.harvest.transfer.completed",
			Set.of("instrument_id", "dataset_id"), "sciport.upload.completed", Set.of("dataset_id"));

	private static final Set<String> TASK = Set.of("name", "title", "description", "dependencies", "spec", "retry",
			"timeout", "continueOnFailure");

	private static final Set<String> SCHEDULE = Set.of("cron", "timezone", "concurrencyPolicy", "endOn");

	private WorkflowSpec() {
	}

	/** Checks {@code spec.workflow}; throws the first problem found. */
	static void check(ObjectNode spec) {
		JsonNode workflow = spec.path("workflow");
		if (!workflow.isObject()) {
			throw new ValidationException("workflow", "a workflow needs its workflow: section, with a dag");
		}
		only(workflow, "workflow", SECTION);
		JsonNode dag = workflow.path("dag");
		if (!dag.isArray() || dag.isEmpty()) {
			throw new ValidationException("workflow.dag", "workflow.dag must be a non-empty list of tasks");
		}
		if (dag.size() > MAX_TASKS) {
			throw new ValidationException("workflow.dag", "a DAG holds at most " + MAX_TASKS + " tasks");
		}
		Map<String, Integer> positions = new LinkedHashMap<>();
		for (int i = 0; i < dag.size(); i++) {
			String where = "workflow.dag[" + i + "]";
			JsonNode task = dag.get(i);
			if (!task.isObject()) {
				throw new ValidationException(where, "a task is a mapping with name, dependencies and spec");
			}
			only(task, where, TASK);
			JsonNode name = task.path("name");
			if (!name.isString() || !Manifest.NAME.matcher(name.asString()).matches()) {
				throw new ValidationException(where + ".name",
						"a task's name is 1 to 63 lower-case letters, digits and dashes");
			}
			Integer earlier = positions.putIfAbsent(name.asString(), i);
			if (earlier != null) {
				throw new ValidationException(where + ".name",
						"a task named '" + name.asString() + "' is already at workflow.dag[" + earlier + "]");
			}
			checkAttempts(task, where);
			JsonNode taskSpec = task.path("spec");
			if (!taskSpec.isObject() || !taskSpec.path("stack").isString() || taskSpec.path("stack").asString().isBlank()) {
				throw new ValidationException(where + ".spec.stack", "a task's spec names the stack it runs on (stack: ...)");
			}
		}
		Map<String, List<String>> dependencies = new HashMap<>();
		for (int i = 0; i < dag.size(); i++) {
			String where = "workflow.dag[" + i + "].dependencies";
			JsonNode list = dag.get(i).path("dependencies");
			List<String> names = new ArrayList<>();
			if (!list.isMissingNode() && !list.isNull()) {
				if (!list.isArray()) {
					throw new ValidationException(where, "dependencies is a list of task names");
				}
				for (int j = 0; j < list.size(); j++) {
					String dependency = list.get(j).asString("");
					if (!positions.containsKey(dependency)) {
						throw new ValidationException(where + "[" + j + "]",
								"no task named '" + dependency + "' in this DAG");
					}
					names.add(dependency);
				}
			}
			dependencies.put(dag.get(i).path("name").asString(), names);
		}
		List<String> cycle = cycle(new ArrayList<>(positions.keySet()), dependencies);
		if (cycle != null) {
			throw new SciportException(ErrorCode.VALIDATION_ERROR,
					"The DAG has a cycle (each task depends on the next): " + String.join(" -> ", cycle), "workflow.dag", Map.of("cycle", cycle), null);
		}
		JsonNode schedule = workflow.path("schedule");
		if (!schedule.isMissingNode() && !schedule.isNull()) {
			checkSchedule(schedule);
		}
		JsonNode trigger = workflow.path("trigger");
		if (!trigger.isMissingNode() && !trigger.isNull()) {
			if (workflow.has("schedule")) {
				throw new ValidationException("workflow.trigger", "a workflow starts on a schedule or on an event, not both");
			}
			checkTrigger(trigger);
		}
		JsonNode inputs = workflow.path("inputs");
		if (!inputs.isMissingNode() && !inputs.isNull()) {
			if (!inputs.isObject()) {
				throw new ValidationException("workflow.inputs", "inputs is a mapping with dataset_id");
			}
			only(inputs, "workflow.inputs", Set.of("dataset_id"));
			if (uuid(inputs.path("dataset_id")) == null) {
				throw new ValidationException("workflow.inputs.dataset_id", "inputs.dataset_id is a dataset's id (a UUID)");
			}
		}
		JsonNode outputs = workflow.path("outputs");
		if (!outputs.isMissingNode() && !outputs.isNull()) {
			if (!outputs.isObject()) {
				throw new ValidationException("workflow.outputs", "outputs is a mapping with dataset_id");
			}
			only(outputs, "workflow.outputs", Set.of("dataset_id"));
			if (uuid(outputs.path("dataset_id")) == null) {
				throw new ValidationException("workflow.outputs.dataset_id", "outputs.dataset_id is a dataset's id (a UUID)");
			}
		}
	}

	private static void checkTrigger(JsonNode trigger) {
		if (!trigger.isObject()) {
			throw new ValidationException("workflow.trigger", "trigger is a mapping with event (and filter)");
		}
		only(trigger, "workflow.trigger", Set.of("event", "filter"));
		Set<String> fields = TRIGGERS.get(trigger.path("event").asString(""));
		if (fields == null) {
			throw new ValidationException("workflow.trigger.event",
					"trigger.event must be one of: " + String.join(", ", new java.util.TreeSet<>(TRIGGERS.keySet())));
		}
		JsonNode filter = trigger.path("filter");
		if (filter.isMissingNode() || filter.isNull()) {
			return;
		}
		if (!filter.isObject()) {
			throw new ValidationException("workflow.trigger.filter", "trigger.filter is a mapping of event fields to values");
		}
		only(filter, "workflow.trigger.filter", fields);
		for (String field : filter.propertyNames()) {
			if (uuid(filter.path(field)) == null) {
				throw new ValidationException("workflow.trigger.filter." + field, field + " is an id (a UUID)");
			}
		}
	}

	private static java.util.@org.jspecify.annotations.Nullable UUID uuid(JsonNode value) {
		try {
			return value.isString() ? java.util.UUID.fromString(value.asString()) : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/** Whether any task of the workflow names a stack that runs on the service's host. */
	static boolean runsOnHost(ObjectNode spec, java.util.function.Predicate<String> onHost) {
		for (JsonNode task : spec.path("workflow").path("dag")) {
			if (onHost.test(task.path("spec").path("stack").asString(""))) {
				return true;
			}
		}
		return false;
	}

	private static void checkAttempts(JsonNode task, String where) {
		JsonNode retry = task.path("retry");
		if (!retry.isMissingNode() && !retry.isNull()) {
			if (!retry.isObject()) {
				throw new ValidationException(where + ".retry", "retry is a mapping with limit and backoff");
			}
			only(retry, where + ".retry", Set.of("limit", "backoff"));
			JsonNode limit = retry.path("limit");
			if (!limit.isMissingNode() && (!limit.isIntegralNumber() || limit.asInt() < 0 || limit.asInt() > 10)) {
				throw new ValidationException(where + ".retry.limit", "retry.limit is a whole number from 0 to 10");
			}
			if (retry.has("backoff") && Durations.parse(retry.path("backoff").asString(null)) == null) {
				throw new ValidationException(where + ".retry.backoff", "retry.backoff is a duration such as 10s or 1m");
			}
		}
		if (task.has("timeout") && Durations.parse(task.path("timeout").asString(null)) == null) {
			throw new ValidationException(where + ".timeout", "timeout is a duration such as 30s, 10m or 2h");
		}
		if (task.has("continueOnFailure") && !task.path("continueOnFailure").isBoolean()) {
			throw new ValidationException(where + ".continueOnFailure", "continueOnFailure is true or false");
		}
	}

	private static void checkSchedule(JsonNode schedule) {
		if (!schedule.isObject()) {
			throw new ValidationException("workflow.schedule", "schedule is a mapping with cron (and timezone, ...)");
		}
		only(schedule, "workflow.schedule", SCHEDULE);
		JsonNode cron = schedule.path("cron");
		if (!cron.isString()) {
			throw new ValidationException("workflow.schedule.cron", "schedule.cron is required, five fields (0 2 * * *)");
		}
		CronSchedule.parse(cron.asString(), schedule.path("timezone").asString(null), "workflow.schedule.cron",
				"workflow.schedule.timezone");
		String policy = schedule.path("concurrencyPolicy").asString("Allow");
		if (!Set.of("Allow", "Forbid", "Replace").contains(policy)) {
			throw new ValidationException("workflow.schedule.concurrencyPolicy",
					"concurrencyPolicy must be Allow, Forbid or Replace");
		}
		JsonNode endOn = schedule.path("endOn");
		if (!endOn.isMissingNode() && !endOn.isNull() && endOn(endOn.asString("")) == null) {
			throw new ValidationException("workflow.schedule.endOn",
					"endOn must be a date (2025-12-31) or an instant (2025-12-31T23:00:00Z)");
		}
	}

	/** When a schedule ends, from {@code endOn} as a date (its start, UTC) or an instant. */
	public static @Nullable Instant endOn(String text) {
		try {
			return Instant.parse(text);
		}
		catch (DateTimeException ex) {
			try {
				return LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
			}
			catch (DateTimeException notADate) {
				return null;
			}
		}
	}

	/**
	 * A cycle through the dependencies, as the names along it (each depends on the next) with
	 * the first repeated at the end, or {@code null} when there is none.
	 */
	static @Nullable List<String> cycle(List<String> tasks, Map<String, List<String>> dependencies) {
		Map<String, Integer> state = new HashMap<>();
		for (String start : tasks) {
			if (state.containsKey(start)) {
				continue;
			}
			// Depth first without recursion (a chain may be thousands of tasks deep).
			Deque<String> path = new ArrayDeque<>();
			Deque<java.util.Iterator<String>> next = new ArrayDeque<>();
			Set<String> onPath = new HashSet<>();
			path.push(start);
			onPath.add(start);
			next.push(dependencies.getOrDefault(start, List.of()).iterator());
			state.put(start, 1);
			while (!path.isEmpty()) {
				java.util.Iterator<String> children = next.peek();
				if (children.hasNext()) {
					String child = children.next();
					if (onPath.contains(child)) {
						List<String> cycle = new ArrayList<>();
						List<String> stack = new ArrayList<>(path);
						java.util.Collections.reverse(stack);
						cycle.addAll(stack.subList(stack.indexOf(child), stack.size()));
						cycle.add(child);
						return cycle;
					}
					if (!state.containsKey(child)) {
						state.put(child, 1);
						path.push(child);
						onPath.add(child);
						next.push(dependencies.getOrDefault(child, List.of()).iterator());
					}
				}
				else {
					onPath.remove(path.pop());
					next.pop();
				}
			}
		}
		return null;
	}

	private static void only(JsonNode node, String where, Set<String> known) {
		for (String field : node.propertyNames()) {
			if (!known.contains(field)) {
				throw new ValidationException(where + "." + field, "unknown field '" + field + "'; known: "
						+ String.join(", ", known.stream().sorted().toList()));
			}
		}
	}

}
