package dev.agentkernel.egress.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads the lists of upstream servers: resolv.conf text and {@code IP[:PORT],...}. */
final class UpstreamServers {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private UpstreamServers() {
    }

    static List<InetSocketAddress> fromResolvConf(String text, boolean skipLoopback) {
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 2 || !words[0].equals("nameserver")) {
                continue;
            }
            ipv4(words[1]).filter(a -> !(skipLoopback && a.isLoopbackAddress()))
                    .map(a -> new InetSocketAddress(a, 53))
                    .filter(a -> !servers.contains(a))
                    .ifPresent(servers::add);
        }
        return List.copyOf(servers);
    }

    static List<InetSocketAddress> parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("AGENTKERNEL_EGRESS_DNS is empty: give IP[:PORT],... "
                    + "(IPv4 addresses of DNS servers, e.g. 192.0.2.53,127.0.0.53:53)");
        }
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String entry : text.split(",", -1)) {
            String item = entry.strip();
            int colon = item.indexOf(':');
            String host = colon < 0 ? item : item.substring(0, colon);
            int port = 53;
            if (colon >= 0) {
                String digits = item.substring(colon + 1);
                port = digits.matches("\\d{1,5}") ? Integer.parseInt(digits) : -1;
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("AGENTKERNEL_EGRESS_DNS: '" + item + "' has no port in 1..65535 "
                            + "(IP[:PORT],..., e.g. 192.0.2.53:53)");
                }
            }
            Inet4Address address = ipv4(host).orElseThrow(() -> new IllegalArgumentException("AGENTKERNEL_EGRESS_DNS: '"
                    + item + "' is not an IPv4 address with an optional port (IP[:PORT],..., e.g. 192.0.2.53:53; "
                    + "names are not accepted: the resolver is what resolves them)"));
            InetSocketAddress server = new InetSocketAddress(address, port);
            if (!servers.contains(server)) {
                servers.add(server);
            }
        }
        return List.copyOf(servers);
    }

    private static Optional<Inet4Address> ipv4(String text) {
        var m = IPV4.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of((Inet4Address) InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
