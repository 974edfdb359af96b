package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Optional;

/**
 * What {@code daemon start} records in {@code daemon.json} once the daemon answers, so that
 * {@code status}, {@code stop} and other commands know where it is.
 *
 * @param pid       the daemon's process id
 * @param address   where it listens
 * @param startedAt when it was started
 * @param log       the log file its stdout and stderr go to
 */
record DaemonInfo(long pid, DaemonAddress address, Instant startedAt, String log) {

    /** The JSON written to {@code daemon.json}: pid, host, port, url, started_at, log. */
    ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("pid", pid);
        node.put("host", address.host());
        node.put("port", address.port());
        node.put("url", address.url());
        node.put("started_at", startedAt.toString());
        node.put("log", log);
        return node;
    }

    /** Reads {@link #toJson}'s output; empty when a field it needs is missing or invalid. */
    static Optional<DaemonInfo> fromJson(JsonNode node) {
        if (node == null || !node.path("pid").canConvertToLong() || !node.path("port").canConvertToInt()
                || !node.path("host").isTextual()) {
            return Optional.empty();
        }
        try {
            DaemonAddress address = new DaemonAddress(node.get("host").asText(), node.get("port").asInt());
            Instant started = node.path("started_at").isTextual() ? Instant.parse(node.get("started_at").asText()) : Instant.EPOCH;
            return Optional.of(new DaemonInfo(node.get("pid").asLong(), address, started, node.path("log").asText("")));
        } catch (IllegalArgumentException | DateTimeException e) {
            return Optional.empty();
        }
    }
}
