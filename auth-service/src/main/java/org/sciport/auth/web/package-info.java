/**
 * auth-service's HTTP surfaces: the native API and the seed surfaces it serves.
 */
@NullMarked
package org.sciport.auth.web;

import org.jspecify.annotations.NullMarked;
