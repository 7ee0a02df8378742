/**
 * The JMS entry point: one unit of work per message, by advising the listener of each
 * listener container.
 */
@NullMarked
package io.github.connectionlifecycle.jms;

import org.jspecify.annotations.NullMarked;
