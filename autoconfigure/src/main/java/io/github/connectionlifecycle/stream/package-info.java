/**
 * The Spring Cloud Stream entry point: the Kafka binder's listener containers, created in
 * code, get the Kafka entry point's record and batch units through the binder's listener
 * container customizer.
 */
@NullMarked
package io.github.connectionlifecycle.stream;

import org.jspecify.annotations.NullMarked;
