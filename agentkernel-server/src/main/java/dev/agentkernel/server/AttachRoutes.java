package dev.agentkernel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.sandbox.ShellSession;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.EnvVar;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.SandboxPaths;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Interactive sessions (attach) over plain HTTP, so any client with an HTTP library can drive
 * a terminal: {@code POST /sandboxes/{name}/attach} starts a shell (or a given command) on a
 * pseudo-terminal; {@code GET /attach/{id}/events} streams its output as SSE ({@code output}
 * with base64 bytes, then {@code exit} with the exit code); {@code POST /attach/{id}/input}
 * sends raw bytes ({@code ?eof=true} ends the input); {@code POST /attach/{id}/resize} sets the
 * window size; {@code DELETE /attach/{id}} kills it. A reader that disconnects kills the
 * session. Package-private.
 */
final class AttachRoutes {

    /** Most bytes one input request may carry. */
    static final int MAX_INPUT = 64 * 1024;
    private final SandboxManager sandboxes;
    private final Bodies bodies;

    AttachRoutes(SandboxManager sandboxes, Bodies bodies) {
        this.sandboxes = sandboxes;
        this.bodies = bodies;
    }

    void open(ServerRequest req, ServerResponse res) {
        String name = SandboxRoutes.name(req);
        byte[] raw = bodies.read(req);
        ObjectNode body = raw.length == 0 ? Json.MAPPER.createObjectNode() : Json.parseObject(raw);
        List<String> command = RequestFields.stringList(body, "command", "", false);
        if (command.isEmpty()) {
            command = SandboxManager.DEFAULT_SHELL;
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String assignment : RequestFields.stringList(body, "env", "", false)) {
            String[] kv = EnvVar.parse(assignment);
            env.put(kv[0], kv[1]);
        }
        Optional<String> workdir = RequestFields.optionalString(body, "workdir", "");
        workdir.ifPresent(w -> SandboxPaths.requireAbsolute(w, "workdir"));
        int rows = size(body, "rows", 24);
        int cols = size(body, "cols", 80);
        ShellSession session = sandboxes.openShell(name, new CommandSpec(command, env, workdir, Optional.empty()),
                rows, cols);
        ObjectNode data = Json.MAPPER.createObjectNode().put("session", session.id()).put("sandbox", name);
        SandboxRoutes.send(res, 201, data);
    }

    void events(ServerRequest req, ServerResponse res) {
        ShellSession session = sandboxes.shell(id(req));
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header("X-Accel-Buffering", "no");
        SseStream sse = new SseStream(res.outputStream());
        Base64.Encoder base64 = Base64.getEncoder();
        try {
            while (true) {
                Optional<ShellSession.Event> event = session.next(Duration.ofMillis(200));
                if (event.isPresent()) {
                    switch (event.get()) {
                        case ShellSession.Event.Output out -> sse.send("output", Json.MAPPER.createObjectNode()
                                .put("stream", out.stream().id()).put("b64", base64.encodeToString(out.bytes())));
                        case ShellSession.Event.Exit exit -> {
                            sse.send("exit", Json.MAPPER.createObjectNode().put("exit_code", exit.exitCode()));
                            sandboxes.closeShell(session.id());
                            return;
                        }
                    }
                }
                if (sse.probeClosed()) {
                    sandboxes.closeShell(session.id());
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sandboxes.closeShell(session.id());
        } finally {
            sse.close();
        }
    }

    void input(ServerRequest req, ServerResponse res) throws IOException {
        ShellSession session = sandboxes.shell(id(req));
        if (req.headers().contentLength().orElse(0) > MAX_INPUT) {
            throw new HttpErrors.PayloadTooLargeException(MAX_INPUT);
        }
        byte[] bytes = new byte[0];
        if (req.content().hasEntity()) {
            try (InputStream in = req.content().inputStream()) {
                bytes = in.readNBytes(MAX_INPUT + 1);
            }
        }
        if (bytes.length > MAX_INPUT) {
            throw new HttpErrors.PayloadTooLargeException(MAX_INPUT);
        }
        session.input(bytes);
        if (req.query().first("eof").asOptional().map(v -> v.equals("true") || v.equals("1")).orElse(false)) {
            session.endInput();
        }
        res.status(204).send();
    }

    void resize(ServerRequest req, ServerResponse res) {
        ShellSession session = sandboxes.shell(id(req));
        ObjectNode body = Json.parseObject(bodies.read(req));
        session.resize(size(body, "rows", -1), size(body, "cols", -1));
        res.status(204).send();
    }

    void close(ServerRequest req, ServerResponse res) {
        String id = id(req);
        sandboxes.shell(id);
        sandboxes.closeShell(id);
        SandboxRoutes.send(res, 200, Json.MAPPER.getNodeFactory().textNode("Closed session " + id));
    }

    private static String id(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        if (!id.matches("[0-9a-f-]{36}")) {
            throw new dev.agentkernel.model.NotFoundException("no interactive session '" + id.replaceAll("[^\\w-]", "?") + "'");
        }
        return id;
    }

    private static int size(ObjectNode body, String field, int fallback) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (fallback < 0) {
                throw new InvalidRequestException(field + " is required: a whole number from 1 to 1000");
            }
            return fallback;
        }
        if (!node.isIntegralNumber() || node.asInt() < 1 || node.asInt() > 1000) {
            throw new InvalidRequestException(field + " must be a whole number from 1 to 1000");
        }
        return node.asInt();
    }
}
