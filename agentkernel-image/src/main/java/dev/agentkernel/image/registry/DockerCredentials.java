package dev.agentkernel.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.image.oci.OciDocuments;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Credentials from a Docker client configuration ({@code $DOCKER_CONFIG/config.json} or
 * {@code ~/.docker/config.json}): {@code credHelpers.<registry>} and {@code credsStore} run
 * {@code docker-credential-NAME get} with the server on stdin; {@code auths.<registry>} holds
 * {@code auth} (base64 of user:password) or {@code username}/{@code password}. Docker Hub's key
 * is {@code https://index.docker.io/v1/}.
 */
final class DockerCredentials {

    private static final System.Logger LOG = System.getLogger(DockerCredentials.class.getName());
    /**
     * Where a helper's output is read: virtual threads, not the common pool (one thread on two CPUs, which the
     * two blocking reads would hold in turn, and which the JDK's {@code Process.onExit} needs too).
     */
    private static final java.util.concurrent.Executor READERS =
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);

    private final Path configFile;

    DockerCredentials(Path configFile) {
        this.configFile = configFile;
    }

    /** The default location: {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
    static Path defaultLocation() {
        String dir = System.getenv("DOCKER_CONFIG");
        return dir != null && !dir.isBlank() ? Path.of(dir, "config.json")
                : Path.of(System.getProperty("user.home"), ".docker", "config.json");
    }

    Optional<Credentials> lookup(String registry) {
        if (configFile == null || !Files.isRegularFile(configFile)) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = OciDocuments.tree(Files.readAllBytes(configFile), "Docker configuration " + configFile);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring unreadable {0}: {1}", configFile, e.getMessage());
            return Optional.empty();
        }
        List<String> keys = keys(registry);
        for (String key : keys) {
            JsonNode helper = root.path("credHelpers").get(key);
            if (helper != null && helper.isTextual()) {
                return helper(helper.asText(), key);
            }
        }
        JsonNode auths = root.path("auths");
        for (String key : keys) {
            Optional<Credentials> c = fromAuth(auths.get(key));
            if (c.isPresent()) {
                return c;
            }
        }
        // Entries written as URLs (https://host/...) match by host.
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String host = e.getKey().replaceFirst("^https?://", "").replaceFirst("/.*$", "");
            if (keys.contains(host)) {
                Optional<Credentials> c = fromAuth(e.getValue());
                if (c.isPresent()) {
                    return c;
                }
            }
        }
        JsonNode store = root.get("credsStore");
        if (store != null && store.isTextual() && !store.asText().isBlank()) {
            return helper(store.asText(), keys.getFirst());
        }
        return Optional.empty();
    }

    private static List<String> keys(String registry) {
        if (registry.equals("docker.io")) {
            return List.of("https://index.docker.io/v1/", "docker.io", "index.docker.io", "registry-1.docker.io");
        }
        return List.of(registry, "https://" + registry, "http://" + registry);
    }

    private static Optional<Credentials> fromAuth(JsonNode entry) {
        if (entry == null || !entry.isObject()) {
            return Optional.empty();
        }
        String auth = entry.path("auth").asText("");
        if (!auth.isEmpty()) {
            String decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
            }
        }
        String user = entry.path("username").asText("");
        String pass = entry.path("password").asText("");
        if (!user.isEmpty() && !pass.isEmpty()) {
            return Optional.of(new Credentials(user, pass));
        }
        String identity = entry.path("identitytoken").asText("");
        if (!identity.isEmpty()) {
            return Optional.of(new Credentials("<token>", identity));
        }
        return Optional.empty();
    }

    /** Runs {@code docker-credential-NAME get}; "credentials not found" is no credentials. */
    private static Optional<Credentials> helper(String name, String server) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            LOG.log(System.Logger.Level.WARNING, "ignoring credential helper with an invalid name {0}", name);
            return Optional.empty();
        }
        String program = "docker-credential-" + name;
        Process process;
        try {
            process = new ProcessBuilder(program, "get").redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new RegistryException("the credential helper " + program + " configured in the Docker "
                    + "configuration cannot be started (" + e.getMessage() + "); install it or remove it from "
                    + "config.json", e);
        }
        try {
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()),
                    READERS);
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()),
                    READERS);
            try (OutputStream in = process.getOutputStream()) {
                in.write(server.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // a helper may answer without reading its input (one with nothing stored: "credentials not
                // found", exit 1): the write then meets a closed pipe; its answer and exit status tell the rest
            }
            if (!process.waitFor(HELPER_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new RegistryException("the credential helper " + program + " did not answer within "
                        + HELPER_TIMEOUT.toSeconds() + " s");
            }
            String stdout = new String(out.join(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                if (stdout.contains("credentials not found")) {
                    return Optional.empty();
                }
                throw new RegistryException("the credential helper " + program + " failed (exit "
                        + process.exitValue() + "): " + new String(err.join(), StandardCharsets.UTF_8).strip()
                        + " " + stdout.strip());
            }
            JsonNode node = OciDocuments.tree(stdout.getBytes(StandardCharsets.UTF_8), program + " output");
            String user = node.path("Username").asText("");
            String secret = node.path("Secret").asText("");
            return secret.isEmpty() ? Optional.empty() : Optional.of(new Credentials(user, secret));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new RegistryException("interrupted while running " + program, e);
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
