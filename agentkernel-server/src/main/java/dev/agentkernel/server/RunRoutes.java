package dev.agentkernel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.run.RunOutcome;
import dev.agentkernel.core.run.RunRequest;
import dev.agentkernel.core.run.RunService;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.InvalidRequestException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.file.Path;
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
    /** Output one batch keeps in all: each command keeps its share, at most {@link CollectedOutput#MAX_BYTES}. */
    static final long BATCH_OUTPUT = 64L * 1024 * 1024;
    /** Output one batch keeps in memory in all; the rest waits in the spool directory. */
    static final long BATCH_IN_MEMORY = 8L * 1024 * 1024;
    private final RunService runs;
    private final Bodies bodies;
    private final Path spoolDir;
    private final Semaphore batchSlots;

    /** @param spoolDir where output beyond what an answer keeps in memory waits until it is sent */
    RunRoutes(RunService runs, Bodies bodies, Path spoolDir) {
        this.runs = runs;
        this.bodies = bodies;
        this.spoolDir = spoolDir;
        this.batchSlots = new Semaphore(Math.max(1, runs.maxConcurrent() / 2));
    }

    void run(ServerRequest req, ServerResponse res) throws InterruptedException {
        RunRequest request = RequestFields.runRequest(Json.parseObject(bodies.read(req)), "");
        try (CollectedOutput collected = new CollectedOutput(spoolDir)) {
            RunOutcome outcome = runs.run(request, collected, () -> false);
            Json.sendSuccess(res, 200, json -> collected.writeFields(json, outcome));
        }
    }

    void stream(ServerRequest req, ServerResponse res) {
        RunRequest request = RequestFields.runRequest(Json.parseObject(bodies.read(req)), "");
        CommandStream.serve(res, (listener, cancelled) -> runs.run(request, listener, cancelled).termination());
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
        // The whole batch keeps at most BATCH_OUTPUT bytes of output (BATCH_IN_MEMORY of them in memory).
        long limit = Math.min(CollectedOutput.MAX_BYTES, BATCH_OUTPUT / requests.size());
        long inMemory = Math.min(CollectedOutput.IN_MEMORY, BATCH_IN_MEMORY / requests.size());
        List<CollectedOutput> outputs = new ArrayList<>();
        List<Future<RunOutcome>> futures = new ArrayList<>();
        try {
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (RunRequest request : requests) {
                    CollectedOutput collected = new CollectedOutput(spoolDir, limit, inMemory);
                    outputs.add(collected);
                    futures.add(pool.submit(() -> runOne(request, collected)));
                }
            }
            Json.sendSuccess(res, 200, json -> {
                json.writeArrayFieldStart("results");
                for (int i = 0; i < futures.size(); i++) {
                    json.writeStartObject();
                    try {
                        outputs.get(i).writeFields(json, futures.get(i).get());
                        json.writeNullField("error");
                    } catch (java.util.concurrent.ExecutionException e) {
                        json.writeNullField("output");
                        json.writeStringField("error", e.getCause() instanceof AgentKernelException ak ? ak.getMessage()
                                : HttpErrors.message(e.getCause()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted while sending the batch's results");
                    }
                    json.writeEndObject();
                }
                json.writeEndArray();
            });
        } finally {
            outputs.forEach(CollectedOutput::close);
        }
    }

    /** One batch entry: bounded by the batch slots, waiting (not failing) for a free sandbox. */
    private RunOutcome runOne(RunRequest request, CollectedOutput collected) throws InterruptedException {
        batchSlots.acquire();
        try {
            for (int attempt = 0; ; attempt++) {
                try {
                    return runs.run(request, collected, () -> false);
                } catch (dev.agentkernel.model.ResourceExhaustedException e) {
                    if (attempt > 200) {
                        throw e;
                    }
                    Thread.sleep(25);
                }
            }
        } finally {
            batchSlots.release();
        }
    }

}
