package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code GET /status}: version, uptime, backend, runs, warm pool, sandboxes, sessions, image store.
 *
 * @param version   the server's version
 * @param uptimeMs  how long it has run
 * @param backend   the isolation backend
 * @param runs      one-off runs
 * @param pool      the warm pool
 * @param sandboxes persistent sandboxes
 * @param sessions  code sessions
 * @param images    the image store; null when it cannot be measured
 */
public record StatusView(String version, long uptimeMs, String backend, Runs runs, Pool pool, Sandboxes sandboxes,
                         Sessions sessions, @Nullable Images images) {

    /**
     * @param running running now
     * @param max     the most at once
     */
    public record Runs(int running, int max) {
    }

    /**
     * @param enabled      whether there is a pool
     * @param targetPerKey sandboxes kept ready per key
     * @param served       runs it served
     * @param missed       runs it could not serve
     * @param keys         its keys
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pool(@JsonInclude(JsonInclude.Include.ALWAYS) boolean enabled, Integer targetPerKey, Long served,
                       Long missed, List<Key> keys) {
        /** No pool. */
        public static final Pool DISABLED = new Pool(false, null, null, null, null);
    }

    /**
     * @param image    its image ({@code default}: detected)
     * @param profile  its profile
     * @param ready    sandboxes ready
     * @param starting sandboxes starting
     */
    public record Key(String image, String profile, int ready, int starting) {
    }

    /**
     * @param total   all of them
     * @param running running
     * @param stopped stopped
     */
    public record Sandboxes(int total, int running, int stopped) {
    }

    /**
     * @param active open sessions
     * @param max    the most allowed
     */
    public record Sessions(int active, int max) {
    }

    /**
     * The image store ({@code STATE/images}).
     *
     * @param images images stored (references)
     * @param layers unpacked layers
     * @param bytes  what it holds on disk: blobs and unpacked layers
     */
    public record Images(int images, int layers, long bytes) {
    }
}
