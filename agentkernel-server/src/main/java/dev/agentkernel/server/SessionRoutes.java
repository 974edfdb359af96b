package dev.agentkernel.server;

import dev.agentkernel.core.wire.WireJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.session.ExecuteRequest;
import dev.agentkernel.core.session.ExecuteResult;
import dev.agentkernel.core.session.Flavor;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.core.session.MaintenanceStatus;
import dev.agentkernel.core.session.SessionInfo;
import dev.agentkernel.core.session.SessionManager;
import dev.agentkernel.core.session.SessionStats;
import dev.agentkernel.core.session.VolumeMapping;
import dev.agentkernel.model.InvalidRequestException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Stateful code sessions: {@code POST /execute}, {@code GET /sessions},
 * {@code GET|DELETE /sessions/{id}}, {@code GET /stats} and
 * {@code POST /maintenance/pause|resume}. Package-private.
 */
final class SessionRoutes {

    private final SessionManager sessions;
    private final Bodies bodies;
    private final Clock clock;

    SessionRoutes(SessionManager sessions, Bodies bodies, Clock clock) {
        this.sessions = sessions;
        this.bodies = bodies;
        this.clock = clock;
    }

    void execute(ServerRequest req, ServerResponse res) {
        ExecuteResult result = sessions.execute(request(Json.parseObject(bodies.read(req))));
        SandboxRoutes.send(res, 200, toJson(result));
    }

    static ExecuteRequest request(ObjectNode body) {
        JsonNode code = body.get("code");
        if (code == null || code.isNull()) {
            throw new InvalidRequestException("code is required, e.g. {\"code\": \"print(1 + 1)\", \"template\": \"python\"}");
        }
        if (!code.isTextual()) {
            throw new InvalidRequestException("code must be a string");
        }
        Optional<InterpreterTemplate> template = RequestFields.optionalString(body, "template", "").map(t -> {
            try {
                return InterpreterTemplate.fromName(t);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(e.getMessage());
            }
        });
        Optional<String> sessionId = RequestFields.optionalString(body, "session_id", "");
        Optional<Flavor> flavor = RequestFields.optionalString(body, "flavor", "").map(Flavor::fromName);
        Optional<Duration> timeout = RequestFields.timeout(body, "");
        List<VolumeMapping> volumes = RequestFields.stringList(body, "volumes", "", false).stream()
                .map(VolumeMapping::parse).toList();
        return new ExecuteRequest(code.asText(), template, sessionId, flavor, timeout, volumes);
    }

    /** {@code POST /sessions}: a new session (template, flavor, volumes) without running code; 201. */
    void create(ServerRequest req, ServerResponse res) {
        byte[] raw = bodies.read(req);
        ObjectNode body = raw.length == 0 ? Json.MAPPER.createObjectNode() : Json.parseObject(raw);
        ExecuteRequest shape = request(body.put("code", "pass"));
        SessionInfo info = sessions.create(shape.template(), shape.flavor(), shape.volumes());
        SandboxRoutes.send(res, 201, toJson(info, clock.instant()));
    }

    void list(ServerRequest req, ServerResponse res) {
        ObjectNode data = Json.MAPPER.createObjectNode();
        ArrayNode all = data.putArray("sessions");
        Instant now = clock.instant();
        for (SessionInfo s : sessions.list()) {
            all.add(toJson(s, now));
        }
        SandboxRoutes.send(res, 200, data);
    }

    void get(ServerRequest req, ServerResponse res) {
        SandboxRoutes.send(res, 200, toJson(sessions.get(id(req)), clock.instant()));
    }

    void delete(ServerRequest req, ServerResponse res) {
        String id = id(req);
        sessions.delete(id);
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("session_id", id);
        data.put("deleted", true);
        SandboxRoutes.send(res, 200, data);
    }

    void stats(ServerRequest req, ServerResponse res) {
        SessionStats stats = sessions.stats();
        Instant now = clock.instant();
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("active_sessions", stats.activeSessions());
        data.put("max_sessions", stats.maxSessions());
        data.put("memory_allocated_mb", stats.memoryAllocatedMb());
        data.put("max_total_memory_mb", stats.maxTotalMemoryMb());
        data.put("session_timeout_seconds", stats.sessionTimeout().toSeconds());
        ObjectNode byTemplate = data.putObject("by_template");
        stats.byTemplate().forEach(byTemplate::put);
        ObjectNode pool = data.putObject("pool");
        stats.pool().forEach((template, count) -> {
            ObjectNode p = pool.putObject(template);
            p.put("ready", count.ready());
            p.put("starting", count.starting());
        });
        data.set("maintenance", toJson(stats.maintenance()));
        ArrayNode all = data.putArray("sessions");
        stats.sessions().forEach(s -> all.add(toJson(s, now)));
        SandboxRoutes.send(res, 200, data);
    }

    void pause(ServerRequest req, ServerResponse res) {
        SandboxRoutes.send(res, 200, toJson(sessions.pauseMaintenance()));
    }

    void resume(ServerRequest req, ServerResponse res) {
        SandboxRoutes.send(res, 200, toJson(sessions.resumeMaintenance()));
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    static ObjectNode toJson(ExecuteResult r) {
        return WireJson.executeResult(r);
    }

    static ObjectNode toJson(SessionInfo s, Instant now) {
        return WireJson.session(s, now);
    }

    static ObjectNode toJson(MaintenanceStatus m) {
        return WireJson.maintenance(m);
    }
}
