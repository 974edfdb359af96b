package dev.agentkernel.server;

import dev.agentkernel.model.InvalidRequestException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How the API server listens, and whom it answers.
 *
 * @param host           address to bind; loopback by default
 * @param port           TCP port; 0 picks a free one
 * @param apiKeys        accepted keys; empty turns authentication off
 * @param maxBodyBytes   largest request body accepted (413 above)
 * @param allowedHosts   {@code Host} names accepted besides the daemon's own (loopback names and
 *                       addresses, IP literals, the bind address, the machine's host name), e.g.
 *                       the name of a reverse proxy; {@code *} accepts any
 * @param allowedOrigins browser origins ({@code scheme://host[:port]}) accepted besides the
 *                       daemon's own; {@code *} accepts any
 */
public record ServerConfig(String host, int port, List<String> apiKeys, long maxBodyBytes, List<String> allowedHosts,
                           List<String> allowedOrigins) {

    /** The default port of the product. */
    public static final int DEFAULT_PORT = 18888;

    /** Validates and copies. */
    public ServerConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new InvalidRequestException("port " + port + " is out of range 0-65535");
        }
        apiKeys = List.copyOf(apiKeys);
        if (maxBodyBytes < 1024) {
            throw new InvalidRequestException("maximum body size must be at least 1024 bytes");
        }
        allowedHosts = allowedHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        allowedOrigins = allowedOrigins.stream().map(ServerConfig::normalizeOrigin).filter(o -> !o.isEmpty()).toList();
    }

    /** No host or origin beyond the daemon's own. */
    public ServerConfig(String host, int port, List<String> apiKeys, long maxBodyBytes) {
        this(host, port, apiKeys, maxBodyBytes, List.of(), List.of());
    }

    /** A copy with other extra {@code Host} names. */
    public ServerConfig withAllowedHosts(List<String> value) {
        return new ServerConfig(host, port, apiKeys, maxBodyBytes, value, allowedOrigins);
    }

    /** A copy with other extra browser origins. */
    public ServerConfig withAllowedOrigins(List<String> value) {
        return new ServerConfig(host, port, apiKeys, maxBodyBytes, allowedHosts, value);
    }

    /**
     * Keys from {@code AGENTKERNEL_API_KEY}: one key, or several separated by commas or whitespace.
     */
    public static List<String> keysFromEnvironment(String value) {
        return splitList(value);
    }

    /** Entries of a list such as {@code AGENTKERNEL_ALLOWED_ORIGINS}: separated by commas or whitespace. */
    public static List<String> splitList(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return List.of(value.trim().split("[,\\s]+"));
    }

    /** An origin as browsers send it: lower case, no trailing slash. */
    static String normalizeOrigin(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        while (o.endsWith("/")) {
            o = o.substring(0, o.length() - 1);
        }
        return o;
    }
}
