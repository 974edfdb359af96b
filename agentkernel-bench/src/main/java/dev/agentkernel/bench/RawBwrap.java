package dev.agentkernel.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Helpers for running raw bubblewrap next to AgentKernel: where bwrap is, and shell
 * quoting. The arguments themselves come from the backend
 * ({@code IsolationBackend.commandLine}), so the baseline runs exactly the same isolation.
 */
final class RawBwrap {
    private static final String FALLBACK_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private RawBwrap() {
    }

    /** bwrap's absolute path, found the way the backend finds it ({@code PATH}, then the system directories). */
    static Path findBwrap() {
        String path = System.getenv("PATH");
        String search = (path == null ? "" : path + File.pathSeparator) + FALLBACK_PATH;
        for (String dir : search.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, "bwrap");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath();
                }
            }
        }
        throw new IllegalStateException("bwrap not found on PATH");
    }

    /** Quotes a word for {@code /bin/sh}. */
    static String shellQuote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,+@%".indexOf(c) >= 0)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
