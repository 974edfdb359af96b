package dev.agentkernel.backend.bwrap;

import dev.agentkernel.image.store.RootfsFlattener;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Loads images from AgentKernel's store into the Docker engine, once per image digest (and per
 * generated {@code /etc} layer and agent): the image's layers flattened, the generated
 * {@code /etc} layer on top, and the agent binary with its seccomp filter at
 * {@value BwrapCommandLine#AGENT_DIR}, as one {@code docker import} tagged
 * {@code agentkernel/<digest prefix>:<online|offline>-<etc layer hash>-<payload hash>}. The engine keeps it: later
 * sandboxes (and a restarted AgentKernel) reuse it; {@code docker image prune} or
 * {@code docker rmi} of the {@code agentkernel/} images frees the space.
 */
final class DockerImages {

    private static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration INSPECT_TIMEOUT = Duration.ofSeconds(30);

    private final DockerClient client;
    private final Path work;
    private final List<Path> payload;
    private final String payloadTag;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, Boolean> loaded = new ConcurrentHashMap<>();

    /**
     * @param work       where images are flattened on their way to the engine (emptied after each)
     * @param payload    the agent binary and its seccomp filter, put at {@value BwrapCommandLine#AGENT_DIR}
     * @param payloadTag a short hash of the payload, part of every tag (a new agent makes new images)
     */
    DockerImages(DockerClient client, Path work, List<Path> payload, String payloadTag) {
        this.client = client;
        this.work = work;
        this.payload = List.copyOf(payload);
        this.payloadTag = payloadTag;
    }

    /**
     * The engine's tag of {@code image} with its generated {@code /etc} layer for a sandbox with or without network
     * (the layer's path is part of it: a sandbox under egress control has one that trusts the egress gateway's
     * authority).
     */
    String tag(RootFs.Image image, boolean network) {
        String digest = image.digest().substring(image.digest().indexOf(':') + 1);
        Path etc = network ? image.etcOnline() : image.etcOffline();
        return "agentkernel/" + digest.substring(0, Math.min(16, digest.length())) + ":"
                + (network ? "online" : "offline") + "-" + shortHash(etc.toString()) + "-" + payloadTag;
    }

    private static String shortHash(String text) {
        try {
            byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(
                    text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(sha).substring(0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The engine's tag of the image, loaded into the engine first if it lacks it.
     *
     * @throws SandboxFailureException if it cannot be loaded
     */
    String ensure(RootFs.Image image, boolean network) {
        String tag = tag(image, network);
        if (loaded.containsKey(tag)) {
            return tag;
        }
        synchronized (locks.computeIfAbsent(tag, t -> new Object())) {
            if (loaded.containsKey(tag)) {
                return tag;
            }
            try {
                if (!client.call(INSPECT_TIMEOUT, "image", "inspect", "--format", "{{.Id}}", tag).ok()) {
                    load(image, network ? image.etcOnline() : image.etcOffline(), tag);
                }
            } catch (IOException e) {
                throw new SandboxFailureException("cannot load image " + image.reference() + " into the Docker engine at "
                        + client.host() + ": " + e.getMessage(), e);
            }
            loaded.put(tag, true);
            return tag;
        }
    }

    private void load(RootFs.Image image, Path etc, String tag) throws IOException {
        Files.createDirectories(work);
        Path dir = Files.createTempDirectory(work, "import-");
        try {
            Path root = dir.resolve("root");
            List<Path> layers = new ArrayList<>(image.layers());
            layers.add(etc);
            new RootfsFlattener().flatten(layers, root);
            Path agentDir = root.resolve(BwrapCommandLine.AGENT_DIR.substring(1));
            Files.createDirectories(agentDir);
            Files.setPosixFilePermissions(agentDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Path file : payload) {
                Path copy = agentDir.resolve(file.getFileName().toString());
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString(
                        Files.isExecutable(file) ? "r-xr-xr-x" : "r--r--r--"));
            }
            Path tar = dir.resolve("rootfs.tar");
            run(new ProcessBuilder("tar", "--numeric-owner", "--xattrs", "-C", root.toString(), "-cf", tar.toString(), "."),
                    "tar of " + image.reference());
            DockerClient.Result imported = client.call(IMPORT_TIMEOUT, "import", "--message",
                    "AgentKernel: " + image.reference() + "@" + image.digest(), tar.toString(), tag);
            if (!imported.ok()) {
                throw new IOException("docker import: " + imported.reason());
            }
        } finally {
            LaunchChannel.deleteTree(dir);
        }
    }

    private static void run(ProcessBuilder builder, String what) throws IOException {
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        Process p = builder.start();
        try {
            if (!p.waitFor(IMPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " did not end in time");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(what + " failed (exit code " + p.exitValue() + ")");
        }
    }
}
