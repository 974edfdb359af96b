package dev.agentkernel.egress;

import dev.agentkernel.model.NetworkPolicy;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The checks of one {@link NetworkPolicy}: names, addresses and ports. Deny wins; with an
 * allow-list (any {@code allow} entry) only what is allowed passes.
 *
 * <p>A name matches an exact entry equal to it, or an entry {@code *.D} when it ends with
 * {@code .D}. An address passes when no denied range contains it and, with an allow-list, an
 * allowed range contains it or it was resolved from an allowed name (which the resolver and the
 * packet filter track, not this class).
 *
 * @param policy the policy
 */
public record EgressRules(NetworkPolicy policy) {

    /** Validates. */
    public EgressRules {
        Objects.requireNonNull(policy, "policy");
    }

    /** Whether {@code name} may be resolved and reached by name (ports aside). */
    public Verdict name(String name) {
        String host = normalise(name);
        Optional<String> denied = matching(host, policy.denyDomains());
        if (denied.isPresent()) {
            return new Verdict.Refused("deny_domains: " + denied.get());
        }
        if (!policy.allowListOnly()) {
            return Verdict.ALLOWED;
        }
        return matching(host, policy.allowDomains()).<Verdict>map(d -> Verdict.ALLOWED)
                .orElse(new Verdict.Refused("not in allow_domains"));
    }

    /**
     * Whether {@code address} may be reached because of the address rules alone: not denied, and
     * (with an allow-list) inside an allowed range. An address an allowed name resolved to passes
     * {@link #resolvedAddress} instead.
     */
    public Verdict address(InetAddress address) {
        Verdict resolved = resolvedAddress(address);
        if (!resolved.allowed() || !policy.allowListOnly()) {
            return resolved;
        }
        return inAny(address, policy.allowAddresses()).<Verdict>map(r -> Verdict.ALLOWED)
                .orElse(new Verdict.Refused("not in allow_addresses"));
    }

    /** Whether an address that an allowed name resolved to may be reached: only the denied ranges count. */
    public Verdict resolvedAddress(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            return new Verdict.Refused("IPv6 is not available to sandboxes");
        }
        return inAny(address, policy.denyAddresses()).<Verdict>map(r -> new Verdict.Refused("deny_addresses: " + r))
                .orElse(Verdict.ALLOWED);
    }

    /** Whether destination {@code port} may be reached. */
    public Verdict port(int port) {
        return policy.ports().isEmpty() || policy.ports().contains(port) ? Verdict.ALLOWED
                : new Verdict.Refused("port " + port + " not in ports " + policy.ports());
    }

    /** Whether {@code name} matches one of {@code patterns} (exact or {@code *.} wildcard). */
    public static boolean matches(String name, List<String> patterns) {
        return matching(normalise(name), patterns).isPresent();
    }

    private static Optional<String> matching(String host, List<String> patterns) {
        for (String pattern : patterns) {
            if (pattern.startsWith("*.") ? host.endsWith(pattern.substring(1)) && host.length() > pattern.length() - 1
                    : host.equals(pattern)) {
                return Optional.of(pattern);
            }
        }
        return Optional.empty();
    }

    private static String normalise(String name) {
        String host = name.strip().toLowerCase(Locale.ROOT);
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    private static Optional<String> inAny(InetAddress address, List<String> ranges) {
        if (!(address instanceof Inet4Address)) {
            return Optional.empty();
        }
        int value = toInt(address.getAddress());
        for (String range : ranges) {
            int slash = range.indexOf('/');
            int prefix = Integer.parseInt(range.substring(slash + 1));
            int network = toInt(dotted(range.substring(0, slash)));
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            if ((value & mask) == network) {
                return Optional.of(range);
            }
        }
        return Optional.empty();
    }

    private static byte[] dotted(String text) {
        String[] parts = text.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        return bytes;
    }

    private static int toInt(byte[] b) {
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }
}
