/**
 * Request-reading helpers shared by dataset-service's APIs.
 */
@NullMarked
package org.sciport.dataset.web;

import org.jspecify.annotations.NullMarked;
