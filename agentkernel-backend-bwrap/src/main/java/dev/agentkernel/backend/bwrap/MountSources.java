package dev.agentkernel.backend.bwrap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where bubblewrap finds the host paths it binds into a sandbox.
 *
 * <p>{@link Direct}: the host paths themselves (an unprivileged AgentKernel, and the command
 * line that describes a sandbox). {@link Staged}: the launcher resolves every source as host
 * root, clones it into its private mount namespace under a stage directory and bubblewrap
 * binds {@code STAGE/0}, {@code STAGE/1}, ...: no host path is in bubblewrap's arguments (so
 * none in the sandbox's {@code /proc/1/cmdline}), bubblewrap, already the sandbox's root, needs
 * no permission on the host paths, and each clone is idmapped through the sandbox's user
 * namespace unless it is one of AgentKernel's own directories that the sandbox writes (those
 * belong to sandbox root's host uid instead, see {@link SandboxUsers#own}).
 */
sealed interface MountSources {

    /** The source bubblewrap is given for host path {@code host}. */
    String source(Path host, boolean writable);

    /** Host paths as they are. */
    record Direct() implements MountSources {
        @Override
        public String source(Path host, boolean writable) {
            return host.toString();
        }
    }

    /**
     * Sources staged by the launcher; collects its {@code --mount} arguments.
     */
    final class Staged implements MountSources {
        private final Path stage;
        private final Path ownState;
        private final List<String> launcherArguments = new ArrayList<>();
        private final List<Path> owned = new ArrayList<>();
        private int next;

        /**
         * @param stage    the stage directory (the launcher mounts a tmpfs on it, privately)
         * @param ownState AgentKernel's state directory: writable sources under it are not idmapped
         */
        Staged(Path stage, Path ownState) {
            this.stage = stage;
            this.ownState = ownState;
        }

        @Override
        public String source(Path host, boolean writable) {
            boolean own = writable && host.toAbsolutePath().normalize().startsWith(ownState);
            launcherArguments.addAll(List.of("--mount", host.toString(), own ? "plain" : "idmap"));
            if (own) {
                owned.add(host);
            }
            return stage.resolve(Integer.toString(next++)).toString();
        }

        /** {@code --stage DIR --mount PATH MODE ...} for the launcher. */
        List<String> launcherArguments() {
            List<String> args = new ArrayList<>(launcherArguments.size() + 2);
            args.add("--stage");
            args.add(stage.toString());
            args.addAll(launcherArguments);
            return args;
        }

        /** AgentKernel's own directories the sandbox writes, to be owned by sandbox root. */
        List<Path> owned() {
            return List.copyOf(owned);
        }
    }
}
