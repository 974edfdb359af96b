package dev.agentkernel.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a sandbox with network may reach, enforced outside it (our resolver, the host's packet
 * filter and a proxy that checks HTTP {@code Host} and TLS SNI). Empty lists mean no rule of
 * that kind. As soon as one {@code allow} entry exists (a domain or an address range), only what
 * is allowed is reachable; otherwise everything but what is denied. Deny always wins.
 *
 * @param allowDomains   domains that may be resolved and reached; {@code *.example.com} matches every
 *                       name below {@code example.com} (not {@code example.com} itself)
 * @param denyDomains    domains that are never resolved or reached, same syntax
 * @param allowAddresses IP addresses and CIDR ranges that may be reached directly (IPv4)
 * @param denyAddresses  IP addresses and CIDR ranges that are never reached, also when an allowed
 *                       name resolves to them
 * @param ports          the destination ports that may be reached; empty: every port
 * @param extraHosts     extra name-to-address entries ({@code --add-host NAME:IP}), answered by
 *                       our resolver and subject to the same rules as any other name
 */
public record NetworkPolicy(List<String> allowDomains, List<String> denyDomains, List<String> allowAddresses,
                            List<String> denyAddresses, List<Integer> ports, Map<String, String> extraHosts) {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final int MAX_ENTRIES = 1000;

    /** No rule: everything the profile's network reaches. */
    public static final NetworkPolicy NONE = new NetworkPolicy(List.of(), List.of(), List.of(), List.of(), List.of(),
            Map.of());

    /**
     * Validates, normalises (lower case, no trailing dot, ranges in canonical form) and copies.
     *
     * @throws InvalidRequestException naming the entry that is not valid and why
     */
    public NetworkPolicy {
        allowDomains = domains(allowDomains, "allow_domains");
        denyDomains = domains(denyDomains, "deny_domains");
        allowAddresses = ranges(allowAddresses, "allow_addresses");
        denyAddresses = ranges(denyAddresses, "deny_addresses");
        Objects.requireNonNull(ports, "ports");
        if (ports.size() > MAX_ENTRIES) {
            throw new InvalidRequestException("ports: at most " + MAX_ENTRIES + " entries");
        }
        for (Integer port : ports) {
            if (port == null || port < 1 || port > 65535) {
                throw new InvalidRequestException("ports: " + port + " is not a port (1..65535)");
            }
        }
        ports = List.copyOf(new java.util.TreeSet<>(ports));
        Objects.requireNonNull(extraHosts, "extraHosts");
        Map<String, String> hosts = new LinkedHashMap<>();
        extraHosts.forEach((name, address) -> {
            String host = domain(name, "extra_hosts", false);
            if (address == null || !IPV4.matcher(address).matches() || !octets(address)) {
                throw new InvalidRequestException("extra_hosts: '" + address + "' for " + name
                        + " is not an IPv4 address (NAME:IP, e.g. db.internal:198.51.100.7)");
            }
            hosts.put(host, address);
        });
        extraHosts = Map.copyOf(hosts);
    }

    /** Whether this policy has any rule (otherwise the sandbox's network is not filtered beyond the profile's). */
    public boolean restricts() {
        return !allowDomains.isEmpty() || !denyDomains.isEmpty() || !allowAddresses.isEmpty()
                || !denyAddresses.isEmpty() || !ports.isEmpty() || !extraHosts.isEmpty();
    }

    /** Whether only what is allowed is reachable (some {@code allow} entry exists). */
    public boolean allowListOnly() {
        return !allowDomains.isEmpty() || !allowAddresses.isEmpty();
    }

    /** This policy with the entries of {@code more} added (request over configuration: both apply, deny wins). */
    public NetworkPolicy merge(NetworkPolicy more) {
        Map<String, String> hosts = new LinkedHashMap<>(extraHosts);
        hosts.putAll(more.extraHosts);
        return new NetworkPolicy(concat(allowDomains, more.allowDomains), concat(denyDomains, more.denyDomains),
                concat(allowAddresses, more.allowAddresses), concat(denyAddresses, more.denyAddresses),
                concat(ports, more.ports), hosts);
    }

    /**
     * Parses {@code NAME:IP} (Docker's {@code --add-host}).
     *
     * @throws InvalidRequestException if it is not of that form
     */
    public static Map.Entry<String, String> parseExtraHost(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new InvalidRequestException("add-host: '" + text + "' is not NAME:IP (e.g. db.internal:198.51.100.7)");
        }
        return Map.entry(text.substring(0, colon).strip(), text.substring(colon + 1).strip());
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        b.stream().filter(x -> !all.contains(x)).forEach(all::add);
        return all;
    }

    private static List<String> domains(List<String> entries, String field) {
        Objects.requireNonNull(entries, field);
        if (entries.size() > MAX_ENTRIES) {
            throw new InvalidRequestException(field + ": at most " + MAX_ENTRIES + " entries");
        }
        List<String> out = new ArrayList<>();
        for (String entry : entries) {
            String domain = domain(entry, field, true);
            if (!out.contains(domain)) {
                out.add(domain);
            }
        }
        return List.copyOf(out);
    }

    private static String domain(String entry, String field, boolean wildcard) {
        if (entry == null) {
            throw new InvalidRequestException(field + ": null is not a domain");
        }
        String name = entry.strip().toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        String rest = wildcard && name.startsWith("*.") ? name.substring(2) : name;
        String why = null;
        if (rest.isEmpty() || rest.length() > 253) {
            why = "a domain has 1 to 253 characters";
        } else if (IPV4.matcher(rest).matches() || rest.contains(":")) {
            why = "an address belongs in allow_addresses/deny_addresses, not in a domain list";
        } else {
            for (String label : rest.split("\\.", -1)) {
                if (!LABEL.matcher(label).matches()) {
                    why = "'" + label + "' is not a DNS label (letters, digits, '-', '_'; '*.' only as the first label)";
                    break;
                }
            }
        }
        if (why != null) {
            throw new InvalidRequestException(field + ": '" + entry + "' is not a domain: " + why);
        }
        return name;
    }

    private static List<String> ranges(List<String> entries, String field) {
        Objects.requireNonNull(entries, field);
        if (entries.size() > MAX_ENTRIES) {
            throw new InvalidRequestException(field + ": at most " + MAX_ENTRIES + " entries");
        }
        List<String> out = new ArrayList<>();
        for (String entry : entries) {
            String range = range(entry, field);
            if (!out.contains(range)) {
                out.add(range);
            }
        }
        return List.copyOf(out);
    }

    /** {@code A.B.C.D} or {@code A.B.C.D/N}, with the host bits cleared. */
    private static String range(String entry, String field) {
        String text = entry == null ? "" : entry.strip();
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!IPV4.matcher(address).matches() || !octets(address)) {
            throw new InvalidRequestException(field + ": '" + entry + "' is not an IPv4 address or CIDR range "
                    + "(e.g. 198.51.100.0/24); sandboxes have no IPv6");
        }
        int prefix;
        try {
            prefix = slash < 0 ? 32 : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > 32) {
            throw new InvalidRequestException(field + ": '" + entry + "' has no prefix length in 0..32");
        }
        String[] parts = address.split("\\.");
        int value = 0;
        for (String part : parts) {
            value = value << 8 | Integer.parseInt(part);
        }
        int masked = prefix == 0 ? 0 : value & (-1 << (32 - prefix));
        return (masked >>> 24) + "." + ((masked >>> 16) & 0xff) + "." + ((masked >>> 8) & 0xff) + "." + (masked & 0xff)
                + "/" + prefix;
    }

    private static boolean octets(String address) {
        for (String part : address.split("\\.")) {
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }
}
