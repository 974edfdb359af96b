package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.backend.bwrap.Sandboxes.Result;
import dev.agentkernel.model.Profile;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a sandbox with network reaches beyond itself, for both mechanisms (forced through
 * {@code AGENTKERNEL_NETWORK}): no address of the host, of either family, on any interface,
 * also one added after the sandbox started, whatever listens there (on 0.0.0.0 or [::]); no
 * private or link-local host ({@link TestHosts}: a LAN and a metadata service in a network
 * namespace of their own) unless {@value EgressPolicy#ALLOW_ENV} allows its range; and still the
 * "public" test host, so the way out works. Every refusal is fast: an error, not a timeout.
 */
class EgressIT extends SandboxTestBase {

    /** Connects to each target; prints "TARGET CONNECTED" or "TARGET FAILED errno" (None: a timeout). */
    private static final String CONNECT = """
            import socket, sys, time
            time.sleep(float(sys.argv[1]))
            port = int(sys.argv[2])
            for target in sys.argv[3:]:
                host, _, p = target.partition("@")
                family = socket.AF_INET6 if ":" in host else socket.AF_INET
                s = socket.socket(family)
                s.settimeout(3)
                try:
                    s.connect((host, int(p) if p else port))
                    print(host, "CONNECTED", flush=True)
                except OSError as e:
                    print(host, "FAILED", e.errno, flush=True)
                finally:
                    s.close()
            """;
    /** ECONNREFUSED (slirp4netns), EACCES (prohibit route), EHOSTUNREACH (ICMP admin-prohibited), ENETUNREACH (no IPv6). */
    private static final Pattern FAST_FAILURE = Pattern.compile("FAILED (111|13|113|101)");

    static Sandboxes slirp;
    static Sandboxes bridge;
    static Sandboxes slirpAllowing;
    static Sandboxes bridgeAllowing;
    private TestHosts hosts;

    @BeforeAll
    static void openMechanisms() throws IOException {
        slirp = Sandboxes.open(dir.resolve("slirp"), Map.of(NetworkChoice.ENV, "slirp4netns"));
        bridge = Sandboxes.open(dir.resolve("bridge"), Map.of(NetworkChoice.ENV, "bridge"));
        Map<String, String> allowLan = Map.of(EgressPolicy.ALLOW_ENV, "10.77.0.0/24");
        slirpAllowing = Sandboxes.open(dir.resolve("slirp-allowing"), merge(allowLan, NetworkChoice.ENV, "slirp4netns"));
        bridgeAllowing = Sandboxes.open(dir.resolve("bridge-allowing"), merge(allowLan, NetworkChoice.ENV, "bridge"));
    }

    private static Map<String, String> merge(Map<String, String> base, String key, String value) {
        Map<String, String> merged = new java.util.HashMap<>(base);
        merged.put(key, value);
        return merged;
    }

    @BeforeEach
    void startTestHosts() throws Exception {
        hosts = TestHosts.start();
    }

    @AfterEach
    void stopTestHostsAndCheckEverySandbox() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
        for (Sandboxes s : List.of(slirp, bridge, slirpAllowing, bridgeAllowing)) {
            s.assertNothingLeftBehind();
        }
    }

    @AfterAll
    static void closeMechanisms() {
        for (Sandboxes s : new Sandboxes[] {slirp, bridge, slirpAllowing, bridgeAllowing}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static Sandboxes using(String mechanism, boolean allowing) {
        return mechanism.equals("bridge") ? (allowing ? bridgeAllowing : bridge) : (allowing ? slirpAllowing : slirp);
    }

    @ParameterizedTest
    @ValueSource(strings = {"slirp4netns", "bridge"})
    void noAddressOfTheHostIsReachable(String mechanism) throws Exception {
        try (ServerSocket any4 = new ServerSocket(); ServerSocket any6 = new ServerSocket()) {
            any4.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            any6.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
            AtomicInteger accepted = TestHosts.acceptInBackground(any4, new AtomicInteger());
            accepted = TestHosts.acceptInBackground(any6, accepted);
            // control: both are there and answer on the host
            new Socket("127.0.0.1", any4.getLocalPort()).close();
            new Socket("::1", any6.getLocalPort()).close();
            awaitCount(accepted, 2);

            Set<String> targets = new LinkedHashSet<>(List.of(BridgeNetwork.GATEWAY, "10.0.2.2", "198.51.100.77"));
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                nic.inetAddresses().filter(a -> !a.isLoopbackAddress() && !(a instanceof Inet6Address && a.isLinkLocalAddress()))
                        .forEach(a -> targets.add(a.getHostAddress().replaceAll("%.*", "")));
            }
            assertThat(targets).as("host addresses on the test hosts' interface too")
                    .contains(TestHosts.LAN_HOST_SIDE, TestHosts.PUBLIC_HOST_SIDE, "169.254.169.1");
            List<String> argv = new ArrayList<>(List.of("python3", "-c", CONNECT, "1.5", "0"));
            for (String target : targets) {
                argv.add(target + "@" + any4.getLocalPort());
                argv.add(target + "@" + any6.getLocalPort());
            }
            Sandboxes sandboxes = using(mechanism, false);
            // 198.51.100.77 becomes a host address while the sandbox runs (before it connects)
            Thread adder = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(500);
                    hosts.addHostAddress("198.51.100.77/32");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Result r = sandboxes.run(sandboxes.spec(Profile.MODERATE), argv.toArray(String[]::new));
            adder.join();
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.out()).as(r.describe()).doesNotContain("CONNECTED").doesNotContain("FAILED None");
            for (String target : targets) {
                assertThat(countFastFailures(r.out(), target)).as(target + " in " + r.describe()).isEqualTo(2);
            }
            Thread.sleep(100);
            assertThat(accepted).as("connections the host's services accepted").hasValue(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"slirp4netns", "bridge"})
    void privateAndLinkLocalHostsAreUnreachableWhileThePublicOneAnswers(String mechanism) throws Exception {
        Sandboxes sandboxes = using(mechanism, false);
        Result r = sandboxes.run(sandboxes.spec(Profile.MODERATE), "python3", "-c", CONNECT, "0",
                Integer.toString(TestHosts.PORT), TestHosts.LAN, TestHosts.LAN2, TestHosts.METADATA, TestHosts.PUBLIC);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.out()).as(r.describe()).contains(TestHosts.PUBLIC + " CONNECTED");
        for (String target : List.of(TestHosts.LAN, TestHosts.LAN2, TestHosts.METADATA)) {
            assertThat(countFastFailures(r.out(), target)).as(target + " in " + r.describe()).isEqualTo(1);
        }
        assertThat(hosts.accepted(1, java.time.Duration.ofSeconds(5))).as("addresses of the test hosts that were reached")
                .containsExactly(TestHosts.PUBLIC);
    }

    @ParameterizedTest
    @ValueSource(strings = {"slirp4netns", "bridge"})
    void anAllowedPrivateRangeIsReachableAndNothingElseIs(String mechanism) throws Exception {
        Sandboxes sandboxes = using(mechanism, true);
        Result r = sandboxes.run(sandboxes.spec(Profile.MODERATE), "python3", "-c", CONNECT, "0",
                Integer.toString(TestHosts.PORT), TestHosts.LAN, TestHosts.LAN2, TestHosts.METADATA,
                TestHosts.LAN_HOST_SIDE, TestHosts.PUBLIC);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.out()).as(r.describe()).contains(TestHosts.LAN + " CONNECTED").contains(TestHosts.PUBLIC + " CONNECTED");
        // the allowed range does not open the host's own address in it
        for (String target : List.of(TestHosts.LAN2, TestHosts.METADATA, TestHosts.LAN_HOST_SIDE)) {
            assertThat(countFastFailures(r.out(), target)).as(target + " in " + r.describe()).isEqualTo(1);
        }
        assertThat(hosts.accepted(2, java.time.Duration.ofSeconds(5))).as("addresses of the test hosts that were reached")
                .containsExactly(TestHosts.LAN, TestHosts.PUBLIC);
    }

    private static int countFastFailures(String out, String target) {
        int n = 0;
        for (String line : out.lines().toList()) {
            if (line.startsWith(target + " ") && FAST_FAILURE.matcher(line.substring(target.length() + 1)).matches()) {
                n++;
            }
        }
        return n;
    }

    private static void awaitCount(AtomicInteger count, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (count.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(count).as("host-side control connections").hasValue(expected);
    }
}
