/**
 * Creates the bootstrap administrator on first start.
 */
@NullMarked
package org.sciport.auth.bootstrap;

import org.jspecify.annotations.NullMarked;
