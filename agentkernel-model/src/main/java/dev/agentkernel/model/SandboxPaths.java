package dev.agentkernel.model;

/** Validation of paths as seen inside a sandbox. */
public final class SandboxPaths {
    private SandboxPaths() {
    }

    /**
     * Checks that {@code path} is absolute, has no {@code ..} segment and no NUL byte.
     *
     * @param what what the path is for, used in the error message
     * @return the path, unchanged
     * @throws InvalidRequestException otherwise
     */
    public static String requireAbsolute(String path, String what) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            throw new InvalidRequestException(what + " '" + path + "' must be an absolute path inside the sandbox, e.g. /workspace");
        }
        if (path.indexOf('\0') >= 0) {
            throw new InvalidRequestException(what + " must not contain a NUL byte");
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                throw new InvalidRequestException(what + " '" + path + "' must not contain '..'");
            }
        }
        return requireNameLengths(path, what);
    }

    /** The longest file name Linux accepts, in bytes ({@code NAME_MAX}). */
    public static final int NAME_MAX = 255;

    /**
     * Checks that no name in {@code path} is longer than {@link #NAME_MAX} bytes of UTF-8 (the
     * kernel would refuse it with {@code ENAMETOOLONG}).
     *
     * @return the path, unchanged
     * @throws InvalidRequestException otherwise
     */
    public static String requireNameLengths(String path, String what) {
        for (String segment : path.split("/")) {
            int bytes = segment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > NAME_MAX) {
                throw new InvalidRequestException(what + " has a name of " + bytes + " bytes ('"
                        + segment.substring(0, Math.min(segment.length(), 40)) + "...'); Linux allows at most "
                        + NAME_MAX + " bytes per file or directory name");
            }
        }
        return path;
    }
}
