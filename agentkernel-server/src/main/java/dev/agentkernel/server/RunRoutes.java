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
