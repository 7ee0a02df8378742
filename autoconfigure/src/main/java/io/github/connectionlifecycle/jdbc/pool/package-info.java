/**
 * The pool adapter SPI and its built-in adapters: how a connection is retired, a pool
 * flushed and its settings checked through each pool's own API. Add a
 * {@link io.github.connectionlifecycle.jdbc.pool.PoolAdapterFactory} bean for a pool the
 * built-in adapters do not know.
 */
@NullMarked
package io.github.connectionlifecycle.jdbc.pool;

import org.jspecify.annotations.NullMarked;
