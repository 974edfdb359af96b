package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * Lends a persistent sandbox's writable layer (its {@code root-layer} directory under AgentKernel's state,
 * {@code upper/} and {@code work/}, as the other backends keep it) to a container of the Docker engine, so that
 * the layer stays AgentKernel's across stop and start, daemon restarts, snapshots and forks, whatever the engine
 * does with its containers.
 *
 * <p>The engine's {@code overlay2} storage driver gives every container a layer directory of its own whose
 * {@code diff} (the overlay's upper directory) and {@code work} it mounts when the container starts. Between
 * {@code docker create} and {@code docker start}, {@link #lend} replaces those two (still empty) directories
 * with symbolic links to the sandbox's {@code upper} and {@code work}, both on one mount as overlayfs requires;
 * the kernel follows them when the engine mounts the overlay. {@link #reclaim} puts empty directories back
 * before the container is removed, so the engine never deletes anything of the sandbox's. Another storage
 * driver is refused with the reason: the sandbox cannot be persistent on that engine.
 */
final class DockerLayers {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger(DockerLayers.class.getName());

    private final DockerClient client;
    private final long sandboxRoot;

    /**
     * @param sandboxRoot the host uid (and gid) of the containers' root, the owner of a new layer's {@code upper}
     */
    DockerLayers(DockerClient client, long sandboxRoot) {
        this.client = client;
        this.sandboxRoot = sandboxRoot;
    }

    /** The container's upper and work directories on the host. */
    private record Dirs(Path upper, Path work) {
    }

    /**
     * Makes {@code layer} the writable layer of the created (not yet started) {@code container}.
     *
     * @throws BackendUnavailableException if the engine's storage driver is not overlay2
     * @throws SandboxFailureException     if the layer cannot be prepared or lent
     */
    void lend(String container, Path layer) {
        Dirs dirs = dirs(container);
        try {
            Path upper = prepare(layer.resolve("upper"), "rwxr-xr-x", true);
            Path work = prepare(layer.resolve("work"), "rwx------", false);
            for (Path engine : List.of(dirs.upper(), dirs.work())) {
                if (!Files.isDirectory(engine, LinkOption.NOFOLLOW_LINKS)) {
                    throw new SandboxFailureException("the Docker engine's layer directory " + engine
                            + " is not a directory");
                }
                LaunchChannel.deleteTree(engine); // new and empty (work may hold the overlay's own empty work/)
            }
            Files.createSymbolicLink(dirs.upper(), upper);
            Files.createSymbolicLink(dirs.work(), work);
        } catch (IOException e) {
            throw new SandboxFailureException("cannot lend the sandbox's writable layer " + layer
                    + " to the Docker engine: " + e.getMessage(), e);
        }
    }

    /** Puts empty directories back where {@link #lend} put links, if it did. Never throws. */
    void reclaim(String container) {
        Dirs dirs;
        try {
            dirs = dirs(container);
        } catch (RuntimeException e) {
            return; // no such container, or not overlay2: nothing was lent
        }
        for (Path engine : List.of(dirs.upper(), dirs.work())) {
            try {
                if (Files.isSymbolicLink(engine)) {
                    Files.delete(engine);
                    Files.createDirectory(engine);
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot take the sandbox's layer back from " + engine + ": "
                        + e.getMessage());
            }
        }
    }

    private Dirs dirs(String container) {
        DockerClient.Result r;
        try {
            r = client.call(CALL_TIMEOUT, "inspect", "--format",
                    "{{.GraphDriver.Name}}|{{.GraphDriver.Data.UpperDir}}|{{.GraphDriver.Data.WorkDir}}", container);
        } catch (IOException e) {
            throw new SandboxFailureException("cannot inspect the container " + container + ": " + e.getMessage(), e);
        }
        if (!r.ok()) {
            throw new SandboxFailureException("cannot inspect the container " + container + ": " + r.reason());
        }
        String[] parts = r.out().strip().split("\\|", -1);
        if (parts.length != 3 || !parts[0].equals("overlay2") || !parts[1].startsWith("/") || !parts[2].startsWith("/")) {
            throw new BackendUnavailableException("persistent sandboxes on the docker backend need the engine's "
                    + "overlay2 storage driver (this engine's is " + (parts.length > 0 ? parts[0] : "unknown")
                    + "); restart dockerd with --storage-driver overlay2, or use the bwrap, runc, crun or podman backend");
        }
        return new Dirs(Path.of(parts[1]), Path.of(parts[2]));
    }

    /** The directory, created if missing (owned by the sandbox's root when {@code sandboxOwned}); never a link. */
    private Path prepare(Path dir, String mode, boolean sandboxOwned) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
            if (sandboxOwned) {
                Files.setAttribute(dir, "unix:uid", Math.toIntExact(sandboxRoot));
                Files.setAttribute(dir, "unix:gid", Math.toIntExact(sandboxRoot));
            }
        } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a directory");
        }
        return dir;
    }
}
