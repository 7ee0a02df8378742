package io.github.connectionlifecycle.jdbc.interception;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.connectionlifecycle.jdbc.interception.KernelTcpTable.SocketKey;
import io.github.connectionlifecycle.jdbc.interception.KernelTcpTable.SocketState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kernel's TCP table read as the liveness check reads it: the format from fixed text,
 * and the states of real loopback sockets as their peer closes them.
 */
class KernelTcpTableTests {

	private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

	@Test
	void readsIpv4AndIpv4MappedIpv6EntriesInHostByteOrder(@TempDir Path dir) throws IOException {
		Path tcp = Files.writeString(dir.resolve("tcp"), HEADER
				+ "   0: 0100007F:0CEA 0100007F:D2F0 08 00000000:00000000 00:00000000 00000000  0 0 1 1\n");
		Path tcp6 = Files.writeString(dir.resolve("tcp6"), HEADER
				+ "   0: 0000000000000000FFFF00000100007F:AA2A 0000000000000000FFFF00000100007F:0CEA 01 0 0 0 0 0 0 1\n"
				+ "   1: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C350 06 0 0 0 0 0 0 2");
		KernelTcpTable table = new KernelTcpTable(List.of(tcp, tcp6));
		InetAddress loopback4 = InetAddress.getByName("127.0.0.1");
		InetAddress loopback6 = InetAddress.getByName("::1");
		KernelTcpTable.Snapshot snapshot = table.read((port) -> true);

		assertThat(snapshot.stateOf(new SocketKey(loopback4, 0xAA2A, loopback4, 0x0CEA))).isEqualTo(SocketState.OPEN);
		assertThat(snapshot.stateOf(new SocketKey(loopback4, 0x0CEA, loopback4, 0xD2F0))).isEqualTo(SocketState.CLOSED);
		assertThat(snapshot.stateOf(new SocketKey(loopback6, 0x1F90, loopback6, 0xC350))).isEqualTo(SocketState.CLOSED);
		assertThat(snapshot.stateOf(new SocketKey(loopback4, 1234, loopback4, 0x0CEA))).as("not listed")
			.isEqualTo(SocketState.CLOSED);
		assertThat(snapshot.stateOf(null)).isEqualTo(SocketState.UNKNOWN);
		assertThat(table.read((port) -> port == 0x0CEA).stateOf(new SocketKey(loopback4, 0xAA2A, loopback4, 0x0CEA)))
			.as("entries of other local ports are skipped").isEqualTo(SocketState.UNKNOWN);
	}

	@Test
	@EnabledOnOs(OS.LINUX)
	void aSocketIsOpenUntilItsPeerClosesIt() throws IOException {
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				Socket client = new Socket()) {
			client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
			SocketKey key = SocketKey.of(client);
			try (Socket accepted = server.accept()) {
				assertThat(KernelTcpTable.SYSTEM.stateOf(key)).isEqualTo(SocketState.OPEN);
			}
			// FIN from the peer: CLOSE_WAIT, as after a KILL; nothing was read from the socket.
			await().atMost(Duration.ofSeconds(10)).until(() -> KernelTcpTable.SYSTEM.stateOf(key) == SocketState.CLOSED);
			assertThat(client.isClosed()).isFalse();
		}
	}

	@Test
	@EnabledOnOs(OS.LINUX)
	void aSocketResetByItsPeerIsClosed() throws IOException {
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				Socket client = new Socket()) {
			client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
			SocketKey key = SocketKey.of(client);
			Socket accepted = server.accept();
			accepted.setSoLinger(true, 0);
			accepted.close();
			await().atMost(Duration.ofSeconds(10)).until(() -> KernelTcpTable.SYSTEM.stateOf(key) == SocketState.CLOSED);
		}
	}

	@Test
	void anUnconnectedSocketHasNoKey() throws IOException {
		try (Socket socket = new Socket()) {
			assertThat(SocketKey.of(socket)).isNull();
			assertThat(KernelTcpTable.SYSTEM.stateOf(SocketKey.of(socket))).isEqualTo(SocketState.UNKNOWN);
		}
	}

}
