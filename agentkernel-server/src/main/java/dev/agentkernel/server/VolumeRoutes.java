package dev.agentkernel.server;

import dev.agentkernel.api.CreateVolumeRequest;
import dev.agentkernel.api.VolumeRemoved;
import dev.agentkernel.core.volume.VolumeManager;
import dev.agentkernel.core.volume.VolumeNames;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.model.InvalidRequestException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Named volumes: {@code POST /volumes}, {@code GET /volumes}, {@code GET /volumes/{name}} and
 * {@code DELETE /volumes/{name}[?force=true]}. Package-private.
 */
final class VolumeRoutes {

    private final VolumeManager volumes;
    private final Bodies bodies;

    VolumeRoutes(VolumeManager volumes, Bodies bodies) {
        this.volumes = volumes;
        this.bodies = bodies;
    }

    void create(ServerRequest req, ServerResponse res) {
        CreateVolumeRequest body = Json.read(bodies.read(req), CreateVolumeRequest.class);
        OptionalLong size = body.sizeMb() == null ? OptionalLong.empty() : OptionalLong.of(body.sizeMb());
        Json.send(res, 201, WireViews.volume(volumes.create(body.name(), size)));
    }

    void list(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, WireViews.volumes(volumes.list()));
    }

    void get(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, WireViews.volume(volumes.get(name(req))));
    }

    void delete(ServerRequest req, ServerResponse res) {
        String name = name(req);
        volumes.remove(name, force(req.query().first("force").asOptional()));
        Json.send(res, 200, new VolumeRemoved(name));
    }

    private static boolean force(Optional<String> value) {
        if (value.isEmpty()) {
            return false;
        }
        return switch (value.get()) {
            case "true", "1", "" -> true;
            case "false", "0" -> false;
            default -> throw new InvalidRequestException("force must be true or false, not '" + value.get() + "'");
        };
    }

    private static String name(ServerRequest req) {
        return VolumeNames.requireValid(req.path().pathParameters().get("name"));
    }
}
