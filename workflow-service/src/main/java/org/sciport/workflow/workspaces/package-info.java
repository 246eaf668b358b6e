/**
 * Workspaces: who may see and change the resources in them.
 */
@NullMarked
package org.sciport.workflow.workspaces;

import org.jspecify.annotations.NullMarked;
