package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.BackendUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sandbox networking through one host bridge, {@value #BRIDGE}, shared by every AgentKernel
 * process on the host (as root): each sandbox gets a veth pair from the launcher
 * ({@code ak-launch --veth}, no process per sandbox), and the kernel forwards and translates
 * its traffic under the nftables table of {@link BridgeRules}.
 *
 * <p>Addresses need no coordination: the launcher gives its sandbox {@value #SUBNET} plus its
 * own pid, and a pid is unique on the host while the sandbox lives (the launcher becomes
 * bubblewrap). {@link #prepare} makes sure the bridge exists with the gateway address, and
 * (re)applies the table, idempotently: concurrent AgentKernel processes may all do it. The
 * bridge and the table stay when AgentKernel exits (like {@code docker0});
 * {@code ip link del akbr0; nft delete table inet agentkernel} removes them. IPv4 forwarding
 * ({@code net.ipv4.ip_forward}) is switched on, as Docker and libvirt do.
 */
final class BridgeNetwork {

    static final String BRIDGE = "akbr0";
    /** 100.64.0.0/10 (RFC 6598 shared space): 2^22 addresses, as many as Linux has pids. */
    static final String SUBNET = "100.64.0.0/10";
    static final String GATEWAY = "100.64.0.1";
    private static final int NETWORK = 100 << 24 | 64 << 16;
    private static final int PREFIX = 10;
    private static final Path SYS_NET = Path.of("/sys/class/net");
    private static final Path PROC_SYS = Path.of("/proc/sys/net");
    private static final List<Path> RESOLV_CONFS = List.of(Path.of("/etc/resolv.conf"),
            Path.of("/run/systemd/resolve/resolv.conf"));
    private static final long TOOL_TIMEOUT_SECONDS = 10;
    /** Routes the launcher takes (its MAX_ROUTES). */
    private static final int MAX_ROUTES = 64;

    private final int bridgeIndex;

    private BridgeNetwork(int bridgeIndex) {
        this.bridgeIndex = bridgeIndex;
    }

    /**
     * Sets the host side up (or checks that it is) for this process.
     *
     * @param ip  the {@code ip} program (iproute2)
     * @param nft the {@code nft} program (nftables)
     * @throws BackendUnavailableException saying why the bridge cannot be used here
     */
    static BridgeNetwork prepare(Path ip, Path nft) {
        Inet4Address resolver = BridgeRules.resolver(readAll(RESOLV_CONFS), hostAddresses())
                .orElseThrow(() -> new BackendUnavailableException("no IPv4 resolver outside the host itself in "
                        + RESOLV_CONFS.getFirst() + " for the sandboxes to use"));
        BridgeRules.overlappingRoute(read(Path.of("/proc/net/route")), BRIDGE, NETWORK, PREFIX).ifPresent(route -> {
            throw new BackendUnavailableException("the sandbox subnet " + SUBNET + " overlaps the host's route " + route);
        });
        if (!Files.isDirectory(SYS_NET.resolve(BRIDGE))) {
            try {
                run(List.of(ip.toString(), "link", "add", BRIDGE, "type", "bridge"), "");
            } catch (BackendUnavailableException e) {
                if (!Files.isDirectory(SYS_NET.resolve(BRIDGE))) { // not another process that was faster
                    throw e;
                }
            }
        }
        Path ipv6 = PROC_SYS.resolve("ipv6/conf/" + BRIDGE + "/disable_ipv6");
        if (Files.exists(ipv6)) { // absent when the kernel has no IPv6
            write(ipv6, "1"); // no IPv6 address on the host side of the bridge
        }
        run(List.of(ip.toString(), "-batch", "-"),
                "address replace " + GATEWAY + "/" + PREFIX + " dev " + BRIDGE + "\nlink set dev " + BRIDGE + " up\n");
        if (!read(PROC_SYS.resolve("ipv4/ip_forward")).strip().equals("1")) {
            write(PROC_SYS.resolve("ipv4/ip_forward"), "1");
        }
        run(List.of(nft.toString(), "-f", "-"), BridgeRules.ruleset(BRIDGE, SUBNET, resolver));
        try {
            return new BridgeNetwork(Integer.parseInt(read(SYS_NET.resolve(BRIDGE).resolve("ifindex")).strip()));
        } catch (NumberFormatException e) {
            throw new BackendUnavailableException("cannot read the index of " + BRIDGE);
        }
    }

    /**
     * The launcher's arguments that give its sandbox a veth pair on the bridge, with the routes
     * that keep it off the ranges {@code egress} denies.
     */
    List<String> launchArguments(EgressPolicy egress) {
        List<String> argv = new ArrayList<>(List.of("--veth", Integer.toString(bridgeIndex), SUBNET, GATEWAY));
        argv.addAll(egress.routeArguments(AddressRange.parse(SUBNET)));
        // the sandboxes' resolver address lies in 10/8, which the routes above prohibit: it has a route of its
        // own (its DNS is translated to the host's resolver, or to the egress gateway's; anything else to it is
        // refused by the bridge's rules)
        argv.addAll(List.of("--route", EtcSkeleton.SANDBOX_RESOLVER + "/32"));
        long routes = argv.stream().filter(a -> a.equals("--route") || a.equals("--prohibit")).count();
        if (routes > MAX_ROUTES) {
            throw new dev.agentkernel.model.InvalidRequestException("too many allowed addresses inside private ranges ("
                    + routes + " routes, at most " + MAX_ROUTES + "): allow wider ranges (a /24 instead of its addresses)");
        }
        return argv;
    }

    /**
     * The address the launcher gives the sandbox whose launcher has {@code pid}: the subnet's
     * base plus the pid (the two highest host parts shifted to 2 and 3, as {@code ak-launch} does).
     */
    static java.net.Inet4Address addressOf(long pid) {
        long hosts = 1L << (32 - PREFIX);
        long part = pid >= hosts - 2 ? pid - (hosts - 4) : pid;
        long value = (NETWORK & 0xffffffffL) + part;
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return (java.net.Inet4Address) InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<InetAddress> hostAddresses() {
        Set<InetAddress> addresses = new HashSet<>();
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                nic.inetAddresses().forEach(addresses::add);
            }
        } catch (SocketException e) {
            throw new BackendUnavailableException("cannot list the host's addresses: " + e.getMessage());
        }
        return addresses;
    }

    private static List<String> readAll(List<Path> files) {
        List<String> texts = new ArrayList<>();
        for (Path file : files) {
            if (Files.isReadable(file)) {
                texts.add(read(file));
            }
        }
        return texts;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Runs a host tool to its end, feeding it {@code input}; its output is the message if it fails. */
    static void run(List<String> argv, String input) {
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        String command = String.join(" ", argv);
        try {
            Process process = builder.start();
            CompletableFuture<byte[]> output = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (InputStream in = process.getInputStream()) {
                    output.complete(in.readAllBytes());
                } catch (IOException e) {
                    output.complete(new byte[0]);
                }
            });
            try (OutputStream in = process.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new BackendUnavailableException(command + " did not finish within " + TOOL_TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                String text = new String(output.get(1, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
                throw new BackendUnavailableException(command + " failed: " + (text.isEmpty()
                        ? "exit " + process.exitValue() : text.lines().findFirst().orElse(text)));
            }
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot run " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendUnavailableException("interrupted while running " + command);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new BackendUnavailableException(command + " failed");
        }
    }
}
