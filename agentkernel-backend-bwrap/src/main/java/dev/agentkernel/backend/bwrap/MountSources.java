package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.RootFs;
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
 * no permission on the host paths. System trees ({@code /usr}, the {@code /etc} tree, the agent)
 * are idmapped through the sandbox's user namespace (host root's files are sandbox root's);
 * directories the user granted are idmapped so that their owner is the sandbox's user (what
 * it writes there is the owner's, what sandbox root writes is sandbox root's unprivileged host
 * uid's, never host root's); AgentKernel's own directories that the sandbox writes are bound
 * as they are (owned by the sandbox user's host uid, see {@link SandboxUsers#own}).
 */
sealed interface MountSources {

    /** The source bubblewrap is given for a system tree, bound read-only. */
    String system(Path host);

    /**
     * Like {@link #system}, for a tree of AgentKernel's own (the generated {@code /etc}) whose host
     * location the sandbox must not learn from its {@code mountinfo}.
     */
    String ownTree(Path host);

    /** The source bubblewrap is given for a mount of the sandbox's spec. */
    String mount(Path host, boolean writable);

    /** bubblewrap's arguments that put the agent binary {@code host} at {@code target}, read-only. */
    List<String> agent(Path host, String target);

    /**
     * bubblewrap's arguments that make {@code image} the sandbox's root file system: its layers
     * under {@code etc} (the generated {@code /etc} layer) and a writable layer, in memory of at
     * most {@code memoryMb} unless the image has a directory of its own for it.
     */
    List<String> imageRoot(RootFs.Image image, Path etc, long memoryMb);

    /** Host paths as they are. */
    record Direct() implements MountSources {
        @Override
        public String system(Path host) {
            return host.toString();
        }

        @Override
        public String ownTree(Path host) {
            return host.toString();
        }

        @Override
        public String mount(Path host, boolean writable) {
            return host.toString();
        }

        @Override
        public List<String> agent(Path host, String target) {
            String dir = target.substring(0, target.lastIndexOf('/'));
            return List.of("--ro-bind", host.getParent().toString(), dir);
        }

        /**
         * A description only (bubblewrap 0.11's overlay options, which bubblewrap 0.8 lacks): a
         * sandbox on an image is started through the launcher, as root ({@link Staged}).
         */
        @Override
        public List<String> imageRoot(RootFs.Image image, Path etc, long memoryMb) {
            List<String> args = new ArrayList<>();
            for (Path layer : image.layers()) {
                args.addAll(List.of("--overlay-src", layer.toString()));
            }
            args.addAll(List.of("--overlay-src", etc.toString()));
            if (image.writable().isPresent()) {
                Path dir = image.writable().get();
                args.addAll(List.of("--overlay", dir.resolve("upper").toString(), dir.resolve("work").toString(), "/"));
            } else {
                args.addAll(List.of("--tmp-overlay", "/"));
            }
            return args;
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
        public String system(Path host) {
            return staged(host, "idmap");
        }

        /** A read-only overlay of the idmapped tree, made by the launcher: its mountinfo names stage paths only. */
        @Override
        public String ownTree(Path host) {
            return staged(host, "overlay");
        }

        @Override
        public String mount(Path host, boolean writable) {
            boolean own = writable && host.toAbsolutePath().normalize().startsWith(ownState);
            if (own) {
                owned.add(host);
            }
            return staged(host, own ? "plain" : "owner");
        }

        /**
         * The agent's directory staged like the generated {@code /etc} tree ({@link #ownTree}: idmapped,
         * behind a read-only overlay of the launcher's), and bubblewrap binds the binary from there:
         * its {@code mountinfo} entry names stage paths only, never the state directory, and every start
         * runs the same page-cached file instead of a fresh copy (bubblewrap's {@code --ro-bind-data}
         * copied 0.7 MB in 8 KiB chunks at every start, about 0.5 ms).
         */
        @Override
        public List<String> agent(Path host, String target) {
            return List.of("--ro-bind", Path.of(ownTree(host.getParent())).resolve(host.getFileName()).toString(),
                    target);
        }

        /**
         * The launcher mounts the overlay of the layers (each idmapped like a system tree) and the
         * writable layer at {@code STAGE/root}; bubblewrap binds that as {@code /}.
         */
        @Override
        public List<String> imageRoot(RootFs.Image image, Path etc, long memoryMb) {
            return List.of("--bind", stageImageRoot(image, etc, memoryMb, false).toString(), "/");
        }

        /**
         * Asks the launcher for the overlay of the image's layers, {@code etc} on top and the
         * writable layer ({@link #imageRoot}) or, for a {@code readOnly} root, none (the overlay is
         * then read-only itself), and returns where it will be: {@code STAGE/root}.
         */
        Path stageImageRoot(RootFs.Image image, Path etc, long memoryMb, boolean readOnly) {
            List<Path> layers = new ArrayList<>(image.layers());
            layers.add(etc);
            return stageRoot(layers, image.writable(), memoryMb, readOnly);
        }

        /**
         * Asks the launcher for an overlay of {@code layers} (lowest first) with {@code writable} as its
         * writable layer, else a tmpfs of {@code memoryMb}, or none when {@code readOnly}; returns
         * {@code STAGE/root}.
         */
        Path stageRoot(List<Path> layers, java.util.Optional<Path> writable, long memoryMb, boolean readOnly) {
            for (Path layer : layers) {
                launcherArguments.addAll(List.of("--layer", layer.toString()));
            }
            launcherArguments.addAll(List.of("--upper", readOnly ? "none" : writable.map(Path::toString)
                    .orElse("tmpfs:" + Math.max(1, memoryMb))));
            return stage.resolve("root");
        }

        private String staged(Path host, String kind) {
            launcherArguments.addAll(List.of("--mount", host.toString(), kind));
            return stage.resolve(Integer.toString(next++)).toString();
        }

        /** {@code --user UID --stage DIR --mount PATH KIND ...} for the launcher. */
        List<String> launcherArguments() {
            List<String> args = new ArrayList<>(launcherArguments.size() + 4);
            args.add("--user");
            args.add(Integer.toString(BwrapCommandLine.SANDBOX_USER));
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
