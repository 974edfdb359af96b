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
        return path;
    }
}
