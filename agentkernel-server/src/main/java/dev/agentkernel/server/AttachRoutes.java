package dev.agentkernel.server;

import dev.agentkernel.api.AttachOpened;
import dev.agentkernel.api.AttachRequest;
import dev.agentkernel.api.ResizeRequest;
import dev.agentkernel.api.TerminalEvent;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.sandbox.ShellSession;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.SandboxPaths;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Base64;
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
        AttachRequest body = Json.readOptional(bodies.read(req), AttachRequest.class,
                () -> new AttachRequest(null, null, null, null, null));
        List<String> command = body.command().isEmpty() ? SandboxManager.DEFAULT_SHELL : body.command();
        Map<String, String> env = RequestFields.env(body.env());
        Optional<String> workdir = Optional.ofNullable(body.workdir());
        workdir.ifPresent(w -> SandboxPaths.requireAbsolute(w, "workdir"));
        int rows = body.rows();
        int cols = body.cols();
        ShellSession session = sandboxes.openShell(name, new CommandSpec(command, env, workdir, Optional.empty()),
                rows, cols);
        Json.send(res, 201, new AttachOpened(session.id(), name));
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
                        case ShellSession.Event.Output out -> sse.send(new TerminalEvent.Output(out.stream().id(),
                                base64.encodeToString(out.bytes())));
                        case ShellSession.Event.Exit exit -> {
                            sse.send(new TerminalEvent.Exit(exit.exitCode()));
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
        ResizeRequest body = Json.read(bodies.read(req), ResizeRequest.class);
        session.resize(body.rows(), body.cols());
        res.status(204).send();
    }

    void close(ServerRequest req, ServerResponse res) {
        String id = id(req);
        sandboxes.shell(id);
        sandboxes.closeShell(id);
        Json.send(res, 200, "Closed session " + id);
    }

    private static String id(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        if (!id.matches("[0-9a-f-]{36}")) {
            throw new dev.agentkernel.model.NotFoundException("no interactive session '" + id.replaceAll("[^\\w-]", "?") + "'");
        }
        return id;
    }

}
