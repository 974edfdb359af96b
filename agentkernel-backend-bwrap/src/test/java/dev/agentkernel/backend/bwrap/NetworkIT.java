package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.backend.bwrap.Sandboxes.Result;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Networking: a sandbox with network has its own interface (slirp4netns, 10.0.2.100) but
 * cannot reach the host's loopback; without network only {@code lo} exists. Nothing here
 * sends traffic off this machine.
 */
class NetworkIT extends SandboxTestBase {

    private static final String CONNECT = """
            import socket, sys
            port = int(sys.argv[1])
            for host in ("127.0.0.1", "10.0.2.2"):
                s = socket.socket()
                s.settimeout(2)
                try:
                    s.connect((host, port))
                    print(host, "CONNECTED")
                except OSError as e:
                    print(host, "FAILED", e.errno)
                finally:
                    s.close()
            """;

    @Test
    void hostLoopbackServiceIsUnreachableFromASandboxWithNetwork() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        Thread acceptor;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            acceptor = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        accepted.incrementAndGet();
                        s.close();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            // control: the service is there and reachable from the host
            Socket control = new Socket("127.0.0.1", server.getLocalPort());
            assertThat(control.isConnected()).isTrue();
            control.close();
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (accepted.get() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(accepted).as("host-side control connection").hasValue(1);

            SandboxSpec spec = sandboxes.spec(Profile.MODERATE);
            assertThat(spec.network()).isEqualTo(NetworkMode.OUTBOUND);
            Result r = sandboxes.run(spec, "python3", "-c", CONNECT, Integer.toString(server.getLocalPort()));
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.out()).as(r.describe())
                    .contains("127.0.0.1 FAILED")
                    .contains("10.0.2.2 FAILED")
                    .doesNotContain("CONNECTED");
            Thread.sleep(100);
            assertThat(accepted).as("connections the host service accepted").hasValue(1);
        }
        acceptor.join(2000);
    }

    @Test
    void sandboxWithNetworkHasItsOwnInterface() {
        SandboxSpec spec = sandboxes.spec(Profile.MODERATE);
        Result r = sandboxes.run(spec, "sh", "-c", "cat /proc/net/dev; echo ---; cat /proc/net/fib_trie");
        assertThat(interfaces(r)).as(r.describe()).contains("lo").hasSize(2);
        assertThat(r.out()).as(r.describe()).contains("10.0.2.100");
    }

    @Test
    void noNetworkMeansOnlyLoopback() {
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.MODERATE).withNetwork(false));
        assertThat(spec.network()).isEqualTo(NetworkMode.NONE);
        Result r = sandboxes.run(spec, "sh", "-c", "cat /proc/net/dev; echo ---; cat /proc/net/fib_trie");
        assertThat(interfaces(r)).as(r.describe()).containsExactly("lo");
        assertThat(r.out()).doesNotContain("10.0.2.");
    }

    @Test
    void restrictiveHasNoNetworkEvenWhenAskedFor() {
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.RESTRICTIVE).withNetwork(true));
        assertThat(spec.network()).isEqualTo(NetworkMode.NONE);
        Result r = sandboxes.run(spec, "sh", "-c", "cat /proc/net/dev; echo ---; cat /proc/net/fib_trie");
        assertThat(interfaces(r)).as(r.describe()).containsExactly("lo");
        assertThat(r.out()).doesNotContain("10.0.2.");
    }

    @Test
    void noNetworkSandboxCannotReachTheHostEither() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "python3", "-c", CONNECT,
                    Integer.toString(server.getLocalPort()));
            assertThat(r.out()).as(r.describe())
                    .contains("127.0.0.1 FAILED").contains("10.0.2.2 FAILED").doesNotContain("CONNECTED");
        }
    }

    /** Interface names from /proc/net/dev (the part of the output before "---"). */
    private static List<String> interfaces(Result r) {
        String dev = r.out().substring(0, Math.max(0, r.out().indexOf("---")));
        return dev.lines().filter(l -> l.contains(":") && !l.contains("|"))
                .map(l -> l.substring(0, l.indexOf(':')).strip()).toList();
    }
}
