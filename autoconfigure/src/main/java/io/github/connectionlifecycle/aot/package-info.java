/**
 * Ahead-of-time support: the runtime hints a GraalVM native image needs for the starter's
 * reflection.
 */
@NullMarked
package io.github.connectionlifecycle.aot;

import org.jspecify.annotations.NullMarked;
