/**
 * Runs of workflows: queued on apply or by hand, carried out task by task along the DAG, with
 * their tasks' states and their logs kept.
 */
@NullMarked
package org.sciport.workflow.runs;

import org.jspecify.annotations.NullMarked;
