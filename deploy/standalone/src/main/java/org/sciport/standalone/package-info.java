/**
 * The standalone suite: one JVM running an embedded PostgreSQL, an in-process Kafka broker,
 * the five services and the gateway.
 */
@NullMarked
package org.sciport.standalone;

import org.jspecify.annotations.NullMarked;
