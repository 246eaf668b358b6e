/**
 * Hooks: configured steps a harvest runs before a file is transferred (a filter that keeps it
 * back or redirects it) and after (metadata from its name, access for people), per instrument
 * or for all, lowest priority first.
 */
@NullMarked
package org.sciport.harvest.hooks;

import org.jspecify.annotations.NullMarked;
