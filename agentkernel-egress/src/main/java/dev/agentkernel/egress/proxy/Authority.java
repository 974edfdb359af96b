package dev.agentkernel.egress.proxy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a request goes: a host (a DNS name or an IPv4 literal) and a port, from a {@code Host}
 * header, an absolute-form target or a CONNECT target.
 *
 * @param host the host, lower case, without a trailing dot
 * @param port the port
 */
record Authority(String host, int port) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9_]([a-z0-9_.-]{0,252})");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    /**
     * Parses {@code host}, {@code host:port} or {@code [v6]:port}.
     *
     * @param defaultPort the port when none is given; 0 when one must be given
     * @throws HttpProblem 400 if it is not such an authority
     */
    static Authority parse(String text, int defaultPort) throws HttpProblem {
        String hostText;
        String portText = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new HttpProblem(400, "'" + shown(text) + "' is not HOST or HOST:PORT");
            }
            hostText = text.substring(0, close + 1);
            if (close + 1 < text.length()) {
                if (text.charAt(close + 1) != ':') {
                    throw new HttpProblem(400, "'" + shown(text) + "' is not HOST or HOST:PORT");
                }
                portText = text.substring(close + 2);
            }
        } else {
            int colon = text.lastIndexOf(':');
            hostText = colon < 0 ? text : text.substring(0, colon);
            portText = colon < 0 ? null : text.substring(colon + 1);
        }
        int port = defaultPort;
        if (portText != null) {
            try {
                port = portText.length() > 5 ? -1 : Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (port < 1 || port > 65535) {
            throw new HttpProblem(400, "'" + shown(text) + "' has no port in 1..65535 (HOST:PORT)");
        }
        String host = hostText.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        boolean v6 = host.startsWith("[") && host.endsWith("]") && host.length() > 2
                && host.substring(1, host.length() - 1).chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
        if (!v6 && !NAME.matcher(host).matches()) {
            throw new HttpProblem(400, "'" + shown(text) + "' does not name a host");
        }
        return new Authority(host, port);
    }

    /** Whether the host is an IPv4 literal. */
    boolean isIpv4() {
        if (!IPV4.matcher(host).matches()) {
            return false;
        }
        for (String octet : host.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Whether the host is an IPv6 literal (sandboxes have no IPv6). */
    boolean isIpv6() {
        return host.startsWith("[");
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }

    private static String shown(String text) {
        String cut = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
