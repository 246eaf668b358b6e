/**
 * Health indicators for dependencies Spring Boot does not check on its own (Kafka).
 */
@NullMarked
package org.sciport.commons.health;

import org.jspecify.annotations.NullMarked;
