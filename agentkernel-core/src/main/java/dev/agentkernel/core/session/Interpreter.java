package dev.agentkernel.core.session;

import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.core.sandbox.SandboxDirs;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.CodeExecutionException;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An interpreter driver running in its own sandbox: what a code session executes its code in.
 * If the driver dies (the code called {@code os._exit}, crashed it, ran it out of memory, or
 * it stopped answering past a timeout) it is replaced by a fresh one in the same sandbox (or, if
 * the sandbox itself is gone, in a new sandbox with the same directories): files survive, the
 * interpreter's in-memory state does not, and the result says so.
 *
 * <p>One execution at a time (others wait). Closing kills the sandbox and deletes its
 * directories.
 */
public final class Interpreter implements AutoCloseable {

    /** Where the drivers are mounted, read-only, in every session sandbox. */
    public static final String DRIVER_DIR = "/.ak-session";
    /** The driver's working directory: the session's own {@code /workspace}. */
    public static final String WORKDIR = "/workspace";
    private static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(20);
    private static final System.Logger LOG = System.getLogger(Interpreter.class.getName());

    private final InterpreterLauncher launcher;
    private final String name;
    private final SandboxDirs dirs;
    private final InterpreterTemplate template;
    private final Flavor flavor;
    private final List<Mount> volumes;
    /** The backend its sandbox runs on (empty: the default), also after a restart. */
    private final java.util.Optional<String> backend;
    /** Its sandbox's network policy, also after a restart. */
    private final dev.agentkernel.model.NetworkPolicy egress;
    private final ReentrantLock lock = new ReentrantLock(true); // executions run in the order they came
    private volatile AgentSandbox sandbox;     // written with lock held
    private volatile DriverProcess driver;     // written with lock held
    private volatile boolean closed;

    /** The backend its sandbox runs on (empty: the default). */
    java.util.Optional<String> backend() {
        return backend;
    }

    /** Its sandbox's network policy. */
    dev.agentkernel.model.NetworkPolicy egress() {
        return egress;
    }

    /**
     * What one execution gave.
     *
     * @param result    the driver's answer (for a dead driver: an {@code InterpreterDied} or {@code Timeout} error)
     * @param stateLost whether the interpreter was replaced, losing its in-memory state
     */
    public record Outcome(DriverResult result, boolean stateLost) {
    }

    private Interpreter(InterpreterLauncher launcher, String name, SandboxDirs dirs, InterpreterTemplate template,
                        Flavor flavor, List<Mount> volumes, java.util.Optional<String> backend, dev.agentkernel.model.NetworkPolicy egress) {
        this.launcher = launcher;
        this.name = name;
        this.dirs = dirs;
        this.template = template;
        this.flavor = flavor;
        this.volumes = List.copyOf(volumes);
        this.backend = backend;
        this.egress = egress;
    }

    static Interpreter start(InterpreterLauncher launcher, String name, SandboxDirs dirs, InterpreterTemplate template,
                             Flavor flavor, List<Mount> volumes, java.util.Optional<String> backend,
                             dev.agentkernel.model.NetworkPolicy egress) {
        Interpreter interpreter = new Interpreter(launcher, name, dirs, template, flavor, volumes, backend, egress);
        try {
            dirs.create(launcher.diskMb());
            interpreter.lock.lock();
            try {
                interpreter.sandbox = launcher.startSandbox(dirs, template, flavor, volumes, backend, egress);
                interpreter.driver = interpreter.startDriver();
            } finally {
                interpreter.lock.unlock();
            }
            return interpreter;
        } catch (RuntimeException e) {
            interpreter.close();
            // what the caller can act on keeps its kind (an image that cannot be pulled is a 502, a backend
            // that refuses what the session needs a 503 with the reason, as on /run); a failure of the
            // sandbox itself is the interpreter's
            throw e instanceof dev.agentkernel.model.AgentKernelException known
                    && !(known instanceof dev.agentkernel.model.SandboxFailureException) ? e
                    : new CodeExecutionException("the " + template.id() + " interpreter could not start: " + e.getMessage(), e);
        }
    }

    /** Starts the driver and runs a no-op through it, so that it is ready and known to work. Lock held. */
    private DriverProcess startDriver() {
        DriverProcess started;
        try {
            started = DriverProcess.start(sandbox, template, WORKDIR);
        } catch (NotFoundException e) {
            throw new CodeExecutionException("the " + template.id() + " interpreter is not installed on this host ("
                    + template.executable() + " was not found); install it or use another template", e);
        }
        try {
            DriverResult warm = started.execute(noop(), WARM_UP_TIMEOUT);
            if (!warm.success()) {
                throw new CodeExecutionException("the " + template.id() + " driver does not work: "
                        + (warm.error() == null ? "" : warm.error().type() + ": " + warm.error().message()));
            }
        } catch (InterpreterDiedException e) {
            String said = started.diagnostics();
            started.close();
            throw new CodeExecutionException("the " + template.id() + " interpreter exited at start"
                    + (said.isEmpty() ? "" : ": " + said), e);
        }
        return started;
    }

    private String noop() {
        return switch (template) {
            case PYTHON -> "None";
            case NODE -> "undefined";
            case BASH -> ":";
        };
    }

    /** The interpreter's name (its directory's name under the sessions directory). */
    /** The host directory that is the session's {@code /workspace} (on its disk while it runs). */
    public java.nio.file.Path workspaceDir() {
        return dirs.workspace();
    }

    /** The interpreter's name (its sandbox's directory name). */
    public String name() {
        return name;
    }

    /** The template it runs. */
    public InterpreterTemplate template() {
        return template;
    }

    /** Its flavor. */
    public Flavor flavor() {
        return flavor;
    }

    /** Whether its sandbox and driver still run (a dead one is replaced at the next execution). */
    public boolean isAlive() {
        DriverProcess d = driver;
        AgentSandbox s = sandbox;
        return !closed && d != null && s != null && d.isAlive() && s.isAlive();
    }

    /**
     * Runs {@code code}. A dead or unresponsive driver is replaced, and the outcome says the state was lost.
     *
     * @param timeout the execution's time limit
     * @throws CodeExecutionException if no driver can be started any more
     */
    public Outcome execute(String code, Duration timeout) {
        lock.lock();
        try {
            if (closed) {
                throw new CodeExecutionException("this session's interpreter was shut down");
            }
            boolean replaced = false;
            if (driver == null || sandbox == null || !driver.isAlive() || !sandbox.isAlive()) {
                replace();
                replaced = true;
            }
            long oomBefore = sandbox.oomKills();
            long begin = System.nanoTime();
            try {
                DriverResult result = driver.execute(code, timeout);
                return new Outcome(result, replaced);
            } catch (InterpreterDiedException e) {
                long elapsedMs = (System.nanoTime() - begin) / 1_000_000;
                CodeError error = describe(e, oomBefore, timeout);
                replace();
                return new Outcome(new DriverResult(0, "", "", false, error, elapsedMs), true);
            }
        } finally {
            lock.unlock();
        }
    }

    private CodeError describe(InterpreterDiedException e, long oomBefore, Duration timeout) {
        String lost = "; a fresh interpreter replaces it: variables, functions and imports are lost, files are kept";
        if (e.unresponsive()) {
            return new CodeError(CodeError.TIMEOUT, "execution exceeded " + timeout.toMillis()
                    + " ms and could not be interrupted, so the " + template.id() + " interpreter was restarted" + lost, "");
        }
        AgentSandbox s = sandbox;
        if (s != null && s.oomKills() > oomBefore) {
            return new CodeError("InterpreterDied", "the " + template.id() + " interpreter was killed: out of memory (flavor "
                    + flavor.id() + " allows " + flavor.memoryMb() + " MB)" + lost, "");
        }
        String status = e.exitStatus().isPresent() ? " with status " + e.exitStatus().getAsInt() : "";
        String said = driver == null ? "" : driver.diagnostics();
        return new CodeError("InterpreterDied", "the " + template.id() + " interpreter exited" + status
                + " while running the code" + lost + (said.isEmpty() ? "" : " (it said: " + said + ")"), "");
    }

    /** Replaces the driver (and the sandbox if it is gone). Lock held. */
    private void replace() {
        if (closed) {
            throw new CodeExecutionException("the session was closed while its code ran");
        }
        if (driver != null) {
            driver.close();
            driver = null;
        }
        try {
            if (sandbox == null || !sandbox.isAlive()) {
                if (sandbox != null) {
                    sandbox.close();
                }
                sandbox = null;
                sandbox = launcher.startSandbox(dirs, template, flavor, volumes, backend, egress);
            }
            driver = startDriver();
        } catch (AgentKernelException e) {
            LOG.log(System.Logger.Level.WARNING, "session interpreter " + name + " cannot be restarted: " + e.getMessage());
            // a backend that cannot give this session what it needs is the backend's refusal (503, with the reason)
            throw e instanceof CodeExecutionException || e instanceof dev.agentkernel.model.BackendUnavailableException ? e
                    : new CodeExecutionException("the " + template.id() + " interpreter died and could not be restarted: "
                            + e.getMessage(), e);
        }
    }

    /**
     * Kills the interpreter's sandbox (at once, even while code runs: that execution then fails)
     * and deletes its directories. Idempotent; never throws.
     */
    @Override
    public void close() {
        closed = true;
        AgentSandbox running = sandbox;
        if (running != null) {
            running.close();
        }
        lock.lock();
        try {
            if (driver != null) {
                driver.close();
                driver = null;
            }
            if (sandbox != null) {
                sandbox.close();
                sandbox = null;
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing session interpreter " + name + ": " + e.getMessage());
        } finally {
            lock.unlock();
            dirs.delete();
            launcher.forget(name);
        }
    }
}
