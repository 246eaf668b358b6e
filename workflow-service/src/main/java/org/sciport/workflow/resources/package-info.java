/**
 * Resources: manifests applied to a workspace (workflows and the other registered types), checked
 * whole on apply, each apply kept as a revision.
 */
@NullMarked
package org.sciport.workflow.resources;

import org.jspecify.annotations.NullMarked;
