/**
 * The Actuator endpoint {@code connectionlifecycle}: what the connection lifecycle manages,
 * what it found at start-up and what it has retired.
 */
@NullMarked
package io.github.connectionlifecycle.actuate;

import org.jspecify.annotations.NullMarked;
