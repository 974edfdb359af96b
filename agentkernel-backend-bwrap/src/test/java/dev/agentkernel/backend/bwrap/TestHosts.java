package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.agentkernel.testing.SandboxHost;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hosts on this machine for network tests, in a network namespace of their own joined to the
 * host by a veth pair and routed from it: a "LAN" host (10.77.0.2, 192.168.77.2), a cloud
 * metadata service (169.254.169.254) and a "public" host (198.18.77.2, benchmarking space: not
 * private by {@link EgressPolicy}), all one TCP service on {@link #PORT} that records which of
 * its addresses each connection reached. The host's end has .1 in each range (host addresses on
 * another interface than the usual one). No traffic leaves the machine. Needs root and
 * {@code ip}; {@link #close} removes everything.
 */
final class TestHosts implements AutoCloseable {

    static final int PORT = 4780;
    static final String LAN = "10.77.0.2";
    static final String LAN_HOST_SIDE = "10.77.0.1";
    static final String LAN2 = "192.168.77.2";
    static final String METADATA = "169.254.169.254";
    static final String PUBLIC = "198.18.77.2";
    static final String PUBLIC_HOST_SIDE = "198.18.77.1";
    private static final String SERVE = """
            import socket
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", %d))
            s.listen(50)
            print("READY", flush=True)
            while True:
                c, peer = s.accept()
                print("ACCEPTED", c.getsockname()[0], flush=True)
                c.close()
            """.formatted(PORT);

    private static final AtomicInteger USES = new AtomicInteger();
    private final String namespace;
    private final String hostEnd;
    private final Process server;
    private final List<String> accepted = new CopyOnWriteArrayList<>();

    private TestHosts(String namespace, String hostEnd, Process server) {
        this.namespace = namespace;
        this.hostEnd = hostEnd;
        this.server = server;
    }

    /** Creates the namespace, its addresses and routes, and starts the service. */
    static TestHosts start() throws IOException, InterruptedException {
        // unique per use: the kernel removes a deleted namespace's interfaces asynchronously
        String suffix = ProcessHandle.current().pid() + "-" + USES.incrementAndGet();
        String namespace = "akit-hosts-" + suffix;
        String hostEnd = "akit" + suffix;
        ip("netns", "del", namespace); // a leftover of a killed run of this JVM's pid: none, normally
        ip("netns", "add", namespace);
        try {
            must("link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", namespace);
            for (String prefix : List.of("10.77.0", "192.168.77", "169.254.169", "198.18.77")) {
                must("address", "add", prefix + ".1/24", "dev", hostEnd);
            }
            for (String address : List.of(LAN, LAN2, METADATA, PUBLIC)) {
                must("-n", namespace, "address", "add", address + "/24", "dev", "eth0");
            }
            must("link", "set", hostEnd, "up");
            must("-n", namespace, "link", "set", "eth0", "up");
            must("-n", namespace, "link", "set", "lo", "up");
            Process server = new ProcessBuilder("ip", "netns", "exec", namespace, "python3", "-c", SERVE)
                    .redirectErrorStream(true).start();
            TestHosts hosts = new TestHosts(namespace, hostEnd, server);
            hosts.readOutput();
            return hosts;
        } catch (IOException | RuntimeException | Error e) {
            ip("netns", "del", namespace);
            throw e;
        }
    }

    private void readOutput() throws InterruptedException {
        List<String> ready = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("ACCEPTED ")) {
                        accepted.add(line.substring("ACCEPTED ".length()).strip());
                    } else {
                        ready.add(line);
                    }
                }
            } catch (IOException e) {
                // stopped
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ready.contains("READY") && System.nanoTime() < deadline && server.isAlive()) {
            Thread.sleep(10);
        }
        if (!ready.contains("READY")) {
            fail("the test hosts' service did not start: " + ready);
        }
    }

    /** The addresses of this namespace that connections reached so far, in order. */
    List<String> accepted() {
        return List.copyOf(accepted);
    }

    /**
     * The addresses accepted once at least {@code expected} were (or {@code wait} passed), and a
     * moment more for any unexpected one: the server reports each on its output, which a thread of
     * this JVM reads, so a connection the sandbox saw succeed may not be recorded yet.
     */
    List<String> accepted(int expected, java.time.Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (accepted.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(100);
        return List.copyOf(accepted);
    }

    /** Adds an address to the host's end of the pair (a host address that did not exist before). */
    void addHostAddress(String cidr) throws IOException, InterruptedException {
        must("address", "add", cidr, "dev", hostEnd);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.destroyForcibly();
        server.waitFor(5, TimeUnit.SECONDS);
        ip("netns", "del", namespace); // the veth pair goes with it
    }

    private static void must(String... args) throws IOException, InterruptedException {
        dev.agentkernel.testing.IpCommand.must(args);
    }

    private static int ip(String... args) throws IOException, InterruptedException {
        return dev.agentkernel.testing.IpCommand.run(args);
    }

    /** Counts every connection {@code server} accepts, on a virtual thread, into {@code accepted}; returns it. */
    static java.util.concurrent.atomic.AtomicInteger acceptInBackground(java.net.ServerSocket server,
                                                                       java.util.concurrent.atomic.AtomicInteger accepted) {
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (java.net.Socket s = server.accept()) {
                    accepted.incrementAndGet();
                } catch (java.io.IOException e) {
                    return;
                }
            }
        });
        return accepted;
    }
}
