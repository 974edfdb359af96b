package dev.agentkernel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.run.RunListener;
import dev.agentkernel.core.run.RunOutcome;
import dev.agentkernel.core.run.RunRequest;
import dev.agentkernel.core.run.RunService;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.OutputStreamKind;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/** {@code POST /run}, {@code POST /run/stream} and {@code POST /batch/run}. Package-private. */
final class RunRoutes {

    static final int MAX_BATCH = 256;
    private final RunService runs;
    private final Bodies bodies;
    private final Semaphore batchSlots;

    RunRoutes(RunService runs, Bodies bodies) {
        this.runs = runs;
        this.bodies = bodies;
        this.batchSlots = new Semaphore(Math.max(1, runs.maxConcurrent() / 2));
    }

    void run(ServerRequest req, ServerResponse res) throws InterruptedException {
        RunRequest request = RequestFields.runRequest(Json.parseObject(bodies.read(req)), "");
        CollectedOutput collected = new CollectedOutput();
        RunOutcome outcome = runs.run(request, collected, () -> false);
        res.header(HeaderNames.CONTENT_TYPE, "application/json").send(Json.success(collected.toJson(outcome)));
    }

    void stream(ServerRequest req, ServerResponse res) {
        RunRequest request = RequestFields.runRequest(Json.parseObject(bodies.read(req)), "");
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header("X-Accel-Buffering", "no");
        SseStream sse = new SseStream(res.outputStream());
        Map<OutputStreamKind, Utf8Text> text = new java.util.EnumMap<>(OutputStreamKind.class);
        text.put(OutputStreamKind.STDOUT, new Utf8Text());
        text.put(OutputStreamKind.STDERR, new Utf8Text());
        RunListener listener = new RunListener() {
            @Override
            public void started(String sandboxId) {
                sse.send("started", Json.MAPPER.createObjectNode().put("sandbox", sandboxId));
            }

            @Override
            public void stage(String stage) {
                sse.send("progress", Json.MAPPER.createObjectNode().put("stage", stage));
            }

            @Override
            public void output(OutputStreamKind stream, byte[] bytes, int offset, int length) {
                String chunk;
                synchronized (text) {
                    chunk = text.get(stream).decode(bytes, offset, length);
                }
                if (!chunk.isEmpty()) {
                    sse.send("output", outputEvent(stream, chunk));
                }
            }
        };
        try {
            RunOutcome outcome = runs.run(request, listener, sse::probeClosed);
            for (OutputStreamKind kind : OutputStreamKind.values()) {
                String rest = text.get(kind).finish();
                if (!rest.isEmpty()) {
                    sse.send("output", outputEvent(kind, rest));
                }
            }
            ObjectNode done = Json.MAPPER.createObjectNode().put("exit_code", outcome.termination().exitCode());
            if (!outcome.termination().describe().isEmpty()) {
                done.put("reason", outcome.termination().describe());
            }
            sse.send("done", done);
        } catch (AgentKernelException e) {
            sse.send("error", Json.MAPPER.createObjectNode().put("message", e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sse.send("error", Json.MAPPER.createObjectNode().put("message", "server shutting down"));
        } catch (RuntimeException e) {
            // Headers are sent: the only way left to report it is an error event.
            System.getLogger(RunRoutes.class.getName()).log(System.Logger.Level.WARNING, "stream failed", e);
            sse.send("error", Json.MAPPER.createObjectNode().put("message", HttpErrors.message(e)));
        } finally {
            sse.close();
        }
    }

    private static ObjectNode outputEvent(OutputStreamKind stream, String chunk) {
        return Json.MAPPER.createObjectNode().put("content", chunk).put("data", chunk).put("stream", stream.id());
    }

    void batch(ServerRequest req, ServerResponse res) throws InterruptedException {
        ObjectNode body = Json.parseObject(bodies.read(req));
        JsonNode commands = body.get("commands");
        if (commands == null || !commands.isArray()) {
            throw new InvalidRequestException("commands is required: an array of {\"command\": [...]} objects");
        }
        if (commands.isEmpty()) {
            throw new InvalidRequestException("commands must not be empty");
        }
        if (commands.size() > MAX_BATCH) {
            throw new InvalidRequestException("a batch holds at most " + MAX_BATCH + " commands, got " + commands.size());
        }
        List<RunRequest> requests = new ArrayList<>();
        int index = 0;
        for (JsonNode item : commands) {
            if (!(item instanceof ObjectNode object)) {
                throw new InvalidRequestException("commands[" + index + "] must be an object like {\"command\": [\"echo\", \"hi\"]}");
            }
            try {
                requests.add(RequestFields.runRequest(object, "commands[" + index + "]."));
            } catch (InvalidRequestException e) {
                throw e.getMessage().startsWith("commands[") ? e
                        : new InvalidRequestException("commands[" + index + "]: " + e.getMessage());
            }
            index++;
        }
        List<Future<ObjectNode>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (RunRequest request : requests) {
                futures.add(pool.submit(() -> runOne(request)));
            }
        }
        ArrayNode results = Json.MAPPER.createArrayNode();
        for (Future<ObjectNode> future : futures) {
            try {
                results.add(future.get());
            } catch (java.util.concurrent.ExecutionException e) {
                results.add(Json.MAPPER.createObjectNode().putNull("output").put("error", HttpErrors.message(e.getCause())));
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("results", results);
        res.header(HeaderNames.CONTENT_TYPE, "application/json").send(Json.success(data));
    }

    /** One batch entry: bounded by the batch slots, waiting (not failing) for a free sandbox. */
    private ObjectNode runOne(RunRequest request) throws InterruptedException {
        batchSlots.acquire();
        try {
            for (int attempt = 0; ; attempt++) {
                try {
                    CollectedOutput collected = new CollectedOutput();
                    RunOutcome outcome = runs.run(request, collected, () -> false);
                    ObjectNode node = collected.toJson(outcome);
                    node.putNull("error");
                    return node;
                } catch (dev.agentkernel.model.ResourceExhaustedException e) {
                    if (attempt > 200) {
                        throw e;
                    }
                    Thread.sleep(25);
                } catch (AgentKernelException e) {
                    return Json.MAPPER.createObjectNode().putNull("output").put("error", e.getMessage());
                }
            }
        } finally {
            batchSlots.release();
        }
    }

}
