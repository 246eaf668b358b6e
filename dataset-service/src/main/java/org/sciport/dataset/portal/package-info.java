/**
 * The data portal's surface ({@code /portal/api/*}): a thin adapter that translates the
 * portal's parameters and envelope to the catalogue's services.
 */
@NullMarked
package org.sciport.dataset.portal;

import org.jspecify.annotations.NullMarked;
