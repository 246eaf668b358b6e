/**
 * Data records ({@code /v1/data/{id}}): files uploaded into projects, as upload-service
 * reports them.
 */
@NullMarked
package org.sciport.dataset.data;

import org.jspecify.annotations.NullMarked;
