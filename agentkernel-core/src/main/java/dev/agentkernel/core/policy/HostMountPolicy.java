package dev.agentkernel.core.policy;

import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.PermissionDeniedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which host directories API callers may mount into sandboxes. A daemon serves whoever can
 * reach its port, so it mounts only directories under roots its operator allowed
 * ({@code --allow-dir}, {@code AGENTKERNEL_ALLOWED_DIRS}), never a system directory, and
 * never through a symbolic link that leads elsewhere: paths are compared after resolving
 * links.
 */
public final class HostMountPolicy {

    /** Host directories never mounted, nor anything under them, whatever the configuration. */
    public static final List<Path> FORBIDDEN_TREES = List.of(Path.of("/etc"), Path.of("/proc"), Path.of("/sys"),
            Path.of("/dev"), Path.of("/boot"), Path.of("/usr"), Path.of("/bin"), Path.of("/sbin"), Path.of("/lib"),
            Path.of("/lib32"), Path.of("/lib64"), Path.of("/root/.ssh"), Path.of("/var/run"), Path.of("/run"));
    /** Host directories never mounted themselves (whole-system views); their subdirectories may be allowed. */
    public static final List<Path> FORBIDDEN_EXACT = List.of(Path.of("/"), Path.of("/var"), Path.of("/home"),
            Path.of("/root"), Path.of("/tmp"), Path.of("/srv"), Path.of("/opt"), Path.of("/mnt"), Path.of("/media"));

    private final List<Path> allowedRoots;
    private final List<Path> protectedDirs;

    /**
     * @param allowedRoots  directories under which mounts are allowed (resolved when checked)
     * @param protectedDirs directories that must never be reachable through a mount, e.g. the daemon's state
     */
    public HostMountPolicy(List<Path> allowedRoots, List<Path> protectedDirs) {
        this.allowedRoots = List.copyOf(allowedRoots);
        this.protectedDirs = List.copyOf(protectedDirs);
    }

    /** A policy that allows nothing. */
    public static HostMountPolicy none() {
        return new HostMountPolicy(List.of(), List.of());
    }

    /** Roots from a colon-separated list such as {@code AGENTKERNEL_ALLOWED_DIRS}; blanks are skipped. */
    public static List<Path> parseRoots(String value) {
        List<Path> roots = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(":")) {
                if (!part.isBlank()) {
                    roots.add(Path.of(part.strip()));
                }
            }
        }
        return roots;
    }

    /** The roots as configured. */
    public List<Path> allowedRoots() {
        return allowedRoots;
    }

    /**
     * The real path of {@code dir} if a sandbox may mount it.
     *
     * @throws InvalidRequestException if it is not an absolute path to an existing directory
     * @throws PermissionDeniedException if it is not under an allowed root, or is or contains a protected directory
     */
    public Path requireAllowed(Path dir) {
        if (!dir.isAbsolute()) {
            throw new InvalidRequestException("directory " + dir + " must be an absolute host path");
        }
        requireNotSystem(dir.normalize()); // also for paths that cannot be resolved, e.g. under /proc
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new InvalidRequestException("directory " + dir + " does not exist on the daemon's host");
        }
        if (!Files.isDirectory(real)) {
            throw new InvalidRequestException(dir + " is not a directory");
        }
        requireNotSystem(real);
        for (Path p : protectedDirs) {
            Path prot = realOrSelf(p);
            if (real.startsWith(prot) || prot.startsWith(real)) {
                throw new PermissionDeniedException("mounting " + real + " is not allowed: it holds AgentKernel's own state");
            }
        }
        for (Path root : allowedRoots) {
            if (real.startsWith(realOrSelf(root))) {
                return real;
            }
        }
        throw new PermissionDeniedException("the daemon does not allow mounting " + real + "; start it with --allow-dir "
                + real + " (or a parent), or set AGENTKERNEL_ALLOWED_DIRS");
    }

    private static void requireNotSystem(Path path) {
        for (Path forbidden : FORBIDDEN_TREES) {
            if (path.startsWith(forbidden)) {
                throw new PermissionDeniedException("mounting " + path + " is never allowed: it is a system directory");
            }
        }
        if (FORBIDDEN_EXACT.contains(path)) {
            throw new PermissionDeniedException("mounting " + path + " is never allowed: it is a whole-system directory; "
                    + "mount a project directory under it");
        }
    }

    private static Path realOrSelf(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
