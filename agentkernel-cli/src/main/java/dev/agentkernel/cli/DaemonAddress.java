package dev.agentkernel.cli;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a daemon listens, as {@code serve} announces it on stderr:
 * {@code agentkernel: serving on http://HOST:PORT (backend ...)}.
 *
 * @param host the address it listens on, as given to {@code --host} (may be a wildcard)
 * @param port the port it listens on (never 0: the one {@code --port 0} picked)
 */
record DaemonAddress(String host, int port) {

    private static final Pattern SERVING = Pattern.compile("^agentkernel: serving on http://(\\S+):(\\d{1,5})(?=[ /]|$)");

    /** Validates. */
    DaemonAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
    }

    /** The address in one line of {@code serve}'s output, if it is the "serving on" line. */
    static Optional<DaemonAddress> fromServingLine(String line) {
        Matcher m = SERVING.matcher(line.strip());
        if (!m.find()) {
            return Optional.empty();
        }
        String host = m.group(1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(m.group(2));
        if (host.isBlank() || port < 1 || port > 65_535) {
            return Optional.empty();
        }
        return Optional.of(new DaemonAddress(host, port));
    }

    /** The address of the first "serving on" line in a stretch of {@code serve}'s output. */
    static Optional<DaemonAddress> findIn(String output) {
        return output.lines().map(DaemonAddress::fromServingLine).flatMap(Optional::stream).findFirst();
    }

    /** The host a client connects to: loopback in place of a wildcard address. */
    String connectHost() {
        return switch (host) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "::0", "0:0:0:0:0:0:0:0" -> "::1";
            default -> host;
        };
    }

    /** The base URL a client uses, e.g. {@code http://127.0.0.1:18888} or {@code http://[::1]:18888}. */
    String url() {
        String h = connectHost();
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }
}
