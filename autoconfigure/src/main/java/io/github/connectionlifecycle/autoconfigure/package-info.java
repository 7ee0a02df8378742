/**
 * Auto-configuration of the connection lifecycle and its {@code connection.*} properties.
 */
@NullMarked
package io.github.connectionlifecycle.autoconfigure;

import org.jspecify.annotations.NullMarked;
