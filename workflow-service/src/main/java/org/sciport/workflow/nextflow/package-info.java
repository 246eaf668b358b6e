/**
 * Nextflow projects (seed 004): each user's projects, their file areas (everything confined to
 * the project's directory), the pipelines they may run, their runs through the workflow
 * executor, and the weblog only a run's own Nextflow can post to.
 */
@NullMarked
package org.sciport.workflow.nextflow;

import org.jspecify.annotations.NullMarked;
