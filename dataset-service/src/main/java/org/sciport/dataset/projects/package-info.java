/**
 * Projects ({@code /v1/projects}): named containers with settings, owned by one user.
 */
@NullMarked
package org.sciport.dataset.projects;

import org.jspecify.annotations.NullMarked;
