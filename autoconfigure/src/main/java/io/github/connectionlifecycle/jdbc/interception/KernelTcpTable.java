package io.github.connectionlifecycle.jdbc.interception;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

import org.jspecify.annotations.Nullable;

/**
 * The operating system's view of this process's TCP connections, read without a byte sent
 * to the database: on Linux the tables under {@code /proc/self/net} (this network namespace).
 * After a server-side close (KILL, restart, wait_timeout, failover) the client socket leaves
 * the ESTABLISHED state (CLOSE_WAIT after a FIN) or leaves the table (after a reset) long
 * before anyone reads from it. A connection whose packets are silently dropped stays
 * ESTABLISHED: that is out of its sight.
 */
final class KernelTcpTable {

	/** What the kernel says of one socket. */
	enum SocketState {

		/** ESTABLISHED. */
		OPEN,

		/** In another state, or gone from a table that lists this process's sockets. */
		CLOSED,

		/** Not a TCP socket the table can be asked about. */
		UNKNOWN

	}

	private static final int TCP_ESTABLISHED = 0x01;

	static final KernelTcpTable SYSTEM = new KernelTcpTable(
			List.of(Path.of("/proc/self/net/tcp"), Path.of("/proc/self/net/tcp6")));

	private final List<Path> tables;

	KernelTcpTable(List<Path> tables) {
		this.tables = tables;
	}

	/**
	 * Whether the tables can be read here.
	 * @return {@code false} on systems without them
	 */
	boolean isReadable() {
		return this.tables.stream().anyMatch(Files::isReadable);
	}

	/**
	 * Reads the tables once.
	 * @param localPorts the local ports of the sockets that will be asked about; other
	 * entries are skipped unparsed, and asking about them answers UNKNOWN
	 * @return what the tables said, for those ports; UNKNOWN for every socket when a table
	 * could not be read (too many open files, say): absence from it would prove nothing
	 */
	Snapshot read(IntPredicate localPorts) {
		Map<SocketKey, Integer> states = new HashMap<>();
		for (Path table : this.tables) {
			try {
				parse(Files.readAllBytes(table), localPorts, states);
			}
			catch (NoSuchFileException ex) {
				// No such table here (no IPv6): nothing is listed in it.
			}
			catch (IOException | RuntimeException ex) {
				return new Snapshot(Map.of(), (port) -> false);
			}
		}
		return new Snapshot(states, localPorts);
	}

	/**
	 * Reads the tables for one socket.
	 * @param key the socket
	 * @return its state
	 */
	SocketState stateOf(@Nullable SocketKey key) {
		if (key == null) {
			return SocketState.UNKNOWN;
		}
		Snapshot sockets = read((port) -> port == key.localPort());
		if (sockets.stateOf(key) == SocketState.CLOSED && !sockets.lists(key)) {
			// Missing, not closed: confirmed by a second read (see Snapshot.lists).
			sockets = read((port) -> port == key.localPort());
		}
		return sockets.stateOf(key);
	}

	/** Lines such as {@code 0: 0100007F:0CEA 0100007F:D2F0 01 ...}: local, remote, state. */
	private static void parse(byte[] table, IntPredicate localPorts, Map<SocketKey, Integer> states)
			throws UnknownHostException {
		int lineStart = indexAfter(table, 0, (byte) '\n');
		while (lineStart > 0 && lineStart < table.length) {
			int lineEnd = indexAfter(table, lineStart, (byte) '\n');
			int end = (lineEnd > 0) ? lineEnd - 1 : table.length;
			int local = skipSpaces(table, skipToken(table, skipSpaces(table, lineStart, end), end), end);
			int localColon = indexOf(table, local, end, (byte) ':');
			int remote = skipSpaces(table, skipToken(table, local, end), end);
			if (localColon > 0 && remote < end) {
				int localPort = (int) hex(table, localColon + 1, 4);
				if (localPorts.test(localPort)) {
					int remoteColon = indexOf(table, remote, end, (byte) ':');
					int state = skipSpaces(table, skipToken(table, remote, end), end);
					states.put(new SocketKey(address(table, local, localColon), localPort,
							address(table, remote, remoteColon), (int) hex(table, remoteColon + 1, 4)),
							(int) hex(table, state, 2));
				}
			}
			lineStart = lineEnd;
		}
	}

	/** An address as the kernel prints it: 32-bit words in host byte order. */
	private static InetAddress address(byte[] table, int start, int colon) throws UnknownHostException {
		int words = (colon - start) / 8;
		byte[] address = new byte[words * 4];
		boolean littleEndian = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
		for (int word = 0; word < words; word++) {
			int value = (int) hex(table, start + word * 8, 8);
			for (int i = 0; i < 4; i++) {
				int shift = littleEndian ? i * 8 : (3 - i) * 8;
				address[word * 4 + i] = (byte) (value >>> shift);
			}
		}
		// An IPv4-mapped IPv6 address comes back as the IPv4 address Java reports for the socket.
		return InetAddress.getByAddress(address);
	}

	private static long hex(byte[] table, int start, int digits) {
		long value = 0;
		for (int i = start; i < start + digits; i++) {
			value = (value << 4) | Character.digit(table[i], 16);
		}
		return value;
	}

	private static int indexAfter(byte[] table, int from, byte wanted) {
		for (int i = from; i < table.length; i++) {
			if (table[i] == wanted) {
				return i + 1;
			}
		}
		return -1;
	}

	private static int indexOf(byte[] table, int from, int end, byte wanted) {
		for (int i = from; i < end; i++) {
			if (table[i] == wanted) {
				return i;
			}
		}
		return -1;
	}

	private static int skipSpaces(byte[] table, int from, int end) {
		int i = from;
		while (i < end && table[i] == ' ') {
			i++;
		}
		return i;
	}

	private static int skipToken(byte[] table, int from, int end) {
		int i = from;
		while (i < end && table[i] != ' ') {
			i++;
		}
		return i;
	}

	/**
	 * One TCP connection, by its two ends.
	 * @param localAddress the local address
	 * @param localPort the local port
	 * @param remoteAddress the peer's address
	 * @param remotePort the peer's port
	 */
	record SocketKey(InetAddress localAddress, int localPort, InetAddress remoteAddress, int remotePort) {

		/**
		 * The key of a connected TCP socket.
		 * @param socket the socket
		 * @return its key, or {@code null} when it is not a connected TCP socket
		 */
		static @Nullable SocketKey of(@Nullable Socket socket) {
			if (socket == null || !socket.isConnected() || socket.isClosed()) {
				return null;
			}
			InetAddress local = socket.getLocalAddress();
			InetAddress remote = socket.getInetAddress();
			int localPort = socket.getLocalPort();
			int remotePort = socket.getPort();
			if (local == null || remote == null || localPort <= 0 || remotePort <= 0) {
				return null;
			}
			return new SocketKey(local, localPort, remote, remotePort);
		}

	}

	/** The tables as read once, for some local ports. */
	static final class Snapshot {

		private final Map<SocketKey, Integer> states;

		private final IntPredicate readPorts;

		private Snapshot(Map<SocketKey, Integer> states, IntPredicate readPorts) {
			this.states = states;
			this.readPorts = readPorts;
		}

		/**
		 * What the kernel said of a socket. Only ask about sockets known to be in the tables
		 * while open (see {@link KernelTcpTable}): a missing one counts as closed.
		 * @param key the socket, or {@code null}
		 * @return its state; UNKNOWN for a socket whose port was not read
		 */
		SocketState stateOf(@Nullable SocketKey key) {
			if (key == null || !this.readPorts.test(key.localPort())) {
				return SocketState.UNKNOWN;
			}
			Integer state = this.states.get(key);
			return (state != null && state == TCP_ESTABLISHED) ? SocketState.OPEN : SocketState.CLOSED;
		}

		/**
		 * Whether the socket was listed at all: the kernel builds the table in chunks, so a
		 * socket may be missed while others come and go, but never listed in a wrong state.
		 * @param key the socket
		 * @return {@code true} when the table had an entry for it
		 */
		boolean lists(SocketKey key) {
			return this.states.containsKey(key);
		}

	}

}
