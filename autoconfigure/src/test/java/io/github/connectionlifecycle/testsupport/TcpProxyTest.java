package io.github.connectionlifecycle.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The proxy against a loopback echo server: it forwards, black-holes without a reset, keeps
 * black-holed connections dead after forwarding resumes, and stops every thread it started.
 */
class TcpProxyTest {

	/** How long a client waits for an echo that a black hole swallows. */
	private static final int SILENCE_MILLIS = 300;

	private EchoServer echo;

	private TcpProxy proxy;

	@BeforeEach
	void start() throws IOException {
		this.echo = new EchoServer();
		this.proxy = TcpProxy.toLocalPort(this.echo.port());
	}

	@AfterEach
	void stop() throws IOException {
		this.proxy.close();
		this.echo.close();
	}

	@Test
	void forwardsBothWays() throws IOException {
		try (Socket client = connect()) {
			assertThat(roundTrip(client, 'a')).isEqualTo('a');
		}
	}

	@Test
	void blackHoledConnectionsStayDeadAndNewOnesWork() throws IOException {
		try (Socket before = connect()) {
			assertThat(roundTrip(before, 'a')).isEqualTo('a');
			this.proxy.blackHole();
			assertSilent(before);
			try (Socket during = connect()) {
				// Accepted by the proxy while the black hole lasts, not just by the kernel.
				await().atMost(Duration.ofSeconds(10)).until(() -> this.proxy.openConnections() == 2);
				assertSilent(during);
				this.proxy.forward();
				assertSilent(before);
				assertSilent(during);
			}
			try (Socket after = connect()) {
				assertThat(roundTrip(after, 'b')).isEqualTo('b');
			}
		}
	}

	@Test
	void aServerCloseDoesNotReachABlackHoledClient() throws IOException {
		try (Socket client = connect()) {
			assertThat(roundTrip(client, 'a')).isEqualTo('a');
			this.proxy.blackHole();
			this.echo.closeConnections();
			// No end of stream and no reset: only the client's own timeout tells.
			assertSilent(client);
		}
	}

	@Test
	void closeStopsEveryThread() throws IOException {
		try (Socket forwarding = connect(); Socket blackHoled = connect()) {
			roundTrip(forwarding, 'a');
			this.proxy.blackHole();
			assertSilent(blackHoled);
			// close() fails when a thread it started does not stop.
			this.proxy.close();
			assertThat(this.proxy.openConnections()).isZero();
		}
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.proxy.port());
		socket.setSoTimeout(SILENCE_MILLIS);
		return socket;
	}

	private static char roundTrip(Socket socket, char sent) throws IOException {
		socket.getOutputStream().write(sent);
		socket.getOutputStream().flush();
		socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
		try {
			return (char) socket.getInputStream().read();
		}
		finally {
			socket.setSoTimeout(SILENCE_MILLIS);
		}
	}

	private static void assertSilent(Socket socket) throws IOException {
		socket.getOutputStream().write('x');
		socket.getOutputStream().flush();
		InputStream in = socket.getInputStream();
		assertThatExceptionOfType(SocketTimeoutException.class).as("nothing comes back, not even a close")
			.isThrownBy(in::read);
	}

	/** Echoes every byte on every connection, one thread per connection. */
	private static final class EchoServer implements AutoCloseable {

		private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

		private final List<Socket> connections = new CopyOnWriteArrayList<>();

		private final List<Thread> threads = new CopyOnWriteArrayList<>();

		EchoServer() throws IOException {
			start(this::accept);
		}

		int port() {
			return this.listener.getLocalPort();
		}

		private void accept() {
			try {
				while (true) {
					Socket connection = this.listener.accept();
					this.connections.add(connection);
					start(() -> echo(connection));
				}
			}
			catch (IOException ex) {
				// closed
			}
		}

		private static void echo(Socket connection) {
			try (connection) {
				int read;
				while ((read = connection.getInputStream().read()) >= 0) {
					connection.getOutputStream().write(read);
					connection.getOutputStream().flush();
				}
			}
			catch (IOException ex) {
				// closed
			}
		}

		private void start(Runnable task) {
			Thread thread = new Thread(task, "echo-server");
			thread.setDaemon(true);
			this.threads.add(thread);
			thread.start();
		}

		void closeConnections() throws IOException {
			for (Socket connection : this.connections) {
				connection.close();
			}
		}

		@Override
		public void close() throws IOException {
			this.listener.close();
			closeConnections();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.threads.stream().noneMatch(Thread::isAlive));
		}

	}

}
