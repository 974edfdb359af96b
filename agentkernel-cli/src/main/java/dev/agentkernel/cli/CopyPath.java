package dev.agentkernel.cli;

import dev.agentkernel.model.InvalidRequestException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One side of {@code agentkernel cp}: a file in a sandbox ({@code NAME:/path}), a local path,
 * or {@code -} (stdin as the source, stdout as the destination).
 */
sealed interface CopyPath {

    /** {@code NAME:} then the rest; a name as the daemon accepts it, so {@code ./a:b} and {@code /x:y} stay local. */
    Pattern REMOTE = Pattern.compile("([A-Za-z0-9][A-Za-z0-9_-]{0,62}):(.*)", Pattern.DOTALL);

    /**
     * A file in a sandbox.
     *
     * @param sandbox the sandbox's name
     * @param path    the absolute path inside it
     */
    record Remote(String sandbox, String path) implements CopyPath {
        /** Whether the path names a directory ({@code /workspace/}), so the source's file name is added. */
        boolean directory() {
            return path.endsWith("/");
        }

        @Override
        public String toString() {
            return sandbox + ":" + path;
        }
    }

    /**
     * A path on this machine.
     *
     * @param path as given
     */
    record Local(String path) implements CopyPath {
    }

    /** stdin or stdout. */
    record Stdio() implements CopyPath {
    }

    /** Reads one argument of {@code cp}. */
    static CopyPath parse(String text) {
        if (text.equals("-")) {
            return new Stdio();
        }
        if (text.isEmpty()) {
            throw new InvalidRequestException("an empty path: give a local path or NAME:/path");
        }
        Matcher m = REMOTE.matcher(text);
        if (!m.matches()) {
            return new Local(text);
        }
        String path = m.group(2);
        if (path.isEmpty()) {
            throw new InvalidRequestException("'" + text + "' names no file: give the path in the sandbox, e.g. "
                    + m.group(1) + ":/workspace/file.txt");
        }
        if (!path.startsWith("/")) {
            throw new InvalidRequestException("the path in the sandbox must be absolute: '" + text + "' (e.g. "
                    + m.group(1) + ":/workspace/" + path + ")");
        }
        for (String segment : path.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidRequestException("the path in the sandbox must not contain '.' or '..': '" + text + "'");
            }
        }
        return new Remote(m.group(1), path);
    }

    /** The last segment of a path, e.g. {@code b.txt} of {@code /a/b.txt}. */
    static String fileName(String path) {
        String p = path;
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        return slash < 0 ? p : p.substring(slash + 1);
    }
}
