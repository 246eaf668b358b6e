package org.sciport.workflow.runs;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What a run that belongs to a project (rather than to a workflow resource) needs from the
 * project's side: readied on the replica that carries it out, and its end recorded with the
 * run's own, in one transaction.
 */
public interface ProjectRuns {

	/**
	 * Readies a claimed run before its task starts; blocking, on the run's own thread.
	 *
	 * @param run the run
	 * @param project its project
	 * @param workDirectory the run's own work directory (made already)
	 * @return where its task runs, and what was there before
	 */
	Prepared prepare(UUID run, int project, Path workDirectory);

	/**
	 * A readied run.
	 *
	 * @param directory where its task runs
	 * @param outputs the folder its outputs are named from
	 * @param mounts the folders outside its work directory its task uses (a Job mounts them)
	 * @param written after a successful run, the files it wrote (the ones to store as outputs),
	 * telling what it left aside
	 */
	record Prepared(Path directory, Path outputs, List<Path> mounts,
			java.util.function.Function<java.util.function.Consumer<String>, List<Path>> written) {
	}

	/**
	 * The run ended (or was given up); called inside the transaction that records it.
	 *
	 * @param run the run
	 * @param project its project
	 * @param status {@code succeeded}, {@code failed} or {@code cancelled}
	 * @param error why it failed, as the run saw it
	 * @return the error to record, which may say more than the run saw (empty text: none)
	 */
	Mono<String> ended(UUID run, int project, String status, @Nullable String error);

}
