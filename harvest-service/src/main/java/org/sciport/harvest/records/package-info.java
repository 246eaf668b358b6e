/**
 * What harvesting recorded, for everyone who may see it: file records (with their versions and
 * ARKs), transfers and runs. Administrators see all; another user sees those of instruments
 * granted to them, and a 404 for the rest.
 */
@NullMarked
package org.sciport.harvest.records;

import org.jspecify.annotations.NullMarked;
