package dev.agentkernel.client;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The API key of the daemon on this machine: {@code STATE/api-key}, which a daemon started
 * without {@code AGENTKERNEL_API_KEY} creates (owner-only). STATE is {@code AGENTKERNEL_STATE_DIR},
 * else {@code /var/lib/agentkernel} for root, else {@code $XDG_DATA_HOME/agentkernel} or
 * {@code ~/.local/share/agentkernel}, as for the daemon. Read only for a loopback base URL, so
 * the key never goes to another machine. Package-private.
 */
final class LocalDaemonKey {

    static final String FILE = "api-key";

    private LocalDaemonKey() {
    }

    /** The key for {@code baseUrl}, if it is on loopback and the file is readable. */
    static Optional<String> forUrl(URI baseUrl, Map<String, String> env) {
        return isLoopback(baseUrl) ? read(stateDir(env)) : Optional.empty();
    }

    static boolean isLoopback(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.equals("[::1]") || host.equals("::1")
                || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    static Path stateDir(Map<String, String> env) {
        String explicit = env.get("AGENTKERNEL_STATE_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        if (isRoot()) {
            return Path.of("/var/lib/agentkernel");
        }
        String data = env.get("XDG_DATA_HOME");
        return (data != null && !data.isBlank() ? Path.of(data) : Path.of(System.getProperty("user.home"), ".local", "share"))
                .resolve("agentkernel");
    }

    static Optional<String> read(Path stateDir) {
        try {
            String key = Files.readString(stateDir.resolve(FILE), StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            return key.isEmpty() ? Optional.empty() : Optional.of(key);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).strip().split("\\s+");
                    return ids.length > 1 && ids[1].equals("0");
                }
            }
        } catch (IOException | SecurityException e) {
            // not Linux: fall through
        }
        return "root".equals(System.getProperty("user.name"));
    }
}
