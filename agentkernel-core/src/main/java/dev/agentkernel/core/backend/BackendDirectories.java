package dev.agentkernel.core.backend;

import java.nio.file.Path;

/**
 * Where backends keep what outlives one sandbox in the runtime directory: a directory per backend
 * ({@code bwrap}, {@code oci-runc}, ...) and, for the OCI runtimes, the runtime's own state directory
 * in it ({@code oci-runc/state}). Everything else in them belongs to one sandbox and is removed with it.
 */
public final class BackendDirectories {

    private static final String STATE = "state";

    private BackendDirectories() {
    }

    /** The directory of the backend called {@code backend}: {@code bwrap} for bubblewrap, {@code oci-NAME} otherwise. */
    public static Path of(Path runtimeDir, String backend) {
        return runtimeDir.resolve(backend.equals("bwrap") ? backend : "oci-" + backend);
    }

    /** The state directory of an OCI runtime's backend. */
    public static Path runtimeState(Path runtimeDir, String backend) {
        return of(runtimeDir, backend).resolve(STATE);
    }

    /** Whether {@code entry} is one of these long-lived directories (not something a sandbox left). */
    public static boolean isBackendsOwn(Path runtimeDir, Path entry) {
        Path parent = entry.getParent();
        String name = entry.getFileName().toString();
        if (runtimeDir.equals(parent)) {
            return name.equals("bwrap") || name.startsWith("oci-");
        }
        return name.equals(STATE) && parent != null && runtimeDir.equals(parent.getParent())
                && parent.getFileName().toString().startsWith("oci-");
    }
}
