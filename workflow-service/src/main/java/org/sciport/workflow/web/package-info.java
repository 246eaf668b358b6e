/**
 * What workflow-service's API surfaces share: the seed's list shape.
 */
@NullMarked
package org.sciport.workflow.web;

import org.jspecify.annotations.NullMarked;
