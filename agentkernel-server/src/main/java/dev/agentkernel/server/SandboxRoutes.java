package dev.agentkernel.server;

import dev.agentkernel.core.wire.WireJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.sandbox.CreateSandbox;
import dev.agentkernel.core.sandbox.SandboxInfo;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.sandbox.SandboxNames;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.EnvVar;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxPaths;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.Termination;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Persistent sandboxes: list, create, get, delete, start, stop, exec and logs, plus the
 * global audit log. Package-private.
 */
final class SandboxRoutes {

    /** Most audit events one response carries. */
    static final int MAX_LOG_EVENTS = 10_000;
    private final SandboxManager sandboxes;
    private final Bodies bodies;
    private final Path spoolDir;

    /** @param spoolDir where exec output beyond what an answer keeps in memory waits until it is sent */
    SandboxRoutes(SandboxManager sandboxes, Bodies bodies, Path spoolDir) {
        this.spoolDir = spoolDir;
        this.sandboxes = sandboxes;
        this.bodies = bodies;
    }

    void list(ServerRequest req, ServerResponse res) {
        ArrayNode all = Json.MAPPER.createArrayNode();
        for (SandboxInfo info : sandboxes.list()) {
            all.add(toJson(info));
        }
        send(res, 200, all);
    }

    void create(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.parseObject(bodies.read(req));
        JsonNode nameNode = body.get("name");
        if (nameNode == null || nameNode.isNull()) {
            throw new InvalidRequestException("name is required, e.g. {\"name\": \"my-sandbox\"}");
        }
        if (!nameNode.isTextual()) {
            throw new InvalidRequestException("name must be a string");
        }
        String name = SandboxNames.requireValid(nameNode.asText());
        SandboxRequest options = SandboxRequest.defaults();
        Optional<String> image = RequestFields.optionalString(body, "image", "");
        if (image.isPresent()) {
            options = options.withImage(image.get());
        }
        Optional<Profile> profile = RequestFields.optionalString(body, "profile", "").map(Profile::parse);
        if (profile.isPresent()) {
            options = options.withProfile(profile.get());
        }
        JsonNode vcpus = body.get("vcpus");
        if (vcpus != null && !vcpus.isNull()) {
            if (!vcpus.isNumber() || !(vcpus.asDouble() > 0)) {
                throw new InvalidRequestException("vcpus must be a positive number, e.g. 1 or 0.5");
            }
            options = options.withVcpus(vcpus.asDouble());
        }
        JsonNode memory = body.get("memory_mb");
        if (memory != null && !memory.isNull()) {
            if (!memory.isIntegralNumber() || !memory.canConvertToLong() || memory.asLong() <= 0) {
                throw new InvalidRequestException("memory_mb must be a positive whole number of MiB, e.g. 512");
            }
            options = options.withMemoryMb(memory.asLong());
        }
        JsonNode disk = body.get("disk_mb");
        if (disk != null && !disk.isNull()) {
            if (!disk.isIntegralNumber() || !disk.canConvertToLong() || disk.asLong() <= 0) {
                throw new InvalidRequestException("disk_mb must be a positive whole number of MiB (the size of the"
                        + " sandbox's /workspace, /tmp and /var/tmp together), e.g. 1024");
            }
            options = options.withDiskMb(disk.asLong());
        }
        JsonNode network = body.get("network");
        if (network != null && !network.isNull()) {
            if (!network.isBoolean()) {
                throw new InvalidRequestException("network must be true or false");
            }
            options = options.withNetwork(network.asBoolean());
        }
        Optional<String> dir = RequestFields.optionalString(body, "dir", "");
        if (dir.isPresent()) {
            if (dir.get().indexOf('\0') >= 0 || !dir.get().startsWith("/")) {
                throw new InvalidRequestException("dir must be an absolute host path, e.g. \"/home/me/project\"");
            }
            options = options.withProjectDir(java.nio.file.Path.of(dir.get()));
        }
        SandboxInfo info = sandboxes.create(new CreateSandbox(name, options));
        send(res, 201, toJson(info));
    }

    void get(ServerRequest req, ServerResponse res) {
        send(res, 200, toJson(sandboxes.get(name(req))));
    }

    void delete(ServerRequest req, ServerResponse res) {
        String name = name(req);
        sandboxes.remove(name);
        send(res, 200, Json.MAPPER.getNodeFactory().textNode("Removed sandbox '" + name + "'"));
    }

    void start(ServerRequest req, ServerResponse res) {
        send(res, 200, toJson(sandboxes.start(name(req))));
    }

    void stop(ServerRequest req, ServerResponse res) {
        send(res, 200, toJson(sandboxes.stop(name(req))));
    }

    void exec(ServerRequest req, ServerResponse res) throws InterruptedException {
        String name = name(req);
        CommandSpec spec = execRequest(Json.parseObject(bodies.read(req)));
        try (CollectedOutput collected = new CollectedOutput(spoolDir)) {
            Termination end = sandboxes.exec(name, spec, collected::output, () -> false);
            Json.sendSuccess(res, 200, json -> collected.writeFields(json, end));
        }
    }

    /** {@code POST /sandboxes/{name}/exec/stream}: the exec as Server-Sent Events, like {@code /run/stream}. */
    void execStream(ServerRequest req, ServerResponse res) {
        String name = name(req);
        CommandSpec spec = execRequest(Json.parseObject(bodies.read(req)));
        sandboxes.requireRunningSandbox(name); // 404 or 409 before the stream starts
        CommandStream.serve(res, (listener, cancelled) -> {
            listener.started(name);
            listener.stage("executing");
            return sandboxes.exec(name, spec, listener::output, cancelled);
        });
    }

    private static CommandSpec execRequest(ObjectNode body) {
        List<String> command = RequestFields.stringList(body, "command", "", true);
        if (command.isEmpty()) {
            throw new InvalidRequestException("command must not be empty: e.g. [\"ls\", \"-la\"]");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String assignment : RequestFields.stringList(body, "env", "", false)) {
            String[] kv = EnvVar.parse(assignment);
            env.put(kv[0], kv[1]);
        }
        Optional<String> workdir = RequestFields.optionalString(body, "workdir", "");
        workdir.ifPresent(w -> SandboxPaths.requireAbsolute(w, "workdir"));
        Optional<Duration> timeout = RequestFields.timeout(body, "");
        return new CommandSpec(command, env, workdir, timeout);
    }

    void logs(ServerRequest req, ServerResponse res) {
        String name = name(req);
        // 404 for an unknown sandbox; events of an earlier sandbox of the same name are not this one's
        java.time.Instant created = sandboxes.get(name).record().createdAt();
        send(res, 200, events(sandboxes.audit().forSandbox(name, limit(req)).stream()
                .filter(e -> !e.timestamp().isBefore(created)).toList()));
    }

    void audit(ServerRequest req, ServerResponse res) {
        send(res, 200, events(sandboxes.audit().recent(limit(req))));
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

    static ArrayNode events(List<AuditEvent> events) {
        ArrayNode all = Json.MAPPER.createArrayNode();
        for (AuditEvent event : events) {
            ObjectNode node = all.addObject();
            node.put("timestamp", event.timestamp().toString());
            node.put("event", event.type().id());
            event.sandbox().ifPresent(s -> node.put("sandbox", s));
            event.details().forEach((k, v) -> node.set(k, Json.MAPPER.valueToTree(v)));
        }
        return all;
    }

    static String name(ServerRequest req) {
        return SandboxNames.requireValid(req.path().pathParameters().get("name"));
    }

    static ObjectNode toJson(SandboxInfo info) {
        return WireJson.sandbox(info);
    }

    static void send(ServerResponse res, int status, JsonNode data) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json").send(Json.success(data));
    }
}
