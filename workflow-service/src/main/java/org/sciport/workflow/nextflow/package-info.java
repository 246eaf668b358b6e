/**
 * Nextflow projects (seed 004): each user's projects, their file areas (everything confined to
 * the project's directory), and the pipelines they may run.
 */
@NullMarked
package org.sciport.workflow.nextflow;

import org.jspecify.annotations.NullMarked;
