/**
 * dataset-service: datasets, folders, teams, shares, projects, data records, usage and webhooks.
 */
@NullMarked
package org.sciport.dataset;

import org.jspecify.annotations.NullMarked;
