/**
 * What every harvest-service endpoint shares: the two surfaces (native {@code /v1/*} and the
 * harvester's {@code /api/*}) with their list and error shapes, strict JSON bodies, and the
 * administrator check.
 */
@NullMarked
package org.sciport.harvest.web;

import org.jspecify.annotations.NullMarked;
