package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.NetworkPolicy;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The host's packet-filter side of egress control: one nftables table per {@link EgressGateway}
 * ({@code inet akeg_PID_N}), beside the bridge's shared table, holding every rule of the
 * sandboxes that gateway admitted, as elements of sets keyed by the sandbox's address.
 *
 * <p>For a sandbox in {@code sandboxes}: every DNS query (UDP and TCP port 53, to any resolver) is
 * translated to the gateway's resolver; TCP ports 80 and 443 go to its proxy (which checks
 * {@code Host} and TLS SNI) when the sandbox is in {@code proxied}, unless the destination lies in
 * an allowed range; everything else is forwarded only to allowed destinations: not in a denied
 * range, on an allowed port, and either anywhere (no allow-list: {@code open}), in an allowed
 * range, or an address an allowed name resolved to ({@code pass}, with the answer's time to
 * live). Nothing but TCP and UDP passes. Each refusal is logged to the kernel log (rate-limited)
 * with a prefix naming the rule, which {@link KernelLogRefusals} turns into audit events, and
 * answered with an ICMP error, so the program fails at once.
 */
final class EgressTable {

    /** The kernel-log prefix of refusals: the table's name, a space, the rule, a colon. */
    static final String RULES = "proto denied port unlisted";
    private static final long LOG_RATE = 20;

    private final Path nft;
    private final String name;

    EgressTable(Path nft, String name) {
        this.nft = nft;
        this.name = name;
    }

    /** The table's name. */
    String name() {
        return name;
    }

    /** Creates (or atomically replaces) the table. */
    void create(String gateway, int dnsPort, int httpPort, int tlsPort) {
        BridgeNetwork.run(List.of(nft.toString(), "-f", "-"), ruleset(name, gateway, dnsPort, httpPort, tlsPort));
    }

    /** Deletes the table (every sandbox's rules with it). */
    void delete() {
        try {
            BridgeNetwork.run(List.of(nft.toString(), "delete", "table", "inet", name), "");
        } catch (RuntimeException e) {
            // already gone
        }
    }

    /** Adds a sandbox's rules; its traffic is forwarded only as {@code policy} says from now on. */
    void admit(Inet4Address sandbox, NetworkPolicy policy, boolean proxied) {
        BridgeNetwork.run(List.of(nft.toString(), "-f", "-"), elements(name, "add", sandbox, policy, proxied));
    }

    /** Removes a sandbox's rules (and the addresses it was let through to). */
    void release(Inet4Address sandbox, NetworkPolicy policy, boolean proxied) {
        try {
            BridgeNetwork.run(List.of(nft.toString(), "-f", "-"), elements(name, "delete", sandbox, policy, proxied));
        } catch (RuntimeException e) {
            // best effort: a later sandbox with this address is admitted with "add", which resets it
        }
    }

    /** Lets {@code sandbox} reach {@code destination} (on its allowed ports) for {@code ttl}. */
    void pass(Inet4Address sandbox, Inet4Address destination, Duration ttl) {
        BridgeNetwork.run(List.of(nft.toString(), "add", "element", "inet", name, "pass",
                "{ " + sandbox.getHostAddress() + " . " + destination.getHostAddress() + " timeout "
                        + Math.max(1, ttl.toSeconds()) + "s }"), "");
    }

    /** Takes back a {@link #pass} (ignored if it expired already). */
    void unpass(Inet4Address sandbox, Inet4Address destination) {
        try {
            BridgeNetwork.run(List.of(nft.toString(), "delete", "element", "inet", name, "pass",
                    "{ " + sandbox.getHostAddress() + " . " + destination.getHostAddress() + " }"), "");
        } catch (RuntimeException e) {
            // expired already
        }
    }

    /** The nftables script of the table. */
    static String ruleset(String name, String gateway, int dnsPort, int httpPort, int tlsPort) {
        StringBuilder refusals = new StringBuilder();
        for (String rule : RULES.split(" ")) {
            refusals.append("""
                    \tchain refuse_%2$s {
                    \t\tlimit rate %3$d/second burst %4$d packets log prefix "%1$s %2$s: "
                    \t\treject with icmpx admin-prohibited
                    \t}
                    """.formatted(name, rule, LOG_RATE, 2 * LOG_RATE));
        }
        return """
                table inet %1$s
                delete table inet %1$s
                table inet %1$s {
                \tset sandboxes { type ipv4_addr; }
                \tset open { type ipv4_addr; }
                \tset anyport { type ipv4_addr; }
                \tset proxied { type ipv4_addr; }
                \tset ports { type ipv4_addr . inet_service; }
                \tset ranges { type ipv4_addr . ipv4_addr; flags interval; }
                \tset denied { type ipv4_addr . ipv4_addr; flags interval; }
                \tset pass { type ipv4_addr . ipv4_addr; flags timeout; }
                \tchain prerouting {
                \t\ttype nat hook prerouting priority dstnat - 1; policy accept;
                \t\tip saddr != @sandboxes return
                \t\tmeta l4proto { tcp, udp } th dport 53 dnat ip to %2$s:%3$d
                \t\tip saddr != @proxied return
                \t\tip saddr . ip daddr @ranges return
                \t\ttcp dport 80 dnat ip to %2$s:%4$d
                \t\ttcp dport 443 dnat ip to %2$s:%5$d
                \t}
                \tchain forward {
                \t\ttype filter hook forward priority filter - 1; policy accept;
                \t\tip saddr != @sandboxes return
                \t\tct state established,related return
                \t\tmeta l4proto != { tcp, udp } jump refuse_proto
                \t\tip saddr . ip daddr @denied jump refuse_denied
                \t\tip saddr != @anyport ip saddr . th dport != @ports jump refuse_port
                \t\tip saddr @open return
                \t\tip saddr . ip daddr @ranges return
                \t\tip saddr . ip daddr @pass return
                \t\tjump refuse_unlisted
                \t}
                %6$s}
                """.formatted(name, gateway, dnsPort, httpPort, tlsPort, refusals);
    }

    /** The {@code add}/{@code delete element} commands of one sandbox. */
    static String elements(String table, String verb, Inet4Address sandbox, NetworkPolicy policy, boolean proxied) {
        String s = sandbox.getHostAddress();
        List<String> lines = new ArrayList<>();
        lines.add(element(verb, "sandboxes", s));
        if (!policy.allowListOnly()) {
            lines.add(element(verb, "open", s));
        }
        if (proxied) {
            lines.add(element(verb, "proxied", s));
        }
        if (policy.ports().isEmpty()) {
            lines.add(element(verb, "anyport", s));
        }
        for (int port : policy.ports()) {
            lines.add(element(verb, "ports", s + " . " + port));
        }
        for (String range : policy.allowAddresses()) {
            lines.add(element(verb, "ranges", s + " . " + range));
        }
        for (String range : policy.denyAddresses()) {
            lines.add(element(verb, "denied", s + " . " + range));
        }
        return String.join("\n", lines).replace("%TABLE%", table) + "\n";
    }

    private static String element(String verb, String set, String value) {
        return verb + " element inet %TABLE% " + set + " { " + value + " }";
    }

    /** The table's name for gateway {@code sequence} of process {@code pid}. */
    static String tableName(long pid, int sequence) {
        return String.format(Locale.ROOT, "akeg_%d_%d", pid, sequence);
    }

    /** The pid of the process whose gateway made table {@code name}, if it is one of ours. */
    static Optional<Long> ownerOf(String name) {
        String[] parts = name.split("_");
        if (parts.length != 3 || !parts[0].equals("akeg")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(parts[1]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
