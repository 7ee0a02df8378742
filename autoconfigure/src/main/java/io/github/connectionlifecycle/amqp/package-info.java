/**
 * The Spring AMQP (RabbitMQ) entry point: one unit of work per delivery attempt of a message
 * or a batch, through the advice chain of each listener container.
 */
@NullMarked
package io.github.connectionlifecycle.amqp;

import org.jspecify.annotations.NullMarked;
