package dev.agentkernel.core.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds programs in the directories a sandbox's {@code PATH} lists, on the host (backends that
 * share the host's system directories see the same programs).
 */
public final class HostExecutables {

    /** The directories of a sandbox's {@code PATH}, in order. */
    public static final List<String> SANDBOX_PATH = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
            "/sbin", "/bin");

    private HostExecutables() {
    }

    /** The first executable file named {@code program} in {@link #SANDBOX_PATH}. */
    public static Optional<Path> find(String program) {
        if (program.isEmpty() || program.contains("/")) {
            return Optional.empty();
        }
        for (String dir : SANDBOX_PATH) {
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
