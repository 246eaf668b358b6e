package org.sciport.workflow.runs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.sciport.commons.lifecycle.Poller;
import org.sciport.workflow.WorkflowProperties;
import org.sciport.workflow.web.Json;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fires scheduled workflows. A due workflow's row is locked ({@code FOR UPDATE SKIP LOCKED}),
 * its tick acted on and its next tick written in one transaction, so a tick fires exactly once
 * however many replicas look. Its {@code concurrencyPolicy} decides what a tick does while a run
 * of the workflow is pending or running: {@code Allow} starts another, {@code Forbid} records a
 * skipped run saying why, {@code Replace} cancels the running one and starts the new one. A tick
 * missed while no replica ran is run once if it is at most
 * {@code sciport.workflow.runs.missed-deadline} old, and recorded as a skipped run otherwise;
 * ticks missed before the latest are not run again.
 */
@Component
public class CronTicker extends Poller {

	private static final Log logger = LogFactory.getLog(CronTicker.class);

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final Runs runs;

	private final WorkflowProperties.Runs properties;

	private final JsonMapper json;

	CronTicker(DatabaseClient database, TransactionalOperator transactions, Runs runs, WorkflowProperties properties,
			JsonMapper json) {
		this.database = database;
		this.transactions = transactions;
		this.runs = runs;
		this.properties = properties.runs();
		this.json = json;
	}

	@Override
	protected Flux<?> ticks() {
		return Flux.interval(Duration.ZERO, this.properties.poll());
	}

	@Override
	protected Mono<Void> round() {
		return fireDue();
	}

	@Override
	protected Log logger() {
		return logger;
	}

	@Override
	protected String failure() {
		return "Scheduled workflows could not be fired";
	}

	/**
	 * A workflow whose tick is due.
	 *
	 * @param id the workflow
	 * @param revision its revision
	 * @param tick the tick that is due
	 * @param spec its spec
	 */
	private record Due(UUID id, int revision, Instant tick, JsonNode spec) {
	}

	/** Fires every workflow whose tick is due; each tick once, whoever else looks at the same time. */
	public Mono<Void> fireDue() {
		return this.transactions.transactional(this.database
			.sql("SELECT id, revision, next_run_at, spec FROM resource WHERE type = 'workflow' AND deleted_at IS NULL "
					+ "AND next_run_at <= now() ORDER BY next_run_at LIMIT 20 FOR UPDATE SKIP LOCKED")
			.map((row) -> new Due(row.get("id", UUID.class), row.get("revision", Integer.class),
					row.get("next_run_at", Instant.class), this.json.readTree(Json.text(row, "spec"))))
			.all()
			.concatMap(this::fire)
			.then());
	}

	private Mono<Void> fire(Due due) {
		JsonNode workflow = due.spec().path("workflow");
		Instant now = Instant.now();
		Instant next = Runs.nextTick(workflow.path("schedule"), now);
		Mono<Void> rescheduled = this.database.sql("UPDATE resource SET next_run_at = :next WHERE id = :id")
			.bindValues(Map.of("next", (next != null) ? next : Parameter.empty(Instant.class)))
			.bind("id", due.id())
			.then();
		if (due.tick().isBefore(now.minus(this.properties.missedDeadline()))) {
			return skipped(due, "missed", "the tick at " + due.tick() + " was missed while no workflow-service ran, and is "
					+ "older than sciport.workflow.runs.missed-deadline").then(rescheduled);
		}
		String policy = workflow.path("schedule").path("concurrencyPolicy").asString("Allow");
		String trigger = due.tick().isBefore(now.minus(this.properties.poll().multipliedBy(10))) ? "missed" : "schedule";
		Mono<Void> start = this.runs.queue(due.id(), due.revision(), workflow.path("dag"), trigger, null, false).then();
		Mono<Void> acted = active(due.id()).flatMap((active) -> {
			if (active.isEmpty() || "Allow".equals(policy)) {
				return start;
			}
			if ("Forbid".equals(policy)) {
				return skipped(due, trigger, "run " + active.get(0) + " was still going (concurrencyPolicy: Forbid)");
			}
			return Flux.fromIterable(active).concatMap(this.runs::requestCancel).then(start);
		});
		return acted.then(rescheduled);
	}

	private Mono<List<UUID>> active(UUID workflow) {
		return this.database
			.sql("SELECT id FROM workflow_run WHERE resource_id = :id AND status IN ('pending', 'running') ORDER BY created_at")
			.bind("id", workflow)
			.map((row) -> row.get("id", UUID.class))
			.all()
			.collectList();
	}

	private Mono<Void> skipped(Due due, String trigger, String reason) {
		return this.database
			.sql("INSERT INTO workflow_run (id, resource_id, revision, trigger, status, error_message, created_at, finished_at) "
					+ "VALUES (:id, :resource, :revision, :trigger, 'skipped', :reason, now(), now())")
			.bind("id", UUID.randomUUID())
			.bind("resource", due.id())
			.bind("revision", due.revision())
			.bind("trigger", trigger)
			.bind("reason", reason)
			.then();
	}

}
