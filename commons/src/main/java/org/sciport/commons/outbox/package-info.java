/**
 * The transactional outbox: events written in the same transaction as the state change, relayed to Kafka in order.
 */
@NullMarked
package org.sciport.commons.outbox;

import org.jspecify.annotations.NullMarked;
