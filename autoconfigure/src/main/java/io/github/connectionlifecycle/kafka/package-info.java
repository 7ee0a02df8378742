/**
 * The Kafka entry point: one unit of work per record or batch delivery, composed with the
 * interceptors already on each listener container factory.
 */
@NullMarked
package io.github.connectionlifecycle.kafka;

import org.jspecify.annotations.NullMarked;
