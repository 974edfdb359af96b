package dev.agentkernel.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A secret granted to one sandbox for some hosts: the sandbox holds only {@code placeholder};
 * the proxy puts {@code value} in its place in requests to those hosts (headers, and the body if
 * {@code body}), and to no other host. The value lives in the daemon's memory only.
 *
 * @param name        the secret's name (for audit events; never the value)
 * @param placeholder what the sandbox sees instead of the value
 * @param value       the real value
 * @param hosts       the hosts it may be sent to (exact names or {@code *.} wildcards, as in a
 *                    {@link NetworkPolicy})
 * @param header      if present, the request header the proxy sets to the value for those hosts
 *                    even when the program did not send the placeholder
 * @param body        whether placeholders in request bodies are replaced too
 */
public record SecretGrant(String name, String placeholder, String value, List<String> hosts,
                          Optional<String> header, boolean body) {

    /** Validates and copies. */
    public SecretGrant {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(placeholder, "placeholder");
        Objects.requireNonNull(value, "value");
        hosts = List.copyOf(hosts);
        Objects.requireNonNull(header, "header");
    }

    /** Never shows the value. */
    @Override
    public String toString() {
        return "SecretGrant[" + name + " for " + hosts + "]";
    }
}
