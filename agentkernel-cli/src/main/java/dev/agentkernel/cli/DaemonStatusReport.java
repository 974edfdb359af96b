package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's {@code GET /status} data, read tolerantly: every field an older (or newer)
 * server may leave out is {@code null}, never an error.
 *
 * @param version   the server's version
 * @param uptimeMs  how long the server has been up
 * @param backend   its isolation backend
 * @param runs      commands running now and the limit
 * @param pool      the warm pool
 * @param sandboxes sandboxes by state
 * @param images    the image store
 */
record DaemonStatusReport(String version, Long uptimeMs, String backend, Runs runs, Pool pool, Sandboxes sandboxes,
                          Images images) {

    /** A report without the image store (as older daemons answer). */
    DaemonStatusReport(String version, Long uptimeMs, String backend, Runs runs, Pool pool, Sandboxes sandboxes) {
        this(version, uptimeMs, backend, runs, pool, sandboxes, null);
    }

    /**
     * The image store.
     *
     * @param images stored images
     * @param layers unpacked layers
     * @param bytes  its size on disk
     */
    record Images(Long images, Long layers, Long bytes) {
    }

    /**
     * Commands running now.
     *
     * @param running how many run
     * @param max     how many may run at once
     */
    record Runs(Long running, Long max) {
    }

    /**
     * The warm pool.
     *
     * @param enabled      whether it is on
     * @param targetPerKey sandboxes it keeps ready per image and profile
     * @param keys         what it holds, per image and profile
     */
    record Pool(Boolean enabled, Long targetPerKey, List<PoolKey> keys) {
        /** Copies. */
        public Pool {
            keys = List.copyOf(keys);
        }
    }

    /**
     * Ready sandboxes of one image and profile.
     *
     * @param image   the image
     * @param profile the security profile
     * @param ready   how many are ready
     */
    record PoolKey(String image, String profile, Long ready) {
    }

    /**
     * Sandboxes by state.
     *
     * @param total   all of them
     * @param running those running
     * @param stopped those stopped
     */
    record Sandboxes(Long total, Long running, Long stopped) {
    }

    /** Reads the {@code data} object of {@code GET /status}. */
    static DaemonStatusReport from(JsonNode data) {
        JsonNode runs = data.path("runs");
        JsonNode pool = data.path("pool");
        JsonNode sandboxes = data.path("sandboxes");
        JsonNode images = data.path("images");
        return new DaemonStatusReport(text(data, "version"), number(data, "uptime_ms"), text(data, "backend"),
                runs.isObject() ? new Runs(number(runs, "running"), number(runs, "max")) : null,
                pool.isObject() ? new Pool(pool.path("enabled").isBoolean() ? pool.get("enabled").asBoolean() : null,
                        number(pool, "target_per_key"), keys(pool.path("keys"))) : null,
                sandboxes.isObject() ? new Sandboxes(number(sandboxes, "total"), number(sandboxes, "running"),
                        number(sandboxes, "stopped")) : null,
                images.isObject() ? new Images(number(images, "images"), number(images, "layers"),
                        number(images, "bytes")) : null);
    }

    private static List<PoolKey> keys(JsonNode keys) {
        List<PoolKey> result = new ArrayList<>();
        if (keys.isArray()) {
            for (JsonNode key : keys) {
                if (key.isObject()) {
                    result.add(new PoolKey(text(key, "image"), text(key, "profile"), number(key, "ready")));
                }
            }
        }
        return result;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    private static Long number(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() && value.canConvertToLong() ? value.asLong() : null;
    }
}
