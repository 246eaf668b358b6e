/**
 * Starting the processes of shell tasks from a small fork server of their own, away from the
 * service's open files and environment.
 */
@NullMarked
package org.sciport.workflow.launcher;

import org.jspecify.annotations.NullMarked;
