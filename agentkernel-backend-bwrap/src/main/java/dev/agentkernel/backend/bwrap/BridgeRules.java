package dev.agentkernel.backend.bwrap;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The pure parts of the bridge network's host set-up, kept apart so that they can be checked
 * without root: the nftables ruleset, the resolver the sandboxes' DNS address forwards to,
 * and whether the sandbox subnet is free on this host.
 *
 * <p>What the ruleset enforces, for everything that enters the host from the bridge: nothing
 * addressed to the host itself is accepted (any of its addresses, IPv4 or IPv6, so no host
 * service, loopback or not, is reachable), except the egress gateway's resolver and proxy on the
 * bridge's own address for connections that an {@link EgressTable} translated there (only those
 * rules translate to that address); no sandbox reaches another sandbox (also refused on
 * the bridge itself, whose ports are isolated); nothing to "this network", loopback, multicast or
 * broadcast addresses is forwarded; no IPv6 is forwarded; the sandboxes' resolver
 * address ({@link EtcSkeleton#SANDBOX_RESOLVER}, as with slirp4netns) is translated to the
 * host's own upstream resolver; everything else leaves through the host's routes with the
 * host's address (masquerade). Nothing from outside may open a connection to a sandbox.
 *
 * <p>Private ranges (RFC 1918, link-local with the cloud metadata address, ...) are not in this
 * table, which every AgentKernel process on the host shares: which of them a sandbox may reach
 * is its own {@link EgressPolicy}, enforced by routes in its network namespace.
 */
final class BridgeRules {

    static final String TABLE = "agentkernel";

    private BridgeRules() {
    }

    /**
     * The nftables script that creates (or atomically replaces) the table {@value #TABLE}.
     *
     * @param bridge   the bridge's interface name
     * @param subnet   the sandboxes' subnet, e.g. {@code 100.64.0.0/10}
     * @param resolver where DNS queries to the sandboxes' resolver address go
     */
    static String ruleset(String bridge, String subnet, Inet4Address resolver) {
        String br = '"' + bridge + '"';
        String dns = EtcSkeleton.SANDBOX_RESOLVER;
        String upstream = resolver.getHostAddress();
        return """
                table inet %1$s
                delete table inet %1$s
                table inet %1$s {
                \tchain prerouting {
                \t\ttype nat hook prerouting priority dstnat; policy accept;
                \t\tiifname %2$s ip daddr %3$s udp dport 53 dnat ip to %4$s
                \t\tiifname %2$s ip daddr %3$s tcp dport 53 dnat ip to %4$s
                \t}
                \tchain input {
                \t\ttype filter hook input priority filter; policy accept;
                \t\tiifname %2$s ip daddr %6$s ct status dnat accept
                \t\tiifname %2$s reject with icmpx type admin-prohibited
                \t}
                \tchain forward {
                \t\ttype filter hook forward priority filter; policy accept;
                \t\tiifname %2$s oifname %2$s reject with icmpx type admin-prohibited
                \t\tiifname %2$s meta nfproto ipv6 drop
                \t\tiifname %2$s ip daddr %3$s reject with icmpx type admin-prohibited
                \t\tiifname %2$s ip daddr { %5$s, 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4, 255.255.255.255 } \
                reject with icmpx type admin-prohibited
                \t\toifname %2$s ct state established,related accept
                \t\toifname %2$s drop
                \t}
                \tchain postrouting {
                \t\ttype nat hook postrouting priority srcnat; policy accept;
                \t\tip saddr %5$s oifname != %2$s masquerade
                \t}
                }
                """.formatted(TABLE, br, dns, upstream, subnet, BridgeNetwork.GATEWAY);
    }

    /**
     * The first IPv4 {@code nameserver} of the given {@code resolv.conf} texts (in order) that
     * the sandboxes may be forwarded to: not loopback, not unspecified and not one of the
     * host's own addresses (a service on the host itself stays out of reach).
     */
    static Optional<Inet4Address> resolver(List<String> resolvConfs, Set<InetAddress> hostAddresses) {
        for (String text : resolvConfs) {
            for (String line : text.lines().toList()) {
                String[] words = line.strip().split("\\s+");
                if (words.length < 2 || !words[0].equals("nameserver") || !isIpv4Literal(words[1])) {
                    continue;
                }
                try {
                    InetAddress address = InetAddress.getByName(words[1]);
                    if (address instanceof Inet4Address v4 && !v4.isLoopbackAddress() && !v4.isAnyLocalAddress()
                            && !hostAddresses.contains(v4)) {
                        return Optional.of(v4);
                    }
                } catch (UnknownHostException e) {
                    // not an address after all
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isIpv4Literal(String text) {
        return text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /**
     * A route of the host (in the format of {@code /proc/net/route}) on another interface than
     * {@code bridge} that overlaps {@code network/prefix}, described for a message; empty if the
     * subnet is free. The default route does not count.
     */
    static Optional<String> overlappingRoute(String procNetRoute, String bridge, int network, int prefix) {
        for (String line : procNetRoute.lines().skip(1).toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 8 || f[0].equals(bridge)) {
                continue;
            }
            int destination = Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16));
            int mask = Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16));
            int routePrefix = Integer.bitCount(mask);
            if (routePrefix == 0) {
                continue;
            }
            int common = Math.min(prefix, routePrefix);
            int commonMask = -1 << (32 - common);
            if ((destination & commonMask) == (network & commonMask)) {
                return Optional.of(toDotted(destination) + "/" + routePrefix + " on " + f[0]);
            }
        }
        return Optional.empty();
    }

    static String toDotted(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }
}
