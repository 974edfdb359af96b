package dev.agentkernel.server;

import dev.agentkernel.api.BatchRequest;
import dev.agentkernel.core.run.CollectedOutput;
import dev.agentkernel.core.run.RunOutcome;
import dev.agentkernel.core.run.RunRequest;
import dev.agentkernel.core.run.RunService;
import dev.agentkernel.model.AgentKernelException;
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
        dev.agentkernel.api.RunRequest body = Json.read(bodies.read(req), dev.agentkernel.api.RunRequest.class);
        RunRequest request = RequestFields.run(body);
        try (CollectedOutput collected = CollectedOutput.spilling(spoolDir)) {
            RunOutcome outcome = runs.run(request, collected, () -> false);
            Json.sendSuccess(res, 200, json -> collected.writeFields(json, outcome, body.base64Output()));
        }
    }

    void stream(ServerRequest req, ServerResponse res) {
        dev.agentkernel.api.RunRequest body = Json.read(bodies.read(req), dev.agentkernel.api.RunRequest.class);
        RequestFields.requireTextOutput(body.base64Output(), "/run");
        RunRequest request = RequestFields.run(body);
        CommandStream.serve(res, (listener, cancelled) -> runs.run(request, listener, cancelled).termination());
    }

    void batch(ServerRequest req, ServerResponse res) throws InterruptedException {
        BatchRequest batch = Json.read(bodies.read(req), BatchRequest.class);
        List<RunRequest> requests = new ArrayList<>();
        for (int i = 0; i < batch.commands().size(); i++) {
            try {
                requests.add(RequestFields.run(batch.commands().get(i)));
            } catch (dev.agentkernel.model.InvalidRequestException e) {
                throw new dev.agentkernel.model.InvalidRequestException("commands[" + i + "]: " + e.getMessage());
            }
        }
        // The whole batch keeps at most BATCH_OUTPUT bytes of output (BATCH_IN_MEMORY of them in memory).
        long limit = Math.min(CollectedOutput.MAX_BYTES, BATCH_OUTPUT / requests.size());
        long inMemory = Math.min(CollectedOutput.IN_MEMORY, BATCH_IN_MEMORY / requests.size());
        List<CollectedOutput> outputs = new ArrayList<>();
        List<Future<RunOutcome>> futures = new ArrayList<>();
        try {
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (RunRequest request : requests) {
                    CollectedOutput collected = CollectedOutput.spilling(spoolDir, limit, inMemory);
                    outputs.add(collected);
                    futures.add(pool.submit(() -> runOne(request, collected)));
                }
            }
            Json.sendSuccess(res, 200, json -> {
                json.writeArrayFieldStart("results");
                for (int i = 0; i < futures.size(); i++) {
                    json.writeStartObject();
                    try {
                        outputs.get(i).writeFields(json, futures.get(i).get(), batch.commands().get(i).base64Output());
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
