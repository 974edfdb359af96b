package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.backend.bwrap.Sandboxes.Result;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Networking, for both mechanisms (forced through {@code AGENTKERNEL_NETWORK}): a sandbox
 * with network has its own interface (slirp4netns: 10.0.2.100; bridge: an address in
 * 100.64.0.0/10) but cannot reach the host's loopback or its gateway; through the bridge
 * it cannot reach any of the host's own addresses nor another sandbox either, and its veth
 * pair goes away with it. Without network only {@code lo} exists. Nothing here sends traffic
 * off this machine.
 */
class NetworkIT extends SandboxTestBase {

    private static final String CONNECT = """
            import socket, sys
            port = int(sys.argv[1])
            for host in sys.argv[2:]:
                family = socket.AF_INET6 if ":" in host else socket.AF_INET
                s = socket.socket(family)
                s.settimeout(2)
                try:
                    s.connect((host, port))
                    print(host, "CONNECTED")
                except OSError as e:
                    print(host, "FAILED", e.errno)
                finally:
                    s.close()
            """;
    private static final String SERVE = """
            import socket, time
            s = socket.socket()
            s.bind(("0.0.0.0", 0))
            s.listen(5)
            s.settimeout(0.1)
            me = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            me.connect(("100.64.0.1", 9))
            print("LISTENING", me.getsockname()[0], s.getsockname()[1], flush=True)
            end = time.time() + 20
            while time.time() < end:
                try:
                    c, peer = s.accept()
                    print("ACCEPTED", peer, flush=True)
                    c.close()
                except socket.timeout:
                    pass
            """;
    private static final Pattern LISTENING = Pattern.compile("LISTENING (\\S+) (\\d+)");
    private static final Pattern BRIDGE_ADDRESS = Pattern.compile("100\\.(6[4-9]|[7-9]\\d|1[01]\\d|12[0-7])\\.\\d+\\.\\d+");

    static Sandboxes slirp;
    static Sandboxes bridge;

    @BeforeAll
    static void openBothMechanisms() throws IOException {
        slirp = Sandboxes.open(dir.resolve("slirp"), Map.of(NetworkChoice.ENV, "slirp4netns"));
        bridge = Sandboxes.open(dir.resolve("bridge"), Map.of(NetworkChoice.ENV, "bridge"));
    }

    @AfterEach
    void nothingLeftBehindByEither() {
        slirp.assertNothingLeftBehind();
        bridge.assertNothingLeftBehind();
    }

    @AfterAll
    static void closeBoth() {
        if (slirp != null) {
            slirp.close();
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    private static Sandboxes using(String mechanism) {
        return mechanism.equals("bridge") ? bridge : slirp;
    }

    private static String gateway(String mechanism) {
        return mechanism.equals("bridge") ? BridgeNetwork.GATEWAY : "10.0.2.2";
    }

    @ParameterizedTest
    @ValueSource(strings = {"slirp4netns", "bridge"})
    void hostLoopbackServiceIsUnreachableFromASandboxWithNetwork(String mechanism) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            AtomicInteger accepted = TestHosts.acceptInBackground(server, new AtomicInteger());
            // control: the service is there and reachable from the host
            new Socket("127.0.0.1", server.getLocalPort()).close();
            awaitCount(accepted, 1);

            Sandboxes sandboxes = using(mechanism);
            SandboxSpec spec = sandboxes.spec(Profile.MODERATE);
            assertThat(spec.network()).isEqualTo(NetworkMode.OUTBOUND);
            Result r = sandboxes.run(spec, "python3", "-c", CONNECT, Integer.toString(server.getLocalPort()),
                    "127.0.0.1", gateway(mechanism));
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.out()).as(r.describe())
                    .contains("127.0.0.1 FAILED")
                    .contains(gateway(mechanism) + " FAILED")
                    .doesNotContain("CONNECTED");
            Thread.sleep(100);
            assertThat(accepted).as("connections the host service accepted").hasValue(1);
        }
    }

    @Test
    void noHostAddressIsReachableThroughTheBridge() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(0)); // every address of the host
            AtomicInteger accepted = TestHosts.acceptInBackground(server, new AtomicInteger());
            List<String> targets = new ArrayList<>(List.of(BridgeNetwork.GATEWAY));
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                nic.inetAddresses().filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                        .forEach(a -> targets.add(a.getHostAddress().replaceAll("%.*", "")));
            }
            new Socket("127.0.0.1", server.getLocalPort()).close(); // control
            awaitCount(accepted, 1);

            List<String> argv = new ArrayList<>(List.of("python3", "-c", CONNECT, Integer.toString(server.getLocalPort())));
            argv.addAll(targets);
            Result r = bridge.run(bridge.spec(Profile.MODERATE), argv.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.describe()).isZero();
            for (String target : targets) {
                assertThat(r.out()).as(r.describe()).contains(target + " FAILED");
            }
            assertThat(r.out()).as(r.describe()).doesNotContain("CONNECTED");
            Thread.sleep(100);
            assertThat(accepted).as("connections the host service accepted").hasValue(1);
        }
    }

    @Test
    void sandboxesOnTheBridgeCannotReachEachOther() throws Exception {
        StringBuffer served = new StringBuffer();
        Stdio.OutputSink sink = (OutputStreamKind stream, byte[] bytes, int offset, int length) ->
                served.append(new String(bytes, offset, length, StandardCharsets.UTF_8));
        SandboxSpec spec = bridge.spec(Profile.MODERATE);
        try (Execution server = bridge.backend.start(spec, CommandSpec.of("python3", "-c", SERVE), Stdio.capture(sink))) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            Matcher m = LISTENING.matcher("");
            while (System.nanoTime() < deadline && !(m = LISTENING.matcher(served)).find()) {
                Thread.sleep(20);
            }
            assertThat(m.find(0)).as("the first sandbox listens: " + served).isTrue();
            String address = m.group(1);
            assertThat(address).matches(BRIDGE_ADDRESS);

            Result r = bridge.run(spec, "python3", "-c", CONNECT, m.group(2), address);
            assertThat(r.out()).as(r.describe()).contains(address + " FAILED").doesNotContain("CONNECTED");
            assertThat(served.toString()).doesNotContain("ACCEPTED");
            server.kill();
        }
    }

    @Test
    void theVethPairGoesAwayWithItsSandbox() throws Exception {
        Result r = bridge.run(bridge.spec(Profile.MODERATE), "cat", "/proc/net/fib_trie");
        Matcher m = BRIDGE_ADDRESS.matcher(r.out());
        assertThat(m.find()).as(r.describe()).isTrue();
        byte[] octets = ((Inet4Address) InetAddress.getByName(m.group())).getAddress();
        long pid = ((octets[1] & 0x3f) << 16) | ((octets[2] & 0xff) << 8) | (octets[3] & 0xff); // address - 100.64.0.0
        Path hostEnd = Path.of("/sys/class/net/akv" + pid);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Files.exists(hostEnd) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(hostEnd).as("the host end of the sandbox's veth pair").doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"slirp4netns", "bridge"})
    void sandboxWithNetworkHasItsOwnInterface(String mechanism) {
        Sandboxes sandboxes = using(mechanism);
        Result r = sandboxes.run(sandboxes.spec(Profile.MODERATE), "sh", "-c",
                "cat /proc/net/dev; echo ---; cat /proc/net/fib_trie");
        assertThat(interfaces(r)).as(r.describe()).contains("lo").hasSize(2);
        if (mechanism.equals("bridge")) {
            assertThat(r.out()).as(r.describe()).containsPattern(BRIDGE_ADDRESS);
        } else {
            assertThat(r.out()).as(r.describe()).contains("10.0.2.100");
        }
    }

    /**
     * The resolver address of {@code resolv.conf} answers DNS with either mechanism (on the bridge it
     * lies in 10/8, which the sandbox's routes prohibit: it has a route of its own), and nothing but
     * DNS is forwarded to it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"slirp4netns", "bridge"})
    void theResolverAddressAnswersDnsAndNothingElse(String mechanism) {
        Sandboxes sandboxes = using(mechanism);
        String probe = """
                import socket, struct
                q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + b"\\x09localhost\\x00" + struct.pack(">HH", 1, 1)
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(5)
                s.sendto(q, ("10.0.2.3", 53))
                r = s.recv(4096)
                print("DNS ANSWER id=%x" % struct.unpack(">H", r[:2])[0], flush=True)
                t = socket.socket()
                t.settimeout(5)
                try:
                    t.connect(("10.0.2.3", 80))
                    print("HTTP CONNECTED")
                except OSError as e:
                    print("HTTP FAILED", e.errno)
                """;
        Result r = sandboxes.run(sandboxes.spec(Profile.MODERATE), "python3", "-c", probe);
        assertThat(r.out()).as(r.describe()).contains("DNS ANSWER id=4242");
        if (mechanism.equals("bridge")) {
            assertThat(r.out()).as(r.describe()).containsPattern("HTTP FAILED (111|113)");
        }
    }

    @Test
    void rootPicksTheBridgeByDefault() {
        Result r = sandboxes.run(sandboxes.spec(Profile.MODERATE), "cat", "/proc/net/fib_trie");
        assertThat(r.out()).as(r.describe()).containsPattern(BRIDGE_ADDRESS);
    }

    @Test
    void noNetworkMeansOnlyLoopback() {
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.MODERATE).withNetwork(false));
        assertThat(spec.network()).isEqualTo(NetworkMode.NONE);
        Result r = sandboxes.run(spec, "sh", "-c", "cat /proc/net/dev; echo ---; cat /proc/net/fib_trie");
        assertThat(interfaces(r)).as(r.describe()).containsExactly("lo");
        assertThat(r.out()).doesNotContain("10.0.2.").doesNotContainPattern(BRIDGE_ADDRESS);
    }

    @Test
    void restrictiveHasNoNetworkEvenWhenAskedFor() {
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.RESTRICTIVE).withNetwork(true));
        assertThat(spec.network()).isEqualTo(NetworkMode.NONE);
        Result r = sandboxes.run(spec, "sh", "-c", "cat /proc/net/dev; echo ---; cat /proc/net/fib_trie");
        assertThat(interfaces(r)).as(r.describe()).containsExactly("lo");
        assertThat(r.out()).doesNotContain("10.0.2.").doesNotContainPattern(BRIDGE_ADDRESS);
    }

    @Test
    void noNetworkSandboxCannotReachTheHostEither() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "python3", "-c", CONNECT,
                    Integer.toString(server.getLocalPort()), "127.0.0.1", "10.0.2.2", BridgeNetwork.GATEWAY);
            assertThat(r.out()).as(r.describe())
                    .contains("127.0.0.1 FAILED").contains("10.0.2.2 FAILED").contains(BridgeNetwork.GATEWAY + " FAILED")
                    .doesNotContain("CONNECTED");
        }
    }

    private static void awaitCount(AtomicInteger count, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (count.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(count).as("host-side control connection").hasValue(expected);
    }

    /** Interface names from /proc/net/dev (the part of the output before "---"). */
    private static List<String> interfaces(Result r) {
        String dev = r.out().substring(0, Math.max(0, r.out().indexOf("---")));
        return dev.lines().filter(l -> l.contains(":") && !l.contains("|"))
                .map(l -> l.substring(0, l.indexOf(':')).strip()).toList();
    }
}
