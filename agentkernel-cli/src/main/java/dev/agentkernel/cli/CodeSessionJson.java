package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.client.CodeResult;
import dev.agentkernel.client.SessionInfo;
import dev.agentkernel.client.SessionStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Code sessions' results, sessions and statistics as the JSON the daemon speaks (docs/code-sessions.md), for {@code --json}. */
final class CodeSessionJson {

    static final ObjectMapper MAPPER = dev.agentkernel.api.WireJson.create().enable(SerializationFeature.INDENT_OUTPUT);

    private CodeSessionJson() {
    }

    static String print(Object node) throws com.fasterxml.jackson.core.JsonProcessingException {
        return MAPPER.writeValueAsString(node);
    }

    static ObjectNode result(CodeResult r) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("session_id", r.sessionId());
        node.put("template", r.template());
        node.put("flavor", r.flavor());
        node.put("session_created", r.sessionCreated());
        node.put("state_lost", r.stateLost());
        node.put("stdout", r.stdout());
        node.put("stderr", r.stderr());
        node.put("success", r.success());
        if (r.error().isPresent()) {
            ObjectNode error = node.putObject("error");
            error.put("type", r.error().get().type());
            error.put("message", r.error().get().message());
            error.put("traceback", r.error().get().traceback());
        } else {
            node.putNull("error");
        }
        node.put("execution_time_ms", r.executionTime().toMillis());
        return node;
    }

    static ObjectNode session(SessionInfo s) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("session_id", s.sessionId());
        node.put("template", s.template());
        node.put("flavor", s.flavor());
        if (s.cpus() == Math.rint(s.cpus())) {
            node.put("cpus", (long) s.cpus());
        } else {
            node.put("cpus", s.cpus());
        }
        node.put("memory_mb", s.memoryMb());
        node.put("state", s.state());
        node.put("executions", s.executions());
        s.createdAt().ifPresent(t -> node.put("created_at", t.toString()));
        s.lastUsedAt().ifPresent(t -> node.put("last_used_at", t.toString()));
        seconds(node, "age_seconds", s.age());
        seconds(node, "idle_seconds", s.idle());
        ArrayNode volumes = node.putArray("volumes");
        s.volumes().forEach(volumes::add);
        return node;
    }

    static ArrayNode sessions(List<SessionInfo> sessions) {
        ArrayNode all = MAPPER.createArrayNode();
        sessions.forEach(s -> all.add(session(s)));
        return all;
    }

    static ObjectNode stats(SessionStats s) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("active_sessions", s.activeSessions());
        node.put("max_sessions", s.maxSessions());
        node.put("memory_allocated_mb", s.memoryAllocatedMb());
        node.put("max_total_memory_mb", s.maxTotalMemoryMb());
        seconds(node, "session_timeout_seconds", s.sessionTimeout());
        ObjectNode byTemplate = node.putObject("by_template");
        s.byTemplate().forEach(byTemplate::put);
        ObjectNode pool = node.putObject("pool");
        for (Map.Entry<String, SessionStats.Pool> p : s.pool().entrySet()) {
            pool.putObject(p.getKey()).put("ready", p.getValue().ready()).put("starting", p.getValue().starting());
        }
        node.set("maintenance", maintenance(s.maintenance()));
        node.set("sessions", sessions(s.sessions()));
        return node;
    }

    static ObjectNode maintenance(SessionStats.Maintenance m) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("paused", m.paused());
        seconds(node, "interval_seconds", m.interval());
        node.put("runs", m.runs());
        m.lastRunAt().ifPresent(t -> node.put("last_run_at", t.toString()));
        node.put("expired_total", m.expiredTotal());
        node.put("evicted_total", m.evictedTotal());
        node.put("orphans_removed_total", m.orphansRemovedTotal());
        return node;
    }

    /** Whole seconds as an integer, else with milliseconds. */
    private static void seconds(ObjectNode node, String field, Duration d) {
        if (d.toMillis() % 1000 == 0) {
            node.put(field, d.toSeconds());
        } else {
            node.put(field, d.toMillis() / 1000.0);
        }
    }
}
