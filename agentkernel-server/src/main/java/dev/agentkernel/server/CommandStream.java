package dev.agentkernel.server;

import dev.agentkernel.api.CommandEvent;
import dev.agentkernel.core.run.RunListener;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Termination;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One command's life as Server-Sent Events, the framing of {@code /run/stream}: {@code started},
 * {@code progress} stages, {@code output} as produced (UTF-8 text, never split inside a
 * character; {@code content} and {@code data} carry the same text, {@code stream} says which),
 * then {@code done} with the exit code, or {@code error}. A client that leaves cancels the
 * command. Package-private.
 */
final class CommandStream implements RunListener {

    /** Runs the command, reporting to the listener, until it ends or {@code cancelled} turns true. */
    @FunctionalInterface
    interface Command {
        Termination run(RunListener listener, BooleanSupplier cancelled) throws InterruptedException;
    }

    private final SseStream sse;
    private final Map<OutputStreamKind, Utf8Text> text = new EnumMap<>(OutputStreamKind.class);

    private CommandStream(SseStream sse) {
        this.sse = sse;
        text.put(OutputStreamKind.STDOUT, new Utf8Text());
        text.put(OutputStreamKind.STDERR, new Utf8Text());
    }

    /** Sends the event-stream headers, runs {@code command} and streams it to its end. */
    static void serve(ServerResponse res, Command command) {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header("X-Accel-Buffering", "no");
        SseStream sse = new SseStream(res.outputStream());
        CommandStream stream = new CommandStream(sse);
        try {
            Termination end = command.run(stream, sse::probeClosed);
            stream.flushText();
            sse.send(new CommandEvent.Done(end.exitCode(), end.describe().isEmpty() ? null : end.describe()));
        } catch (AgentKernelException e) {
            sse.send(new CommandEvent.Error(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sse.send(new CommandEvent.Error("the server is shutting down; the command was stopped"));
        } catch (RuntimeException e) {
            // Headers are sent: the only way left to report it is an error event.
            System.getLogger(CommandStream.class.getName()).log(System.Logger.Level.WARNING, "stream failed", e);
            sse.send(new CommandEvent.Error(HttpErrors.message(e)));
        } finally {
            sse.close();
        }
    }

    @Override
    public void started(String sandboxId) {
        sse.send(new CommandEvent.Started(sandboxId));
    }

    @Override
    public void stage(String stage) {
        sse.send(new CommandEvent.Progress(stage));
    }

    @Override
    public void output(OutputStreamKind stream, byte[] bytes, int offset, int length) {
        String chunk;
        synchronized (text) {
            chunk = text.get(stream).decode(bytes, offset, length);
        }
        if (!chunk.isEmpty()) {
            sse.send(CommandEvent.Output.of(stream.id(), chunk));
        }
    }

    private void flushText() {
        for (OutputStreamKind kind : OutputStreamKind.values()) {
            String rest;
            synchronized (text) {
                rest = text.get(kind).finish();
            }
            if (!rest.isEmpty()) {
                sse.send(CommandEvent.Output.of(kind.id(), rest));
            }
        }
    }

}
