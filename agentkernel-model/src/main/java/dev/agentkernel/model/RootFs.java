package dev.agentkernel.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a sandbox's root file system is made of: the host's own system directories, asked for by
 * name ({@code "host"}), or an image from the store.
 */
public sealed interface RootFs {

    /** The image name that asks for the host's {@code /usr} (and no image). */
    String HOST = "host";

    /** The host's {@code /usr} and merged-usr links, read-only, with a generated {@code /etc}. */
    record Host() implements RootFs {
    }

    /**
     * An image's layers under a writable layer of the sandbox's own.
     *
     * @param reference   the image's normalised reference ({@code docker.io/library/alpine:3.20})
     * @param digest      the digest of its manifest (for this host's platform)
     * @param layers      its unpacked layer directories, <b>lowest first</b>; never written
     * @param etcOnline   a small layer put above the image's for a sandbox with network: the image's
     *                    {@code /etc/passwd} and {@code /etc/group} with the sandbox's users, a
     *                    {@code hosts} and a {@code resolv.conf}
     * @param etcOffline  the same for a sandbox without network (no resolver)
     * @param config      the image's process settings
     * @param writable    where a persistent sandbox keeps its writable layer (kept across stop and
     *                    start); empty for a one-shot sandbox, whose writable layer is in memory
     */
    record Image(String reference, String digest, List<Path> layers, Path etcOnline, Path etcOffline,
                 ImageSettings config, Optional<Path> writable) implements RootFs {
        /** Validates and copies. */
        public Image {
            Objects.requireNonNull(reference, "reference");
            Objects.requireNonNull(digest, "digest");
            layers = List.copyOf(layers);
            if (layers.isEmpty()) {
                throw new IllegalArgumentException("an image has at least one layer");
            }
            Objects.requireNonNull(etcOnline, "etcOnline");
            Objects.requireNonNull(etcOffline, "etcOffline");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(writable, "writable");
        }

        /** This root with its writable layer kept in {@code dir}. */
        public Image withWritable(Path dir) {
            return new Image(reference, digest, layers, etcOnline, etcOffline, config, Optional.of(dir));
        }

        /** This root with {@code layer} as its generated top layer for a sandbox with network. */
        public Image withEtcOnline(Path layer) {
            return new Image(reference, digest, layers, layer, etcOffline, config, writable);
        }
    }

    /**
     * An image's settings for the processes of a sandbox ({@code config} of the OCI image config).
     *
     * @param env        {@code Env}, as {@code NAME=value} pairs in order
     * @param workdir    {@code WorkingDir}, if set
     * @param entrypoint {@code Entrypoint}
     * @param cmd        {@code Cmd}
     */
    record ImageSettings(Map<String, String> env, Optional<String> workdir, List<String> entrypoint,
                         List<String> cmd) {
        /** Copies. */
        public ImageSettings {
            env = Map.copyOf(env);
            Objects.requireNonNull(workdir, "workdir");
            entrypoint = List.copyOf(entrypoint);
            cmd = List.copyOf(cmd);
        }

        /** The command the image runs when none is given: {@code Entrypoint} then {@code Cmd}. */
        public List<String> defaultCommand() {
            List<String> argv = new java.util.ArrayList<>(entrypoint);
            argv.addAll(cmd);
            return List.copyOf(argv);
        }
    }
}
