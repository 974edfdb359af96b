package dev.agentkernel.server;

import dev.agentkernel.api.AuditEventView;
import dev.agentkernel.api.CreateSandboxRequest;
import dev.agentkernel.api.ExecRequest;
import dev.agentkernel.api.ExtendRequest;
import dev.agentkernel.api.SandboxExtended;
import dev.agentkernel.api.SandboxView;
import dev.agentkernel.core.run.CollectedOutput;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.sandbox.CreateSandbox;
import dev.agentkernel.core.sandbox.SandboxInfo;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.sandbox.SandboxNames;
import dev.agentkernel.core.snapshot.SnapshotService;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.Termination;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.file.Path;
import java.util.List;
import dev.agentkernel.model.InvalidRequestException;
import java.util.Optional;

/**
 * Persistent sandboxes: list, create, get, delete, start, stop, pause, resume, exec and logs, plus the
 * global audit log. Package-private.
 */
final class SandboxRoutes {

    /** Most audit events one response carries. */
    static final int MAX_LOG_EVENTS = 10_000;
    private final SandboxManager sandboxes;
    private final Bodies bodies;
    private final SnapshotService snapshots;
    private final Path spoolDir;

    /** @param spoolDir where exec output beyond what an answer keeps in memory waits until it is sent */
    SandboxRoutes(SandboxManager sandboxes, SnapshotService snapshots, Bodies bodies, Path spoolDir) {
        this.snapshots = snapshots;
        this.spoolDir = spoolDir;
        this.sandboxes = sandboxes;
        this.bodies = bodies;
    }

    void list(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, sandboxes.list().stream().map(SandboxRoutes::toJson).toList());
    }

    void create(ServerRequest req, ServerResponse res) {
        CreateSandboxRequest body = Json.read(bodies.read(req), CreateSandboxRequest.class);
        String name = SandboxNames.requireValid(body.name());
        SandboxRequest options = body.snapshot() != null ? snapshots.requestFor(body.snapshot())
                : SandboxRequest.defaults().withPull(RequestFields.pull(body.pull()));
        if (body.image() != null) {
            options = options.withImage(body.image());
        }
        if (body.profile() != null) {
            options = options.withProfile(Profile.parse(body.profile()));
        }
        if (body.vcpus() != null) {
            options = options.withVcpus(body.vcpus());
        }
        if (body.memoryMb() != null) {
            options = options.withMemoryMb(body.memoryMb());
        }
        if (body.diskMb() != null) {
            options = options.withDiskMb(body.diskMb());
        }
        if (body.network() != null) {
            options = options.withNetwork(body.network());
        }
        if (body.dir() != null) {
            options = options.withProjectDir(Path.of(body.dir()));
        }
        if (body.backend() != null) {
            options = options.withBackend(body.backend());
        }
        if (body.networkPolicy() != null) { // else a snapshot's own, or none
            options = options.withEgress(RequestFields.egress(body.networkPolicy()));
        }
        SandboxInfo info = sandboxes.create(new CreateSandbox(name, options, body.timeToLive(),
                dev.agentkernel.core.volume.VolumeMount.parseAll(body.volumes()), body.secrets(), body.secretFiles(),
                body.secretsInBody(), java.util.Optional.ofNullable(body.sourceUrl()).map(url ->
                        new dev.agentkernel.core.sandbox.GitSource(url, java.util.Optional.ofNullable(body.sourceRef())))));
        Json.send(res, 201, toJson(info));
    }

    void get(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, toJson(sandboxes.get(name(req))));
    }

    void getByUuid(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, toJson(sandboxes.getByUuid(req.path().pathParameters().get("uuid"))));
    }

    void extend(ServerRequest req, ServerResponse res) {
        String name = name(req);
        ExtendRequest body = Json.read(bodies.read(req), ExtendRequest.class);
        java.util.Optional<java.time.Instant> expiry = sandboxes.extend(name, body.duration());
        Json.send(res, 200, new SandboxExtended(name, expiry.map(WireViews::seconds).orElse(null)));
    }

    void delete(ServerRequest req, ServerResponse res) {
        String name = name(req);
        sandboxes.remove(name);
        Json.send(res, 200, "Removed sandbox '" + name + "'");
    }

    void start(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, toJson(sandboxes.start(name(req))));
    }

    void stop(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, toJson(sandboxes.stop(name(req))));
    }

    // ---- pause and resume (issue 15) ----
    void pause(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, toJson(sandboxes.pause(name(req))));
    }

    void resume(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, toJson(sandboxes.resume(name(req))));
    }

    void exec(ServerRequest req, ServerResponse res) throws InterruptedException {
        String name = name(req);
        ExecRequest request = Json.read(bodies.read(req), ExecRequest.class);
        CommandSpec spec = RequestFields.exec(request);
        try (CollectedOutput collected = CollectedOutput.spilling(spoolDir)) {
            Termination end = sandboxes.exec(name, spec, collected::output, () -> false);
            Json.sendSuccess(res, 200, json -> collected.writeFields(json, end, request.base64Output()));
        }
    }

    /** {@code POST /sandboxes/{name}/exec/stream}: the exec as Server-Sent Events, like {@code /run/stream}. */
    void execStream(ServerRequest req, ServerResponse res) {
        String name = name(req);
        ExecRequest request = Json.read(bodies.read(req), ExecRequest.class);
        RequestFields.requireTextOutput(request.base64Output(), "/sandboxes/" + name + "/exec");
        CommandSpec spec = RequestFields.exec(request);
        sandboxes.requireRunningSandbox(name); // 404 or 409 before the stream starts
        CommandStream.serve(res, (listener, cancelled) -> {
            listener.started(name);
            listener.stage("executing");
            return sandboxes.exec(name, spec, listener::output, cancelled);
        });
    }

    void logs(ServerRequest req, ServerResponse res) {
        String name = name(req);
        // 404 for an unknown sandbox; events of an earlier sandbox of the same name are not this one's
        java.time.Instant created = sandboxes.get(name).record().createdAt();
        Json.send(res, 200, events(sandboxes.audit().forSandbox(name, limit(req)).stream()
                .filter(e -> !e.timestamp().isBefore(created)).toList()));
    }

    void audit(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, events(sandboxes.audit().recent(limit(req))));
    }

    private static int limit(ServerRequest req) {
        Optional<String> text = req.query().first("limit").asOptional();
        if (text.isEmpty()) {
            return MAX_LOG_EVENTS;
        }
        try {
            int limit = Integer.parseInt(text.get());
            if (limit < 1 || limit > MAX_LOG_EVENTS) {
                throw new NumberFormatException();
            }
            return limit;
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("limit must be a whole number from 1 to " + MAX_LOG_EVENTS);
        }
    }

    static List<AuditEventView> events(List<AuditEvent> events) {
        return events.stream().map(WireViews::auditEvent).toList();
    }

    static String name(ServerRequest req) {
        return SandboxNames.requireValid(req.path().pathParameters().get("name"));
    }

    static SandboxView toJson(SandboxInfo info) {
        return WireViews.sandbox(info);
    }
}
