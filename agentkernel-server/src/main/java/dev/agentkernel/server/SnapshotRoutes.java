package dev.agentkernel.server;

import dev.agentkernel.api.ForkRequest;
import dev.agentkernel.api.ForkResult;
import dev.agentkernel.api.RestoreSnapshotRequest;
import dev.agentkernel.api.SnapshotView;
import dev.agentkernel.api.TakeSnapshotRequest;
import dev.agentkernel.core.snapshot.SnapshotService;
import dev.agentkernel.core.wire.WireViews;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Optional;

/**
 * {@code /snapshots} (take, list, show, delete, restore) and {@code POST /sandboxes/NAME/fork},
 * over {@link SnapshotService}. Package-private.
 */
final class SnapshotRoutes {

    private final SnapshotService snapshots;
    private final Bodies bodies;

    SnapshotRoutes(SnapshotService snapshots, Bodies bodies) {
        this.snapshots = snapshots;
        this.bodies = bodies;
    }

    void list(ServerRequest req, ServerResponse res) {
        List<SnapshotView> all = snapshots.list().stream().map(WireViews::snapshot).toList();
        Json.send(res, 200, all);
    }

    void take(ServerRequest req, ServerResponse res) {
        TakeSnapshotRequest body = Json.read(bodies.read(req), TakeSnapshotRequest.class);
        Json.send(res, 201, WireViews.snapshot(snapshots.take(body.sandbox(), Optional.ofNullable(body.name()))));
    }

    void get(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, WireViews.snapshot(snapshots.get(name(req))));
    }

    void delete(ServerRequest req, ServerResponse res) {
        String name = name(req);
        snapshots.delete(name);
        Json.send(res, 200, "Deleted snapshot '" + name + "'");
    }

    void restore(ServerRequest req, ServerResponse res) {
        RestoreSnapshotRequest body = Json.readOptional(bodies.read(req), RestoreSnapshotRequest.class,
                () -> new RestoreSnapshotRequest(null));
        Json.send(res, 200, WireViews.sandbox(snapshots.restore(name(req), Optional.ofNullable(body.sandbox()))));
    }

    void fork(ServerRequest req, ServerResponse res) {
        ForkRequest body = Json.readOptional(bodies.read(req), ForkRequest.class, () -> new ForkRequest(null, null));
        SnapshotService.Fork fork = snapshots.fork(SandboxRoutes.name(req), body.sandboxes(), body.names());
        Json.send(res, 201, new ForkResult(WireViews.snapshot(fork.snapshot()),
                fork.sandboxes().stream().map(WireViews::sandbox).toList()));
    }

    private static String name(ServerRequest req) {
        return req.path().pathParameters().get("snapshot");
    }
}
