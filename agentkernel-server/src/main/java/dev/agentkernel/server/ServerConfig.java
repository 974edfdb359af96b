package dev.agentkernel.server;

import dev.agentkernel.model.InvalidRequestException;
import java.util.List;
import java.util.Objects;

/**
 * How the API server listens.
 *
 * @param host         address to bind; loopback by default
 * @param port         TCP port; 0 picks a free one
 * @param apiKeys      accepted keys; empty turns authentication off
 * @param maxBodyBytes largest request body accepted (413 above)
 */
public record ServerConfig(String host, int port, List<String> apiKeys, long maxBodyBytes) {

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
    }

    /**
     * Keys from {@code AGENTKERNEL_API_KEY}: one key, or several separated by commas or whitespace.
     */
    public static List<String> keysFromEnvironment(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return List.of(value.trim().split("[,\\s]+"));
    }
}
