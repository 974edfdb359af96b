package dev.agentkernel.core.run;

import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.pool.PoolKey;
import dev.agentkernel.core.pool.WarmPool;
import dev.agentkernel.core.process.SupervisedExecution;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.metrics.Metric;
import dev.agentkernel.core.metrics.Metrics;
import dev.agentkernel.core.detect.Detection;
import dev.agentkernel.core.detect.ImageDetector;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.policy.RootResolver;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.ResourceExhaustedException;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs commands in fresh sandboxes with bounded concurrency. Thread-safe; blocking: call it
 * from a virtual thread per request.
 */
public final class RunService {

    private final IsolationBackend backend;
    private final PolicyResolver resolver;
    private final ImageDetector detector = new ImageDetector();
    private final Semaphore slots;
    private final int maxConcurrent;
    private final Duration defaultTimeout;
    private final Optional<WarmPool<PoolKey, AgentSandbox>> pool;
    private final Metrics metrics;

    /**
     * @param maxConcurrent  sandboxes that may run at once; more are refused
     * @param defaultTimeout wall-clock limit of a run that asks for none
     */
    public RunService(IsolationBackend backend, PolicyResolver resolver, int maxConcurrent, Duration defaultTimeout) {
        this(backend, resolver, maxConcurrent, defaultTimeout, Optional.empty());
    }

    /**
     * @param maxConcurrent  sandboxes that may run at once; more are refused
     * @param defaultTimeout wall-clock limit of a run that asks for none
     * @param pool           pre-started sandboxes for requests with {@code fast}; the cold path when empty
     */
    public RunService(IsolationBackend backend, PolicyResolver resolver, int maxConcurrent, Duration defaultTimeout,
                      Optional<WarmPool<PoolKey, AgentSandbox>> pool) {
        this(backend, resolver, maxConcurrent, defaultTimeout, pool, Metrics.NONE);
    }

    /**
     * Like the other constructors, reporting each sandbox start ({@link Metric#SANDBOX_STARTS}, kind
     * {@code run}, path {@code pool} or {@code cold}) to {@code metrics}.
     */
    public RunService(IsolationBackend backend, PolicyResolver resolver, int maxConcurrent, Duration defaultTimeout,
                      Optional<WarmPool<PoolKey, AgentSandbox>> pool, Metrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics, "metrics");
        this.pool = pool;
        this.backend = backend;
        this.resolver = resolver;
        this.maxConcurrent = maxConcurrent;
        this.slots = new Semaphore(maxConcurrent);
        this.defaultTimeout = defaultTimeout;
    }

    /** Sandboxes running now. */
    public int running() {
        return maxConcurrent - slots.availablePermits();
    }

    /** The most that may run at once. */
    public int maxConcurrent() {
        return maxConcurrent;
    }

    /**
     * Runs {@code request} to its end.
     *
     * @param cancelled polled while the command runs; true kills the sandbox (e.g. the client left)
     * @throws ResourceExhaustedException when {@link #maxConcurrent()} sandboxes already run
     * @throws dev.agentkernel.model.InvalidRequestException for a bad request
     */
    public RunOutcome run(RunRequest request, RunListener listener, BooleanSupplier cancelled) throws InterruptedException {
        long begin = System.nanoTime();
        SandboxSpec spec = resolve(request);
        CommandSpec command = new CommandSpec(request.command(), request.env(), Optional.empty(),
                Optional.of(request.timeout().orElse(defaultTimeout)), request.root());
        if (!slots.tryAcquire(50, TimeUnit.MILLISECONDS)) {
            throw new ResourceExhaustedException("too many sandboxes running (" + maxConcurrent
                    + " at most); retry shortly");
        }
        try {
            long taking = System.nanoTime();
            Optional<AgentSandbox> warm = request.fast() && pool.isPresent() && !request.egress().restricts()
                    ? pool.get().take(PoolKey.of(spec))
                    : Optional.empty();
            if (warm.isPresent()) {
                metrics.time(Metric.SANDBOX_STARTS, Duration.ofNanos(System.nanoTime() - taking), "run", "pool",
                        backendOf(spec), "ok");
                return runWarm(warm.get(), command, listener, cancelled, begin);
            }
            listener.started(spec.hostname());
            listener.stage("creating");
            // The command may print before start() returns: "executing" goes out before its first output.
            boolean[] executing = {false};
            Runnable announce = () -> {
                synchronized (executing) { // the other stream waits until the stage is out
                    if (!executing[0]) {
                        executing[0] = true;
                        listener.stage("executing");
                    }
                }
            };
            Stdio.OutputSink output = (stream, bytes, offset, length) -> {
                announce.run();
                listener.output(stream, bytes, offset, length);
            };
            Stdio stdio = new Stdio(new Stdio.Input.Empty(), new Stdio.Output.To(output), new Stdio.Output.To(output));
            listener.stage("starting");
            try (RootResolver.Lease lease = resolver.lease(spec, "run " + spec.hostname());
                 Execution execution = startCold(spec, command, stdio)) {
                announce.run();
                Optional<Termination> end;
                do {
                    end = execution.await(Duration.ofMillis(100));
                    if (end.isEmpty() && cancelled.getAsBoolean()) {
                        execution.kill();
                    }
                } while (end.isEmpty());
                return new RunOutcome(spec.hostname(), end.get(), Duration.ofNanos(System.nanoTime() - begin));
            }
        } finally {
            slots.release();
        }
    }

    /** Starts a sandbox for the command, reporting how long that took and whether it worked. */
    private Execution startCold(SandboxSpec spec, CommandSpec command, Stdio stdio) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            Execution execution = backend.start(spec, command, stdio);
            outcome = "ok";
            return execution;
        } finally {
            metrics.time(Metric.SANDBOX_STARTS, Duration.ofNanos(System.nanoTime() - start), "run", "cold",
                    backendOf(spec), outcome);
        }
    }

    private String backendOf(SandboxSpec spec) {
        return spec.backend().orElse(backend.name());
    }

    /** A pre-started sandbox runs the command through its agent, then is destroyed (never reused). */
    private RunOutcome runWarm(AgentSandbox box, CommandSpec command, RunListener listener, BooleanSupplier cancelled,
                               long begin) throws InterruptedException {
        try {
            String name = box.spec().hostname();
            listener.started(name);
            listener.stage("creating");
            listener.stage("starting");
            listener.stage("executing");
            Termination end = box.runLikeAShell(command, listener::output, cancelled, SupervisedExecution.DEFAULT_GRACE);
            return new RunOutcome(name, end, Duration.ofNanos(System.nanoTime() - begin));
        } finally {
            pool.get().discard(box);
        }
    }

    private SandboxSpec resolve(RunRequest request) {
        SandboxRequest sandbox = SandboxRequest.defaults().withPull(request.pull());
        if (request.profile().isPresent()) {
            sandbox = sandbox.withProfile(request.profile().get());
        }
        if (request.backend().isPresent()) {
            sandbox = sandbox.withBackend(request.backend().get());
        }
        sandbox = sandbox.withEgress(request.egress());
        Optional<String> image = request.image().or(() -> resolver.configuredDefaultImage().isPresent() ? Optional.empty()
                : detector.detectFromCommand(request.command()).map(Detection::image));
        if (image.isPresent()) {
            sandbox = sandbox.withImage(image.get());
        }
        return resolver.resolve(sandbox);
    }

}
