package dev.agentkernel.server;

import dev.agentkernel.api.CreateSessionRequest;
import dev.agentkernel.api.ExecuteCodeRequest;
import dev.agentkernel.api.SessionDeleted;
import dev.agentkernel.api.SessionList;
import dev.agentkernel.core.session.ExecuteRequest;
import dev.agentkernel.core.session.Flavor;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.core.session.SessionInfo;
import dev.agentkernel.core.session.SessionManager;
import dev.agentkernel.core.session.VolumeMapping;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.model.InvalidRequestException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
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
        ExecuteCodeRequest body = Json.read(bodies.read(req), ExecuteCodeRequest.class);
        Json.send(res, 200, WireViews.executeResult(sessions.execute(request(body))));
    }

    /** The contract's request as core's (templates, flavors and volumes checked by their own rules). */
    static ExecuteRequest request(ExecuteCodeRequest body) {
        return new ExecuteRequest(body.code(), template(body.template()), Optional.ofNullable(body.sessionId()),
                Optional.ofNullable(body.flavor()).map(Flavor::fromName), RequestFields.timeout(body.timeout()),
                volumes(body.volumes()), Optional.ofNullable(body.backend()), RequestFields.egress(body.networkPolicy()));
    }

    static Optional<InterpreterTemplate> template(String name) {
        return Optional.ofNullable(name).map(t -> {
            try {
                return InterpreterTemplate.fromName(t);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(e.getMessage());
            }
        });
    }

    static List<VolumeMapping> volumes(List<String> volumes) {
        return volumes.stream().map(VolumeMapping::parse).toList();
    }

    /** {@code POST /sessions}: a new session (template, flavor, volumes) without running code; 201. */
    void create(ServerRequest req, ServerResponse res) {
        CreateSessionRequest body = Json.readOptional(bodies.read(req), CreateSessionRequest.class,
                () -> new CreateSessionRequest(null, null, null));
        Optional<Flavor> flavor = Optional.ofNullable(body.flavor()).map(Flavor::fromName);
        if (body.fromSession() != null) {
            SessionInfo info = sessions.createFrom(body.fromSession(), template(body.template()), flavor,
                    volumes(body.volumes()));
            Json.send(res, 201, WireViews.session(info, clock.instant()).copiedFrom(body.fromSession()));
            return;
        }
        SessionInfo info = sessions.create(template(body.template()), flavor, volumes(body.volumes()));
        Json.send(res, 201, WireViews.session(info, clock.instant()));
    }

    void list(ServerRequest req, ServerResponse res) {
        Instant now = clock.instant();
        Json.send(res, 200, new SessionList(sessions.list().stream().map(s -> WireViews.session(s, now)).toList()));
    }

    void get(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, WireViews.session(sessions.get(id(req)), clock.instant()));
    }

    void delete(ServerRequest req, ServerResponse res) {
        String id = id(req);
        sessions.delete(id);
        Json.send(res, 200, new SessionDeleted(id, true));
    }

    void stats(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, WireViews.stats(sessions.stats(), clock.instant()));
    }

    void pause(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, WireViews.maintenance(sessions.pauseMaintenance()));
    }

    void resume(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, WireViews.maintenance(sessions.resumeMaintenance()));
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }
}
