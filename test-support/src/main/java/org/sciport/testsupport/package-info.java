/**
 * Real infrastructure for tests: one PostgreSQL server and one Kafka broker per test JVM,
 * started lazily, shared by every test class, each test class on its own database.
 */
@NullMarked
package org.sciport.testsupport;

import org.jspecify.annotations.NullMarked;
