package dev.agentkernel.core.task;

import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.ResourceExhaustedException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Background tasks: {@link #dispatch} returns at once with the task's id; a bounded number of
 * workers run tasks in the order they came (the rest wait, reported as {@code running} without
 * a start time); {@link #status}, {@link #await}, {@link #list} and {@link #cancel} (which
 * kills the task's processes) follow them. Every change is written to the {@link TaskStore}, so
 * finished results outlive the daemon; tasks a previous daemon left unfinished are marked failed
 * with the reason when this one starts. Tasks that fail for a reason of the infrastructure are
 * tried again up to {@code maxRetries} times; a failure of the task's own code never is.
 *
 * <p>Thread-safe.
 */
public final class TaskManager implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TaskManager.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ID = Pattern.compile("task-[0-9a-f]{16}");
    private static final int ERROR_TAIL = 4096;
    /** Why tasks of an earlier daemon are failed. */
    public static final String INTERRUPTED_BY_RESTART =
            "the daemon stopped while this task was queued or running; it did not finish (dispatch it again)";

    private static final String STOPPED = "the daemon stopped while this task was queued or running; it was killed "
            + "(dispatch it again)";

    private final TaskRunner runner;
    private final TaskStore store;
    private final TaskSettings settings;
    private final Clock clock;
    private final Semaphore workers;
    private final Map<String, LiveTask> live = new ConcurrentHashMap<>();
    /** Dispatched tasks not yet given a worker, in the order they came. */
    private final java.util.concurrent.LinkedBlockingQueue<LiveTask> pending = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread admitter;
    private final int interruptedAtStart;
    private volatile boolean shutDown;

    /**
     * @param runner   runs one attempt of a task
     * @param store    where tasks are recorded
     * @param settings workers, timeouts, retries
     * @param clock    time source
     */
    public TaskManager(TaskRunner runner, TaskStore store, TaskSettings settings, Clock clock) {
        this.runner = runner;
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.workers = new Semaphore(settings.maxWorkers());
        this.admitter = Thread.ofVirtual().name("ak-task-admitter").start(this::admit);
        this.interruptedAtStart = store.failUnfinished(INTERRUPTED_BY_RESTART, clock.instant());
        if (interruptedAtStart > 0) {
            LOG.log(System.Logger.Level.WARNING, interruptedAtStart + " task(s) of the previous daemon did not finish; "
                    + "marked failed");
        }
    }

    /** The settings. */
    public TaskSettings settings() {
        return settings;
    }

    /** How many tasks a previous daemon left unfinished (now marked failed). */
    public int interruptedAtStart() {
        return interruptedAtStart;
    }

    /**
     * Queues a task and returns at once.
     *
     * @param timeout its time limit; empty: the default
     * @throws InvalidRequestException    for empty code or a timeout out of range
     * @throws ResourceExhaustedException if too many tasks are queued or running
     * @throws ConflictException          after {@link #shutdown}
     */
    public TaskInfo dispatch(String code, dev.agentkernel.core.session.InterpreterTemplate template,
                             Optional<Duration> timeout, boolean verbose, List<String> requiredTools) {
        return dispatch(code, template, timeout, verbose, requiredTools, Optional.empty(),
                dev.agentkernel.model.ImagePull.MISSING);
    }

    /**
     * Queues a task on {@code image} (empty: its template's), pulled as {@code pull} says when it runs.
     *
     * @throws InvalidRequestException    for empty code or a timeout out of range
     * @throws ResourceExhaustedException if too many tasks are queued or running
     * @throws ConflictException          after {@link #shutdown}
     */
    public TaskInfo dispatch(String code, dev.agentkernel.core.session.InterpreterTemplate template,
                             Optional<Duration> timeout, boolean verbose, List<String> requiredTools,
                             Optional<String> image, dev.agentkernel.model.ImagePull pull) {
        return dispatch(code, template, timeout, verbose, requiredTools, image, pull, Optional.empty());
    }

    /**
     * Queues a task on {@code image} (empty: its template's) and {@code backend} (empty: the default).
     *
     * @throws InvalidRequestException    for empty code, a timeout out of range or a bad backend name
     * @throws ResourceExhaustedException if too many tasks are queued or running
     * @throws ConflictException          after {@link #shutdown}
     */
    public TaskInfo dispatch(String code, dev.agentkernel.core.session.InterpreterTemplate template,
                             Optional<Duration> timeout, boolean verbose, List<String> requiredTools,
                             Optional<String> image, dev.agentkernel.model.ImagePull pull, Optional<String> backend) {
        return dispatch(code, template, timeout, verbose, requiredTools, image, pull, backend,
                dev.agentkernel.model.NetworkPolicy.NONE);
    }

    /**
     * Queues a task whose sandbox's network is under {@code egress} (as a request's {@code network_policy}).
     *
     * @throws InvalidRequestException    for empty code, a timeout out of range or a bad backend name
     * @throws ResourceExhaustedException if too many tasks are queued or running
     * @throws ConflictException          after {@link #shutdown}
     */
    public TaskInfo dispatch(String code, dev.agentkernel.core.session.InterpreterTemplate template,
                             Optional<Duration> timeout, boolean verbose, List<String> requiredTools,
                             Optional<String> image, dev.agentkernel.model.ImagePull pull, Optional<String> backend,
                             dev.agentkernel.model.NetworkPolicy egress) {
        if (code == null || code.isBlank()) {
            throw new InvalidRequestException("the task's code is required and must not be empty");
        }
        Duration limit = timeout.orElse(settings.defaultTimeout());
        if (limit.isNegative() || limit.isZero() || limit.compareTo(settings.maxTimeout()) > 0) {
            throw new InvalidRequestException("timeout must be more than 0 and at most " + settings.maxTimeout().toSeconds()
                    + " seconds");
        }
        if (shutDown) {
            throw new ConflictException("the task manager is shut down; it takes no new tasks");
        }
        if (live.size() >= settings.maxQueued()) {
            throw new ResourceExhaustedException(settings.maxQueued() + " tasks are queued or running (the maximum); "
                    + "wait for some to finish or cancel them");
        }
        TaskSpec spec = new TaskSpec(code, template, limit, verbose, requiredTools, image, pull, backend, egress);
        LiveTask task = new LiveTask(newId(), spec, clock.instant(), settings.outputLimit());
        live.put(task.id, task);
        TaskInfo dispatched = task.snapshot();
        store.save(dispatched);
        pending.add(task);
        return dispatched;
    }

    /**
     * Gives queued tasks a worker one at a time, strictly in the order they were dispatched (one
     * thread takes from one FIFO queue, so the order does not depend on which thread the
     * scheduler runs first). A task cancelled while it waits starts without a worker's permit
     * and ends at once.
     */
    private void admit() {
        try {
            while (true) {
                LiveTask task = pending.take();
                boolean permit = false;
                while (!task.cancelRequested && !(permit = workers.tryAcquire(50, TimeUnit.MILLISECONDS))) {
                    // waiting for a free worker, or for this task to be cancelled
                }
                start(task, permit);
            }
        } catch (InterruptedException e) {
            // the manager is shut down
        }
    }

    private void start(LiveTask task, boolean permit) {
        Thread worker = Thread.ofVirtual().name("ak-task-" + task.id)
                .unstarted(dev.agentkernel.core.audit.RequestId.within(task.requestId, () -> work(task, permit)));
        task.thread = worker;
        worker.start();
    }

    private void work(LiveTask task, boolean permit) {
        try {
            if (task.cancelRequested) {
                if (task.stopping) {
                    task.finish(TaskStatus.FAILED, Optional.of(STOPPED), Optional.empty(), clock);
                }
                task.finish(TaskStatus.CANCELLED, Optional.of("cancelled before it started"), Optional.empty(), clock);
                return;
            }
            task.startedAt = clock.instant();
            store.save(task.snapshot());
            TaskOutcome outcome = attempt(task);
            while (outcome instanceof TaskOutcome.InfrastructureFailure f && task.attempts <= settings.maxRetries()
                    && !task.cancelRequested) {
                LOG.log(System.Logger.Level.WARNING, "task " + task.id + " attempt " + task.attempts + " failed ("
                        + f.message() + "); trying again");
                Thread.sleep(Math.min(2000, 200L * task.attempts));
                outcome = attempt(task);
            }
            if (task.stopping) {
                task.finish(TaskStatus.FAILED, Optional.of(STOPPED), Optional.empty(), clock);
            }
            finish(task, outcome);
        } catch (InterruptedException e) {
            if (task.stopping) {
                task.finish(TaskStatus.FAILED, Optional.of(STOPPED), Optional.empty(), clock);
            }
            String why = !task.cancelRequested ? "the daemon stopped while it ran"
                    : task.startedAt == null ? "cancelled before it started" : "cancelled; its processes were killed";
            task.finish(TaskStatus.CANCELLED, Optional.of(why), Optional.empty(), clock);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "task " + task.id + " failed unexpectedly", e);
            task.finish(TaskStatus.FAILED, Optional.of("internal error: " + e.getMessage()), Optional.empty(), clock);
        } finally {
            if (permit) {
                workers.release();
            }
            try {
                store.save(task.snapshot());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "cannot record the end of task " + task.id + ": " + e.getMessage());
            }
            live.remove(task.id);
            task.done.complete(task.snapshot());
        }
    }

    private TaskOutcome attempt(LiveTask task) throws InterruptedException {
        task.attempts++;
        long begin = System.nanoTime();
        TaskOutcome outcome = runner.run(task.spec, (kind, b, off, len) -> {
            if (kind == OutputStreamKind.STDOUT || task.spec.verbose()) {
                task.output.append(b, off, len);
            }
            if (kind == OutputStreamKind.STDERR) {
                task.stderr.append(b, off, len);
            }
        }, () -> task.cancelRequested);
        if (task.spec.verbose()) {
            task.output.append("\n[attempt " + task.attempts + " ended after " + (System.nanoTime() - begin) / 1_000_000
                    + " ms: " + describe(outcome) + "]\n");
        }
        return outcome;
    }

    private void finish(LiveTask task, TaskOutcome outcome) {
        switch (outcome) {
            case TaskOutcome.Exited(int code) when code == 0 ->
                    task.finish(TaskStatus.COMPLETED, Optional.empty(), Optional.of(0), clock);
            case TaskOutcome.Exited(int code) -> {
                String said = task.stderr.text().strip();
                task.finish(TaskStatus.FAILED, Optional.of(said.isEmpty() ? "exited with code " + code
                        : said + "\n(exit code " + code + ")"), Optional.of(code), clock);
            }
            case TaskOutcome.TimedOut(Duration limit) -> task.finish(TaskStatus.TIMEOUT,
                    Optional.of("the task ran longer than its timeout of " + seconds(limit) + " and was killed"),
                    Optional.empty(), clock);
            case TaskOutcome.Failed(String reason) -> task.finish(TaskStatus.FAILED, Optional.of(reason), Optional.empty(), clock);
            case TaskOutcome.Cancelled() -> task.finish(TaskStatus.CANCELLED, Optional.of("cancelled; its processes were killed"),
                    Optional.empty(), clock);
            case TaskOutcome.InfrastructureFailure(String message) -> task.finish(TaskStatus.FAILED,
                    Optional.of("could not be run (" + task.attempts + " attempt" + (task.attempts == 1 ? "" : "s") + "): "
                            + message), Optional.empty(), clock);
        }
    }

    private static String describe(TaskOutcome outcome) {
        return switch (outcome) {
            case TaskOutcome.Exited(int code) -> "exit code " + code;
            case TaskOutcome.TimedOut(Duration limit) -> "timed out after " + seconds(limit);
            case TaskOutcome.Failed(String reason) -> reason;
            case TaskOutcome.Cancelled() -> "cancelled";
            case TaskOutcome.InfrastructureFailure(String message) -> "infrastructure failure: " + message;
        };
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * The task now: for a running one, its output so far.
     *
     * @throws NotFoundException if no task has that id
     */
    public TaskInfo status(String id) {
        LiveTask task = live.get(id);
        if (task != null) {
            return task.snapshot();
        }
        return stored(id);
    }

    private TaskInfo stored(String id) {
        Optional<TaskInfo> found = ID.matcher(id).matches() ? store.find(id) : Optional.empty();
        return found.orElseThrow(() -> new NotFoundException("task '" + (ID.matcher(id).matches() ? id : "(an invalid id)")
                + "' not found"));
    }

    /**
     * Waits until the task ends or {@code timeout} passes, and returns it as it is then (still
     * {@code running} if it did not end in time).
     *
     * @throws NotFoundException if no task has that id
     */
    public TaskInfo await(String id, Duration timeout) throws InterruptedException {
        LiveTask task = live.get(id);
        if (task == null) {
            return stored(id);
        }
        try {
            return task.done.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return task.snapshot();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Tasks, newest first: those queued or running, then finished ones from the store. */
    public List<TaskInfo> list() {
        List<TaskInfo> all = new ArrayList<>(store.list(settings.keep()));
        all.replaceAll(t -> live.containsKey(t.id()) ? live.get(t.id()).snapshot() : t);
        return List.copyOf(all);
    }

    /**
     * What {@link #cancel} did.
     *
     * @param cancelled whether the task was stopped by this call
     * @param message   what happened, for a person
     * @param task      the task afterwards
     */
    public record Cancellation(boolean cancelled, String message, TaskInfo task) {
    }

    /**
     * Cancels a queued or running task: a running one has its processes killed. Returns once
     * it has ended.
     *
     * @throws NotFoundException if no task has that id
     */
    public Cancellation cancel(String id) throws InterruptedException {
        LiveTask task = live.get(id);
        if (task == null) {
            TaskInfo done = stored(id);
            return new Cancellation(false, "task " + id + " already ended: " + done.status().id(), done);
        }
        task.cancelRequested = true;
        if (pending.remove(task)) {
            start(task, false); // still queued: it ends at once, without a worker
        }
        TaskInfo after = await(id, Duration.ofSeconds(30));
        boolean cancelled = after.status() == TaskStatus.CANCELLED;
        return new Cancellation(cancelled, cancelled ? "task " + id + " was cancelled; its processes were killed"
                : "task " + id + " ended before it could be cancelled: " + after.status().id(), after);
    }

    /**
     * Takes no new tasks; with {@code wait}, waits for those queued and running to end,
     * otherwise kills them (recorded as failed: the daemon stopped).
     */
    public void shutdown(boolean wait) throws InterruptedException {
        shutDown = true;
        for (LiveTask task : List.copyOf(live.values())) {
            if (!wait) {
                task.stopping = true;
                task.cancelRequested = true;
                if (pending.remove(task)) {
                    start(task, false);
                } else {
                    Thread worker = task.thread;
                    if (worker != null) {
                        worker.interrupt();
                    }
                }
            }
        }
        for (LiveTask task : List.copyOf(live.values())) {
            try {
                task.done.get();
            } catch (ExecutionException e) {
                // recorded by the worker
            }
        }
        admitter.interrupt();
    }

    /**
     * Kills every queued and running task ({@link #shutdown shutdown(false)}); they are recorded
     * as failed because the daemon stopped.
     */
    @Override
    public void close() {
        try {
            shutdown(false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String newId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "task-" + HexFormat.of().formatHex(b);
    }

    /** A task queued or running in this process. */
    private static final class LiveTask {
        final String id;
        final TaskSpec spec;
        final Instant createdAt;
        final TailBuffer output;
        final TailBuffer stderr = new TailBuffer(ERROR_TAIL);
        final CompletableFuture<TaskInfo> done = new CompletableFuture<>();
        /** The id of the request that dispatched it: its run and what it records carry it. */
        final Optional<String> requestId = dev.agentkernel.core.audit.RequestId.current();
        volatile Thread thread;
        volatile Instant startedAt;
        volatile boolean cancelRequested;
        volatile boolean stopping;
        volatile int attempts;
        private TaskStatus status = TaskStatus.RUNNING;       // guarded by this
        private Optional<String> error = Optional.empty();     // guarded by this
        private Optional<Integer> exitCode = Optional.empty(); // guarded by this
        private Instant finishedAt;                            // guarded by this

        LiveTask(String id, TaskSpec spec, Instant createdAt, int outputLimit) {
            this.id = id;
            this.spec = spec;
            this.createdAt = createdAt;
            this.output = new TailBuffer(outputLimit);
        }

        synchronized void finish(TaskStatus end, Optional<String> why, Optional<Integer> code, Clock clock) {
            if (status.isFinal()) {
                return;
            }
            status = end;
            error = why;
            exitCode = code;
            finishedAt = clock.instant();
        }

        synchronized TaskInfo snapshot() {
            return new TaskInfo(id, spec, status, output.text(), error, exitCode, attempts, createdAt,
                    Optional.ofNullable(startedAt), Optional.ofNullable(finishedAt));
        }
    }
}
