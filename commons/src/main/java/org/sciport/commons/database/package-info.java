/**
 * One database setting per service, expanded into the R2DBC and Flyway (JDBC) settings Spring Boot expects.
 */
@NullMarked
package org.sciport.commons.database;

import org.jspecify.annotations.NullMarked;
