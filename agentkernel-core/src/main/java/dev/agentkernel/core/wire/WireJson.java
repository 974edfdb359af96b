package dev.agentkernel.core.wire;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.sandbox.SandboxInfo;
import dev.agentkernel.core.session.ExecuteResult;
import dev.agentkernel.core.session.MaintenanceStatus;
import dev.agentkernel.core.session.SessionInfo;
import dev.agentkernel.core.tools.ToolFunction;
import dev.agentkernel.core.tools.ToolLibrary;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The wire JSON of sandboxes, code-session results, sessions, their maintenance and tool libraries. */
public final class WireJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private WireJson() {
    }

    /**
     * A persistent sandbox, as {@code GET /sandboxes/NAME} shows it: {@code disk_mb} is its disk's
     * size ({@code null}: not limited), {@code disk_used_mb} and {@code disk_available_mb} how full
     * it is (present while it runs).
     */
    public static ObjectNode sandbox(SandboxInfo info) {
        ObjectNode node = NODES.objectNode();
        var r = info.record();
        node.put("name", r.name());
        node.put("status", info.status().id());
        node.put("backend", r.backend());
        r.image().ifPresent(i -> node.put("image", i));
        if (r.vcpus() == Math.rint(r.vcpus())) {
            node.put("vcpus", (long) r.vcpus());
        } else {
            node.put("vcpus", r.vcpus());
        }
        node.put("memory_mb", r.memoryMb());
        if (r.diskMb().isPresent()) {
            node.put("disk_mb", r.diskMb().getAsLong());
        } else {
            node.putNull("disk_mb"); // its files are on the host's file system, without a limit
        }
        info.disk().ifPresent(d -> {
            node.put("disk_used_mb", d.usedMb());
            node.put("disk_available_mb", d.availableMb());
        });
        node.put("profile", r.profile().id());
        node.put("network", r.network());
        r.projectDir().ifPresent(d -> node.put("dir", d.toString()));
        node.put("created_at", r.createdAt().truncatedTo(ChronoUnit.SECONDS).toString());
        return node;
    }

    /** The result of an {@code execute_code} call. */
    public static ObjectNode executeResult(ExecuteResult r) {
        ObjectNode data = NODES.objectNode();
        data.put("session_id", r.sessionId());
        data.put("template", r.template().id());
        data.put("flavor", r.flavor().id());
        data.put("session_created", r.sessionCreated());
        data.put("state_lost", r.stateLost());
        data.put("stdout", r.stdout());
        data.put("stderr", r.stderr());
        data.put("success", r.success());
        if (r.error() == null) {
            data.putNull("error");
        } else {
            ObjectNode e = data.putObject("error");
            e.put("type", r.error().type());
            e.put("message", r.error().message());
            e.put("traceback", r.error().traceback());
        }
        data.put("execution_time_ms", r.executionTimeMs());
        return data;
    }

    /** A code session as listed, its age and idle time counted at {@code now}. */
    public static ObjectNode session(SessionInfo s, Instant now) {
        ObjectNode o = NODES.objectNode();
        o.put("session_id", s.sessionId());
        o.put("template", s.template().id());
        o.put("flavor", s.flavor().id());
        o.put("cpus", s.flavor().cpus());
        o.put("memory_mb", s.flavor().memoryMb());
        o.put("state", s.busy() ? "busy" : "ready");
        o.put("executions", s.executions());
        o.put("created_at", s.createdAt().toString());
        o.put("last_used_at", s.lastUsedAt().toString());
        o.put("age_seconds", Math.max(0, Duration.between(s.createdAt(), now).toSeconds()));
        o.put("idle_seconds", s.busy() ? 0 : Math.max(0, Duration.between(s.lastUsedAt(), now).toSeconds()));
        ArrayNode volumes = o.putArray("volumes");
        s.volumes().forEach(volumes::add);
        return o;
    }

    /** The code sessions' background maintenance. */
    public static ObjectNode maintenance(MaintenanceStatus m) {
        ObjectNode o = NODES.objectNode();
        o.put("paused", m.paused());
        o.put("interval_seconds", m.interval().toSeconds());
        o.put("runs", m.runs());
        if (m.lastRunAt().isPresent()) {
            o.put("last_run_at", m.lastRunAt().get().toString());
        } else {
            o.putNull("last_run_at");
        }
        o.put("expired_total", m.expiredTotal());
        o.put("evicted_total", m.evictedTotal());
        o.put("orphans_removed_total", m.orphansRemoved());
        return o;
    }

    /** A tool library with its functions. */
    public static ObjectNode toolLibrary(ToolLibrary l) {
        ObjectNode o = NODES.objectNode();
        o.put("name", l.name());
        o.put("language", l.language());
        o.put("description", l.description());
        ArrayNode functions = o.putArray("functions");
        for (ToolFunction f : l.functions()) {
            ObjectNode fn = functions.addObject();
            fn.put("name", f.name());
            fn.put("signature", f.signature());
            fn.put("description", f.description());
        }
        return o;
    }
}
