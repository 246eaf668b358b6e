/**
 * Real PostgreSQL and Apache Kafka servers started from Maven artifacts, with their data in a
 * directory of the caller's choosing: used by the standalone suite and by tests.
 */
@NullMarked
package org.sciport.embedded;

import org.jspecify.annotations.NullMarked;
