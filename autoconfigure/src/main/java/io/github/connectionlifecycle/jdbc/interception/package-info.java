/**
 * The interception layer: DataSource beans are proxied so that every borrow goes through
 * the lifecycle, connections are tracked with direct delegation, and the
 * {@link io.github.connectionlifecycle.jdbc.interception.ConnectionLifecycleCleanup}
 * retires them at unit-of-work boundaries and in the background.
 */
@NullMarked
package io.github.connectionlifecycle.jdbc.interception;

import org.jspecify.annotations.NullMarked;
