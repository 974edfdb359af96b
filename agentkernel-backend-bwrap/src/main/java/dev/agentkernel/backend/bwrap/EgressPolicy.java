package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.BackendUnavailableException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Which destinations beyond the host a sandbox with network may not reach: private and
 * special-purpose ranges ({@link #PRIVATE}) unless the configuration allows some of them
 * ({@value #ALLOW_ENV}). The host's own addresses are never reachable, whatever this says: that
 * is enforced apart from it (the bridge's nftables rules, the slirp4netns guard's route lookup).
 *
 * <p>Enforced per sandbox, outside its reach, by both mechanisms alike: through the bridge as
 * routes in the sandbox's network namespace, which the launcher creates as host root before the
 * sandbox's user namespace exists ({@code prohibit} routes for the denied ranges: a connection
 * fails at once with EACCES; routes through the gateway for the allowed parts, which are more
 * specific); through slirp4netns by {@code ak-netguard}, which refuses its connections and
 * datagrams to denied ranges (ECONNREFUSED, EACCES). A per-sandbox egress policy (issue 16)
 * extends this record.
 *
 * @param denied  ranges no sandbox reaches unless {@code allowed} covers the address
 * @param allowed ranges excepted from {@code denied}
 */
record EgressPolicy(List<AddressRange> denied, List<AddressRange> allowed) {

    /** The environment variable (daemon configuration) with the private ranges sandboxes may reach. */
    static final String ALLOW_ENV = "AGENTKERNEL_ALLOW_PRIVATE";

    /**
     * Private, shared and special-purpose ranges (RFC 6890 and its successors) that lead to
     * the host's networks, the provider's infrastructure or nowhere, rather than the internet:
     * "this network", RFC 1918, shared address space (RFC 6598, also the bridge's own subnet),
     * loopback, link-local (with the cloud metadata address 169.254.169.254), IETF protocol
     * assignments, multicast, reserved and broadcast; for IPv6 the IPv4-compatible block with
     * the unspecified and loopback addresses, the local-use NAT64 prefix, discard-only, unique
     * local, link-local, site-local and multicast. IPv4-mapped IPv6 addresses count as their
     * IPv4 address.
     */
    static final List<AddressRange> PRIVATE = Stream.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
            "::/96", "64:ff9b:1::/48", "100::/64", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8")
            .map(AddressRange::parse).toList();

    /** Copies. */
    EgressPolicy {
        denied = List.copyOf(denied);
        allowed = List.copyOf(allowed);
    }

    /** The default: every range of {@link #PRIVATE} denied, none allowed. */
    static EgressPolicy defaults() {
        return new EgressPolicy(PRIVATE, List.of());
    }

    /**
     * The default with the ranges of {@value #ALLOW_ENV} (comma- or space-separated CIDR
     * ranges or addresses) allowed.
     *
     * @throws BackendUnavailableException naming the entry that is not a range
     */
    static EgressPolicy fromEnvironment(Map<String, String> env) {
        String value = env.getOrDefault(ALLOW_ENV, "").strip();
        List<AddressRange> allowed = new ArrayList<>();
        for (String entry : value.split("[,\\s]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            try {
                allowed.add(AddressRange.parse(entry));
            } catch (IllegalArgumentException e) {
                throw new BackendUnavailableException(ALLOW_ENV + ": " + e.getMessage()
                        + "; give CIDR ranges separated by commas, e.g. " + ALLOW_ENV + "=10.1.2.0/24,192.168.5.7");
            }
        }
        return new EgressPolicy(PRIVATE, allowed);
    }

    /** This policy with {@code ranges} (CIDR texts of a sandbox's own network policy) allowed too. */
    EgressPolicy allowing(List<String> ranges) {
        if (ranges.isEmpty()) {
            return this;
        }
        List<AddressRange> more = new ArrayList<>(allowed);
        ranges.forEach(r -> more.add(AddressRange.parse(r)));
        return new EgressPolicy(denied, more);
    }

    /**
     * Whether the host may connect to {@code address} on a sandbox's behalf (the egress proxy): no
     * refused range contains it.
     */
    boolean reachable(InetAddress address) {
        AddressRange one = new AddressRange(address, address.getAddress().length * 8);
        return effectiveDenied().stream().noneMatch(d -> d.contains(one));
    }

    /** The denied ranges that no allowed range covers entirely: what is refused. */
    List<AddressRange> effectiveDenied() {
        return denied.stream().filter(d -> allowed.stream().noneMatch(a -> a.contains(d))).toList();
    }

    /** The allowed ranges that make a difference: those within an effectively denied range. */
    List<AddressRange> effectiveAllowed() {
        List<AddressRange> refused = effectiveDenied();
        return allowed.stream().filter(a -> refused.stream().anyMatch(d -> d.contains(a))).toList();
    }

    /**
     * The launcher's arguments for a sandbox on the bridge: {@code --prohibit CIDR} for each
     * refused IPv4 range, {@code --route CIDR} for each allowed part of one (IPv4 only: the
     * sandbox has no IPv6). The sandbox's own subnet is left out: its connected route is there
     * already, and the bridge's rules keep it apart from the host and the other sandboxes.
     */
    List<String> routeArguments(AddressRange sandboxSubnet) {
        List<String> argv = new ArrayList<>();
        for (AddressRange d : effectiveDenied()) {
            if (d.ipv4() && !d.equals(sandboxSubnet)) {
                argv.addAll(List.of("--prohibit", d.toString()));
            }
        }
        for (AddressRange a : effectiveAllowed()) {
            if (a.ipv4() && !sandboxSubnet.overlaps(a)) {
                argv.addAll(List.of("--route", a.toString()));
            }
        }
        return argv;
    }

    /**
     * {@code ak-netguard}'s arguments: the refused ranges, the allowed parts, and the host's
     * resolvers (port 53 there stays open: slirp4netns forwards the sandbox's DNS to them).
     */
    List<String> guardArguments(List<InetAddress> resolvers) {
        List<String> argv = new ArrayList<>();
        effectiveDenied().forEach(d -> argv.addAll(List.of("--deny", d.toString())));
        effectiveAllowed().forEach(a -> argv.addAll(List.of("--allow", a.toString())));
        resolvers.forEach(r -> argv.addAll(List.of("--dns", r.getHostAddress().replaceAll("%.*", ""))));
        return argv;
    }

    /** The literal {@code nameserver} addresses of a {@code resolv.conf} text, in order. */
    static List<InetAddress> nameservers(String resolvConf) {
        List<InetAddress> found = new ArrayList<>();
        for (String line : resolvConf.lines().toList()) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 2 || !words[0].equals("nameserver")) {
                continue;
            }
            String literal = words[1].replaceAll("%.*", ""); // an IPv6 zone
            if (literal.matches("[0-9.]+") || literal.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) { // never a name
                try {
                    found.add(InetAddress.getByName(literal));
                } catch (UnknownHostException e) {
                    // not a literal address: libslirp skips it too
                }
            }
        }
        return found;
    }
}
