package io.github.connectionlifecycle.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on the loopback interface between a client (the connection pool) and a
 * server (MariaDB), that can black-hole traffic the way a NAT gateway or firewall does when
 * it forgets an idle connection: nothing is forwarded in either direction, no reset is
 * sent, and both sockets stay open, so the client only learns about it from a timeout.
 * <p>
 * A connection that was open before or accepted during a black hole stays black-holed for
 * good, as a forgotten NAT mapping does: what either side sends is read and discarded, and
 * a close by the server is not passed on. Connections accepted after {@link #forward()}
 * work normally.
 * <p>
 * Bounded: at most {@link #MAX_CONNECTIONS} connections at once (more are refused by
 * closing them), two pump threads each. {@link #close()} closes every socket and waits for
 * every thread.
 */
public final class TcpProxy implements AutoCloseable {

	/** More connections than any test pool opens; beyond it the proxy refuses. */
	public static final int MAX_CONNECTIONS = 64;

	private static final Duration THREAD_STOP_TIMEOUT = Duration.ofSeconds(10);

	private static final AtomicInteger proxyCounter = new AtomicInteger();

	private final InetSocketAddress target;

	private final ServerSocket listener;

	private final Thread acceptor;

	private final Set<Link> links = ConcurrentHashMap.newKeySet();

	private final List<Thread> pumps = new ArrayList<>();

	private final String name = "tcp-proxy-" + proxyCounter.incrementAndGet();

	private final AtomicInteger linkCounter = new AtomicInteger();

	private volatile boolean blackHoled;

	private volatile boolean closed;

	private TcpProxy(InetSocketAddress target) throws IOException {
		this.target = target;
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.acceptor = new Thread(this::acceptLoop, this.name + "-accept");
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	/**
	 * Starts a proxy on a free loopback port that forwards to a server on this machine.
	 * @param targetPort the server's port on 127.0.0.1
	 * @return the running proxy; close it when done
	 */
	public static TcpProxy toLocalPort(int targetPort) {
		try {
			return new TcpProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start the TCP proxy", ex);
		}
	}

	/** @return the port clients connect to */
	public int port() {
		return this.listener.getLocalPort();
	}

	/**
	 * Stops forwarding: every open connection, and every one accepted until
	 * {@link #forward()}, is black-holed for good.
	 */
	public void blackHole() {
		this.blackHoled = true;
		this.links.forEach(Link::blackHole);
	}

	/** Forwards connections accepted from now on; black-holed ones stay dead. */
	public void forward() {
		this.blackHoled = false;
	}

	/** @return how many client connections are open through the proxy */
	public int openConnections() {
		return this.links.size();
	}

	private void acceptLoop() {
		while (!this.closed) {
			Socket client;
			try {
				client = this.listener.accept();
			}
			catch (IOException ex) {
				return; // closed
			}
			if (this.links.size() >= MAX_CONNECTIONS) {
				closeQuietly(client);
				continue;
			}
			Link link = new Link(client);
			if (this.blackHoled) {
				link.blackHole();
			}
			else if (!link.connectUpstream()) {
				continue;
			}
			this.links.add(link);
			if (this.blackHoled) {
				// blackHole() may have run between the check above and the add.
				link.blackHole();
			}
			startPump(link, "up", () -> link.pump(link.client, link.server));
			startPump(link, "down", () -> link.pump(link.server, link.client));
		}
	}

	private void startPump(Link link, String direction, Runnable pump) {
		Thread thread = new Thread(pump, this.name + "-" + link.id + "-" + direction);
		thread.setDaemon(true);
		synchronized (this.pumps) {
			if (this.closed) {
				link.close();
				return;
			}
			this.pumps.removeIf((finished) -> !finished.isAlive());
			this.pumps.add(thread);
		}
		thread.start();
	}

	/**
	 * Closes the listener and every connection, and waits for every thread it started.
	 */
	@Override
	public void close() {
		this.closed = true;
		closeQuietly(this.listener);
		this.links.forEach(Link::close);
		join(this.acceptor);
		List<Thread> started;
		synchronized (this.pumps) {
			started = List.copyOf(this.pumps);
		}
		started.forEach(TcpProxy::join);
	}

	private static void join(Thread thread) {
		try {
			thread.join(THREAD_STOP_TIMEOUT.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (thread.isAlive()) {
			throw new IllegalStateException("TCP proxy thread " + thread.getName() + " did not stop");
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// closing anyway
		}
	}

	/** One client connection and, unless it was black-holed from the start, its upstream. */
	private final class Link {

		private final int id = TcpProxy.this.linkCounter.incrementAndGet();

		private final Socket client;

		private final Socket server = new Socket();

		private volatile boolean swallowing;

		Link(Socket client) {
			this.client = client;
		}

		boolean connectUpstream() {
			try {
				this.server.connect(TcpProxy.this.target, (int) TimeUnit.SECONDS.toMillis(5));
				return true;
			}
			catch (IOException ex) {
				// The server is down: the client sees a closed connection, as it would directly.
				close();
				return false;
			}
		}

		void blackHole() {
			this.swallowing = true;
		}

		/**
		 * Copies one direction until end of stream; while black-holed, reads and discards
		 * instead, and keeps the client side open when the server closes.
		 */
		void pump(Socket from, Socket to) {
			byte[] buffer = new byte[8192];
			try {
				if (!from.isConnected()) {
					// Black-holed before an upstream existed: only the client side reads.
					return;
				}
				InputStream in = from.getInputStream();
				OutputStream out = to.isConnected() ? to.getOutputStream() : OutputStream.nullOutputStream();
				int read;
				while ((read = in.read(buffer)) >= 0) {
					if (!this.swallowing) {
						out.write(buffer, 0, read);
						out.flush();
					}
				}
			}
			catch (SocketException ex) {
				// one side closed under us
			}
			catch (IOException ex) {
				// treated as end of stream
			}
			finally {
				if (!this.swallowing || from == this.client) {
					// A forwarding link ends when either side ends; a black-holed one only
					// when the client goes away: the server's close never reaches it.
					close();
				}
			}
		}

		void close() {
			closeQuietly(this.client);
			closeQuietly(this.server);
			TcpProxy.this.links.remove(this);
		}

	}

}
