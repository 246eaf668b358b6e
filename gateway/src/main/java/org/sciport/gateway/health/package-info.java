/**
 * The suite's health as one answer: every service and its dependencies.
 */
@NullMarked
package org.sciport.gateway.health;

import org.jspecify.annotations.NullMarked;
