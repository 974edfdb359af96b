package dev.agentkernel.client;

import java.time.Duration;
import java.util.Objects;

/**
 * The daemon's state ({@link AgentKernel#status()}).
 *
 * @param version   the daemon's version, {@code dev} for a build from source
 * @param uptime    how long the daemon has run
 * @param backend   the isolation backend, e.g. {@code bwrap}
 * @param runs      one-off commands running now
 * @param pool      the warm pool of ready sandboxes
 * @param sandboxes persistent sandboxes by state
 * @param images    the daemon's image store ({@link ImageStoreUsage#UNKNOWN} from a daemon that does not say)
 */
public record ServerStatus(String version, Duration uptime, String backend, Runs runs, Pool pool,
                           SandboxCounts sandboxes, ImageStoreUsage images) {

    /** Checks for nulls. */
    public ServerStatus {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(uptime, "uptime");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(runs, "runs");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(sandboxes, "sandboxes");
        Objects.requireNonNull(images, "images");
    }

    /**
     * A status without the image store's figures (as an older daemon answers).
     *
     * @param version   the daemon's version
     * @param uptime    how long the daemon has run
     * @param backend   the isolation backend
     * @param runs      one-off commands running now
     * @param pool      the warm pool
     * @param sandboxes persistent sandboxes by state
     */
    public ServerStatus(String version, Duration uptime, String backend, Runs runs, Pool pool, SandboxCounts sandboxes) {
        this(version, uptime, backend, runs, pool, sandboxes, ImageStoreUsage.UNKNOWN);
    }

    /**
     * The daemon's image store.
     *
     * @param images stored images
     * @param layers unpacked layers
     * @param bytes  its size on disk
     */
    public record ImageStoreUsage(long images, long layers, long bytes) {
        /** What a daemon that does not report its store gives. */
        public static final ImageStoreUsage UNKNOWN = new ImageStoreUsage(0, 0, 0);
    }

    /**
     * One-off commands.
     *
     * @param running running now
     * @param max     the most that may run at once (more get HTTP 429)
     */
    public record Runs(int running, int max) {
    }

    /**
     * The warm pool.
     *
     * @param enabled      whether the daemon keeps sandboxes ready
     * @param targetPerKey ready sandboxes kept per image and profile
     * @param served       runs that took a ready sandbox
     * @param missed       runs that found none ready
     */
    public record Pool(boolean enabled, int targetPerKey, long served, long missed) {
    }

    /**
     * Persistent sandboxes.
     *
     * @param total   all of them
     * @param running running ones
     * @param stopped stopped ones
     */
    public record SandboxCounts(int total, int running, int stopped) {
    }
}
