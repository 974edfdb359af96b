package dev.agentkernel.core.process;

import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.cgroup.SandboxCgroup;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Termination;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * An {@link Execution} backed by a host process whose whole tree lives in one
 * {@link SandboxCgroup}. When the process ends, the thread that sees it end (the reaper's for a
 * child started with {@code posix_spawn}, a watcher virtual thread for one started by the JDK)
 * waits for the output pumps to deliver everything, classifies the end and runs the clean-up
 * exactly once; a timer enforces the timeout (SIGTERM to every process of the sandbox, then
 * SIGKILL after the grace period).
 */
public final class SupervisedExecution implements Execution {

    /** How long processes get between SIGTERM and SIGKILL when the timeout runs out. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);
    private static final int CHUNK = 64 * 1024;
    private static final System.Logger LOG = System.getLogger(SupervisedExecution.class.getName());
    /** Fires timeouts; the work of one (SIGTERM, the grace period, SIGKILL) runs on a virtual thread of its own. */
    private static final ScheduledExecutorService TIMERS = timers();

    private final String id;
    private final Process process;
    private final SandboxCgroup cgroup;
    private final long memoryLimitMb;
    private final Runnable cleanup;
    private final List<Thread> pumps = new ArrayList<>();
    private final CompletableFuture<Termination> result = new CompletableFuture<>();
    private final AtomicBoolean killed = new AtomicBoolean();
    private final AtomicBoolean timedOut = new AtomicBoolean();
    private final AtomicBoolean cleaned = new AtomicBoolean();

    private final boolean stdinPipe;
    private final boolean stdoutPipe;

    private SupervisedExecution(String id, Process process, Stdio stdio, SandboxCgroup cgroup, long memoryLimitMb,
                                Runnable cleanup) {
        this.id = id;
        this.stdinPipe = stdio.stdin() instanceof Stdio.Input.Pipe;
        this.stdoutPipe = stdio.stdout() instanceof Stdio.Output.Pipe;
        this.process = process;
        this.cgroup = cgroup;
        this.memoryLimitMb = memoryLimitMb;
        this.cleanup = cleanup;
    }

    /**
     * Starts supervising a process that has just been started with redirects matching
     * {@code stdio} ({@link ProcessBuilder.Redirect#PIPE} for {@code From}/{@code To}).
     *
     * @param cleanup runs once after the process and every process of its cgroup are gone
     */
    public static SupervisedExecution supervise(String id, Process process, Stdio stdio, Optional<Duration> timeout,
                                                Duration grace, SandboxCgroup cgroup, long memoryLimitMb,
                                                Runnable cleanup) {
        SupervisedExecution execution = new SupervisedExecution(id, process, stdio, cgroup, memoryLimitMb, cleanup);
        execution.startPumps(stdio);
        execution.watch(timeout, grace);
        return execution;
    }

    /** How the redirects of a {@link ProcessBuilder} must be set for {@code stdio}. */
    public static void applyRedirects(ProcessBuilder builder, Stdio stdio) {
        builder.redirectInput(switch (stdio.stdin()) {
            case Stdio.Input.Inherit i -> ProcessBuilder.Redirect.INHERIT;
            case Stdio.Input.Empty e -> ProcessBuilder.Redirect.from(new java.io.File("/dev/null"));
            case Stdio.Input.From f -> ProcessBuilder.Redirect.PIPE;
            case Stdio.Input.Pipe p -> ProcessBuilder.Redirect.PIPE;
        });
        builder.redirectOutput(redirect(stdio.stdout()));
        builder.redirectError(redirect(stdio.stderr()));
    }

    private static ProcessBuilder.Redirect redirect(Stdio.Output output) {
        return switch (output) {
            case Stdio.Output.Inherit i -> ProcessBuilder.Redirect.INHERIT;
            case Stdio.Output.Discard d -> ProcessBuilder.Redirect.DISCARD;
            case Stdio.Output.To t -> ProcessBuilder.Redirect.PIPE;
            case Stdio.Output.Pipe p -> ProcessBuilder.Redirect.PIPE;
        };
    }

    private void startPumps(Stdio stdio) {
        if (stdio.stdout() instanceof Stdio.Output.To to) {
            pumps.add(Thread.ofVirtual().name("ak-out-" + id)
                    .start(() -> pump(process.getInputStream(), OutputStreamKind.STDOUT, to.sink())));
        }
        if (stdio.stderr() instanceof Stdio.Output.To to) {
            pumps.add(Thread.ofVirtual().name("ak-err-" + id)
                    .start(() -> pump(process.getErrorStream(), OutputStreamKind.STDERR, to.sink())));
        }
        if (stdio.stdin() instanceof Stdio.Input.From from) {
            // Not joined: a source that never ends must not hold up the result.
            Thread.ofVirtual().name("ak-in-" + id).start(() -> feed(from.source(), process.getOutputStream()));
        }
    }

    private static void pump(InputStream in, OutputStreamKind kind, Stdio.OutputSink sink) {
        byte[] buffer = new byte[CHUNK];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    sink.accept(kind, buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // the process side closed: nothing more to deliver
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "output sink failed; discarding the rest of " + kind.id(), e);
            drain(in, buffer);
        }
    }

    private static void drain(InputStream in, byte[] buffer) {
        try (in) {
            while (in.read(buffer) >= 0) {
                // keep the process from blocking on a full pipe
            }
        } catch (IOException ignored) {
            // closed
        }
    }

    private static void feed(InputStream source, OutputStream stdin) {
        try (stdin; source) {
            source.transferTo(stdin);
        } catch (IOException e) {
            // the command stopped reading or exited
        }
    }

    private static ScheduledExecutorService timers() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("ak-timeouts").daemon(true).factory());
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    /** Arms the timeout (when there is one) and finishes on the thread that sees the process end. */
    private void watch(Optional<Duration> timeout, Duration grace) {
        ScheduledFuture<?> timer = timeout.<ScheduledFuture<?>>map(t -> TIMERS.schedule(
                () -> Thread.ofVirtual().name("ak-timeout-" + id).start(() -> expire(grace)),
                t.toNanos(), TimeUnit.NANOSECONDS)).orElse(null);
        Consumer<Throwable> ended = failure -> { // failure: null, or why the end could not be awaited
            if (timer != null) {
                timer.cancel(false);
            }
            finish(timeout, failure);
        };
        if (process instanceof NativeProcess) {
            // on the reaper's thread: no hand-over to a watcher between the exit and the result
            process.onExit().whenComplete((exited, failure) -> ended.accept(failure));
        } else {
            // Not the JDK's onExit(): it completes through the common ForkJoinPool, one thread on two CPUs,
            // which any blocking task (a test reading a child's output) holds up: a run that never ended.
            Thread.ofVirtual().name("ak-watch-" + id).start(() -> {
                Throwable failure = null;
                try {
                    process.waitFor();
                } catch (InterruptedException e) {
                    failure = e;
                }
                ended.accept(failure);
            });
        }
    }

    private void expire(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        timedOut.set(true);
        try {
            terminate(grace);
        } catch (InterruptedException e) {
            killTree();
        }
    }

    private void finish(Optional<Duration> timeout, Throwable failure) {
        if (failure != null) {
            cleanupOnce();
            result.completeExceptionally(failure);
            return;
        }
        try {
            int code = process.exitValue();
            for (Thread pump : pumps) {
                pump.join();
            }
            Termination end = classify(code, timeout);
            cleanupOnce(); // before completing: a caller that exits right after await() leaves nothing behind
            result.complete(end);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cleanupOnce();
            result.completeExceptionally(e);
        } catch (Throwable t) {
            cleanupOnce();
            result.completeExceptionally(t);
        }
    }

    private Termination classify(int code, Optional<Duration> timeout) {
        if (timedOut.get()) {
            return new Termination.TimedOut(timeout.orElseThrow());
        }
        if (killed.get()) {
            return new Termination.Signaled(9);
        }
        if (code != 0 && cgroup.oomKilled()) {
            return new Termination.OutOfMemory(memoryLimitMb);
        }
        return new Termination.Exited(code);
    }

    /**
     * SIGTERM to every process of the sandbox but bubblewrap (the launcher that stays its parent ignores
     * it by itself), then SIGKILL after grace.
     */
    private void terminate(Duration grace) throws InterruptedException {
        for (long pid : cgroup.pids()) {
            if (!isSupervisor(pid)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            }
        }
        if (!process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
            killTree();
        }
    }

    private static boolean isSupervisor(long pid) {
        try {
            String comm = Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
            return comm.equals("bwrap");
        } catch (IOException e) {
            return false;
        }
    }

    private void killTree() {
        cgroup.killAll();
        process.destroyForcibly();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Termination await() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    @Override
    public Optional<Termination> await(Duration wait) throws InterruptedException {
        try {
            return Optional.of(result.get(wait.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    private static RuntimeException unwrap(ExecutionException e) {
        Throwable cause = e.getCause();
        return cause instanceof RuntimeException re ? re
                : new dev.agentkernel.model.SandboxFailureException("supervising the sandbox failed: " + cause, cause);
    }

    @Override
    public Optional<OutputStream> stdinPipe() {
        return stdinPipe ? Optional.of(process.getOutputStream()) : Optional.empty();
    }

    @Override
    public Optional<InputStream> stdoutPipe() {
        return stdoutPipe ? Optional.of(process.getInputStream()) : Optional.empty();
    }

    @Override
    public boolean isRunning() {
        return !result.isDone();
    }

    @Override
    public long oomKills() {
        return cleaned.get() ? 0 : cgroup.oomKillCount();
    }

    @Override
    public void pause() {
        if (result.isDone()) {
            throw new dev.agentkernel.model.SandboxFailureException("sandbox " + id + " has ended; nothing to pause");
        }
        cgroup.freeze();
    }

    @Override
    public void resume() {
        if (!cleaned.get()) {
            cgroup.thaw();
        }
    }

    @Override
    public boolean isPaused() {
        return !cleaned.get() && cgroup.frozen();
    }

    @Override
    public java.util.OptionalLong cpuUsageMicros() {
        return cleaned.get() ? java.util.OptionalLong.empty() : cgroup.cpuUsageMicros();
    }

    @Override
    public void kill() {
        if (!result.isDone()) {
            killed.set(true);
            killTree();
        }
    }

    @Override
    public void close() {
        kill();
        try {
            result.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the watcher reports it; clean up anyway
        }
        cleanupOnce();
    }

    private synchronized void cleanupOnce() {
        if (cleaned.compareAndSet(false, true)) {
            try {
                if (!cgroup.destroy(Duration.ofSeconds(5))) {
                    LOG.log(System.Logger.Level.WARNING, "control group " + cgroup.name() + " could not be removed");
                }
            } finally {
                cleanup.run();
            }
        }
    }
}
