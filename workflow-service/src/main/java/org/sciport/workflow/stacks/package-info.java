/**
 * The stacks tasks run on: the configured registry ({@link org.sciport.workflow.stacks.Stacks})
 * and the Kubernetes executor ({@link org.sciport.workflow.stacks.KubernetesJobs}); the shell
 * executor is the run executor's own.
 */
@NullMarked
package org.sciport.workflow.stacks;

import org.jspecify.annotations.NullMarked;
