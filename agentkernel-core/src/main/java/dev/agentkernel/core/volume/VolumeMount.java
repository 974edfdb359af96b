package dev.agentkernel.core.volume;

import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.SandboxPaths;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A volume mounted at a path of a sandbox: {@code NAME:/path} (read-write) or {@code NAME:/path:ro}
 * (also {@code :rw}), the format of the published clients' {@code volumes}.
 *
 * <p>The path must be absolute, without {@code ..}, and none of the sandbox's own places: not
 * {@code /}, not under {@code /proc}, {@code /sys}, {@code /dev} (the kernel's views), not under
 * {@code /run} (bubblewrap and the launcher stage the sandbox's mounts there), not the agent's
 * {@code /.ak*} entries, and not exactly {@code /workspace}, {@code /tmp} or {@code /var/tmp},
 * which are the sandbox's own disk (a directory under them is fine).
 *
 * @param volume   the volume's name
 * @param path     where the sandbox sees it (absolute, normalized: no trailing '/')
 * @param readOnly whether the sandbox may only read it
 */
public record VolumeMount(String volume, String path, boolean readOnly) {

    private static final List<String> FORBIDDEN_TREES = List.of("/proc", "/sys", "/dev", "/run");
    private static final List<String> FORBIDDEN_EXACT = List.of("/workspace", "/tmp", "/var/tmp");

    /** Validates. */
    public VolumeMount {
        VolumeNames.requireValid(volume);
        Objects.requireNonNull(path, "path");
        path = requireUsablePath(path);
    }

    /**
     * Parses {@code NAME:/path} or {@code NAME:/path:ro|rw}.
     *
     * @throws InvalidRequestException for anything else
     */
    public static VolumeMount parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidRequestException("a volume must be NAME:/path or NAME:/path:ro, e.g. \"data:/data\"");
        }
        if (spec.startsWith("/")) {
            throw new InvalidRequestException("volume '" + spec + "' must name a volume (NAME:/path, made with POST /volumes"
                    + " or 'agentkernel volume create'); a host directory is mounted with dir instead");
        }
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new InvalidRequestException("volume '" + spec + "' must be NAME:/path or NAME:/path:ro, e.g. \"data:/data\"");
        }
        String name = spec.substring(0, colon);
        String rest = spec.substring(colon + 1);
        boolean readOnly = false;
        if (rest.endsWith(":ro")) {
            readOnly = true;
            rest = rest.substring(0, rest.length() - 3);
        } else if (rest.endsWith(":rw")) {
            rest = rest.substring(0, rest.length() - 3);
        }
        if (rest.indexOf(':') >= 0) {
            throw new InvalidRequestException("volume '" + spec + "': the mode after the path must be ro or rw");
        }
        return new VolumeMount(name, rest, readOnly);
    }

    /**
     * Parses every entry and checks that no path is used twice.
     *
     * @throws InvalidRequestException for a bad entry or a path used twice
     */
    public static List<VolumeMount> parseAll(List<String> specs) {
        if (specs == null) {
            return List.of();
        }
        List<VolumeMount> mounts = specs.stream().map(VolumeMount::parse).toList();
        Set<String> paths = new HashSet<>();
        for (VolumeMount m : mounts) {
            if (!paths.add(m.path())) {
                throw new InvalidRequestException("two volumes are mounted at " + m.path() + "; give each its own path");
            }
        }
        return mounts;
    }

    /** {@code NAME:/path} or {@code NAME:/path:ro}, as parsed. */
    @Override
    public String toString() {
        return volume + ":" + path + (readOnly ? ":ro" : "");
    }

    private static String requireUsablePath(String path) {
        if (path.indexOf('\0') >= 0) {
            throw new InvalidRequestException("a volume's path must not contain NUL");
        }
        SandboxPaths.requireAbsolute(path, "volume path");
        String p = path.replaceAll("/+", "/");
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        for (String segment : p.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidRequestException("a volume's path must not contain '.' or '..': " + path);
            }
        }
        if (p.equals("/")) {
            throw new InvalidRequestException("a volume cannot be mounted at /: give it a directory, e.g. /data");
        }
        for (String tree : FORBIDDEN_TREES) {
            if (p.equals(tree) || p.startsWith(tree + "/")) {
                throw new InvalidRequestException("a volume cannot be mounted at " + p + ": " + tree
                        + (tree.equals("/run") ? " is where the sandbox's own mounts are staged"
                        : " is the kernel's view, never replaced"));
            }
        }
        if (p.startsWith("/.ak")) {
            throw new InvalidRequestException("a volume cannot be mounted at " + p + ": /.ak* is the sandbox agent's own");
        }
        if (FORBIDDEN_EXACT.contains(p)) {
            throw new InvalidRequestException("a volume cannot be mounted at " + p + ": it is the sandbox's own disk; "
                    + "mount it at a directory under it (e.g. " + p + "/data) or elsewhere");
        }
        return p;
    }
}
