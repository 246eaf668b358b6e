/**
 * workflow-service: workspaces, workflows and their runs, Nextflow projects.
 */
@NullMarked
package org.sciport.workflow;

import org.jspecify.annotations.NullMarked;
