package dev.agentkernel.server;

import dev.agentkernel.api.DetachRequest;
import dev.agentkernel.api.DetachedCommand;
import dev.agentkernel.core.sandbox.BackgroundProcess;
import dev.agentkernel.core.sandbox.BackgroundProcesses;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.SandboxPaths;
import dev.agentkernel.model.Termination;
import dev.agentkernel.agent.ExitStatus;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Optional;

/**
 * Background processes of a running sandbox, wire-compatible with the published clients' detached
 * commands: {@code POST /sandboxes/{name}/exec/detach} starts one; {@code GET .../exec/detached} lists
 * them, {@code GET .../exec/detached/{id}} shows one, {@code DELETE .../exec/detached/{id}} kills it with
 * its process group; {@code GET .../exec/detached/{id}/logs} answers its output so far, or follows it as
 * Server-Sent Events ({@code ?follow=true} or {@code Accept: text/event-stream}) in the framing of
 * {@code /run/stream} ({@link CommandStream}): the kept output, new output as it comes, then {@code done}.
 * A follower that leaves does not stop the process; followers end (an {@code error} event) when the server
 * shuts down, so that they do not hold up its drain. Package-private.
 */
final class DetachedRoutes {

    private final SandboxManager sandboxes;
    private final Bodies bodies;
    private final java.util.function.BooleanSupplier draining;

    /** @param draining whether the server shuts down: followers then end at once instead of holding up the drain */
    DetachedRoutes(SandboxManager sandboxes, Bodies bodies, java.util.function.BooleanSupplier draining) {
        this.sandboxes = sandboxes;
        this.bodies = bodies;
        this.draining = draining;
    }

    void start(ServerRequest req, ServerResponse res) {
        String name = SandboxRoutes.name(req);
        DetachRequest body = Json.read(bodies.read(req), DetachRequest.class);
        Optional<String> workdir = Optional.ofNullable(body.workdir());
        workdir.ifPresent(w -> SandboxPaths.requireAbsolute(w, "workdir"));
        CommandSpec spec = new CommandSpec(body.command(), RequestFields.env(body.env()), workdir, Optional.empty(),
                body.asRoot());
        BackgroundProcess process = sandboxes.background(name).start(spec);
        Json.send(res, 200, view(process));
    }

    void list(ServerRequest req, ServerResponse res) {
        List<DetachedCommand> all = sandboxes.background(SandboxRoutes.name(req)).list().stream()
                .map(DetachedRoutes::view).toList();
        Json.send(res, 200, all);
    }

    void get(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, view(process(req)));
    }

    void kill(ServerRequest req, ServerResponse res) throws InterruptedException {
        String name = SandboxRoutes.name(req);
        BackgroundProcesses processes = sandboxes.background(name);
        String id = id(req);
        boolean wasRunning = processes.get(id).isRunning();
        BackgroundProcess process = processes.kill(id);
        Json.send(res, 200, wasRunning
                ? "Killed background process " + id + " (" + (process.isRunning() ? "its end is not reported yet" : "exit code "
                        + process.info().ending().orElseThrow().status().exitCode()) + ")"
                : "Background process " + id + " had already ended");
    }

    void logs(ServerRequest req, ServerResponse res) {
        String name = SandboxRoutes.name(req);
        BackgroundProcess process = process(req);
        Optional<OutputStreamKind> only = stream(req);
        if (!follow(req)) {
            Json.send(res, 200, WireViews.detachedLogs(process.output(), only));
            return;
        }
        CommandStream.serve(res, (listener, cancelled) -> {
            listener.started(name);
            listener.stage("following");
            Optional<BackgroundProcess.Ending> end = process.follow((stream, bytes, offset, length) -> {
                if (only.isEmpty() || only.get() == stream) {
                    listener.output(stream, bytes, offset, length);
                }
            }, () -> cancelled.getAsBoolean() || draining.getAsBoolean());
            if (end.isEmpty() && draining.getAsBoolean()) {
                throw new dev.agentkernel.model.SandboxFailureException("the server is shutting down; its sandboxes' "
                        + "background processes end with it");
            }
            // empty otherwise: the client left, and nothing more is sent
            return end.map(DetachedRoutes::termination).orElse(new Termination.Exited(0));
        });
    }

    private static Termination termination(BackgroundProcess.Ending end) {
        return switch (end.status()) {
            case ExitStatus.Exited(int code) -> new Termination.Exited(code);
            case ExitStatus.Signaled(int signal) -> new Termination.Signaled(signal);
        };
    }

    private BackgroundProcess process(ServerRequest req) {
        return sandboxes.background(SandboxRoutes.name(req)).get(id(req));
    }

    private static DetachedCommand view(BackgroundProcess process) {
        return WireViews.detached(process.info());
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    private static Optional<OutputStreamKind> stream(ServerRequest req) {
        Optional<String> stream = req.query().first("stream").asOptional();
        if (stream.isEmpty() || stream.get().isEmpty()) {
            return Optional.empty();
        }
        return switch (stream.get()) {
            case "stdout" -> Optional.of(OutputStreamKind.STDOUT);
            case "stderr" -> Optional.of(OutputStreamKind.STDERR);
            default -> throw new InvalidRequestException("stream must be stdout or stderr");
        };
    }

    private static boolean follow(ServerRequest req) {
        Optional<String> follow = req.query().first("follow").asOptional();
        if (follow.isPresent()) {
            return switch (follow.get()) {
                case "true", "1" -> true;
                case "false", "0", "" -> false;
                default -> throw new InvalidRequestException("follow must be true or false");
            };
        }
        return req.headers().first(HeaderNames.ACCEPT).map(a -> a.contains("text/event-stream")).orElse(false);
    }
}
