package dev.agentkernel.image;

import java.util.List;
import java.util.Objects;

/**
 * How to reach one registry, by configuration.
 *
 * @param mirrors   mirrors tried in order before the registry itself, as {@code host[:port]} or
 *                  {@code http://host:port} / {@code https://host} (a mirror serves the same
 *                  repositories; its content is checked by digest like the registry's)
 * @param plainHttp use plain HTTP for this registry (loopback registries may always use it)
 * @param username  user name, or null to use {@code ~/.docker/config.json}
 * @param password  password or token, with {@code username}
 */
public record RegistrySettings(List<String> mirrors, boolean plainHttp, String username, String password) {

    /** No mirror, HTTPS, credentials from the Docker configuration. */
    public static final RegistrySettings DEFAULT = new RegistrySettings(List.of(), false, null, null);

    /** Copies the list; credentials come as a pair. */
    public RegistrySettings {
        mirrors = List.copyOf(Objects.requireNonNullElse(mirrors, List.of()));
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("registry username and password must be given together");
        }
    }

    /** These settings with the given mirrors. */
    public RegistrySettings withMirrors(List<String> newMirrors) {
        return new RegistrySettings(newMirrors, plainHttp, username, password);
    }

    /** These settings with plain HTTP on or off. */
    public RegistrySettings withPlainHttp(boolean on) {
        return new RegistrySettings(mirrors, on, username, password);
    }

    /** These settings with credentials. */
    public RegistrySettings withCredentials(String user, String pass) {
        return new RegistrySettings(mirrors, plainHttp, user, pass);
    }

    @Override
    public String toString() {
        return "RegistrySettings[mirrors=" + mirrors + ", plainHttp=" + plainHttp + ", username=" + username
                + (password != null ? ", password=***" : "") + "]";
    }
}
