package org.sciport.commons.metrics;

/**
 * Work that waits in a service's database, published as a gauge: {@code sciport.queue.depth}
 * tagged with {@code queue}, or a name of its own (the outbox's).
 *
 * @param metric the gauge's name
 * @param queue the {@code queue} tag
 * @param description what is counted, for the metric's help text
 * @param countSql a query answering one row with one number, column {@code n}
 */
public record Backlog(String metric, String queue, String description, String countSql) {

	/** The gauge of a queue: {@code sciport.queue.depth{queue=...}}. */
	public static Backlog queue(String queue, String description, String countSql) {
		return new Backlog("sciport.queue.depth", queue, description, countSql);
	}

	/** Events written but not yet sent to Kafka. */
	public static Backlog outbox() {
		return new Backlog("sciport.outbox.backlog", "outbox", "Events written to the outbox and not yet sent to Kafka",
				"SELECT count(*) AS n FROM outbox_event WHERE sent_at IS NULL");
	}

}
