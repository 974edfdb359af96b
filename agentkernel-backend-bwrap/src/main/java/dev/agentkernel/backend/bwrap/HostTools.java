package dev.agentkernel.backend.bwrap;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Locates the host programs the backend runs. Package-private. */
final class HostTools {
    private static final String FALLBACK_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private HostTools() {
    }

    /** The absolute path of {@code program} on PATH (plus the standard system directories). */
    static Optional<Path> find(String program) {
        String path = System.getenv("PATH");
        String search = (path == null ? "" : path + File.pathSeparator) + FALLBACK_PATH;
        for (String dir : search.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** The command that installs a Debian package. */
    static String installHint(String debianPackage) {
        return "apt-get install -y " + debianPackage;
    }
}
