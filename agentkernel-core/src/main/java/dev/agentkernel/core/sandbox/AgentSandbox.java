package dev.agentkernel.core.sandbox;

import dev.agentkernel.agent.AgentConnection;
import dev.agentkernel.agent.ExecHandle;
import dev.agentkernel.agent.ExecRequest;
import dev.agentkernel.agent.ExitStatus;
import dev.agentkernel.agent.OutputSink;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.policy.RootResolver;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.SandboxFailureException;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A running sandbox whose only process of its own is the in-sandbox agent: commands, file
 * operations and interactive shells all go through the agent, so each of them inherits every
 * restriction of the sandbox (namespaces, cgroup, seccomp filter, dropped capabilities) and
 * resolves paths in the sandbox's own view of the filesystem.
 *
 * <p>Thread-safe: many commands and file operations may run at once. Closing kills every
 * process of the sandbox and removes its host resources (not its persistent directories,
 * which belong to the caller).
 */
public final class AgentSandbox implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AgentSandbox.class.getName());
    private static final Duration START_CHECK = Duration.ofSeconds(10);
    /** The exit code of a program that does not exist, as shells report it. */
    public static final int COMMAND_NOT_FOUND = 127;

    private final SandboxSpec spec;
    private final Execution execution;
    private final AgentConnection agent;
    private final RootResolver.Lease lease;
    /**
     * The OOM kills counted when the agent first answered, while nothing has run in the sandbox
     * since (then nothing but the idle agent could have been killed, and the count is still
     * this): a pooled sandbox's first command does not read its cgroup's counter again on the
     * request's path. -1 once anything ran or the count was not read.
     */
    private final AtomicLong oomKillsAtRest = new AtomicLong(-1);

    private AgentSandbox(SandboxSpec spec, Execution execution, AgentConnection agent, RootResolver.Lease lease) {
        this.spec = spec;
        this.execution = execution;
        this.agent = agent;
        this.lease = lease;
    }

    /**
     * Starts a sandbox built from {@code spec} with the backend's in-sandbox agent as its command
     * ({@link IsolationBackend#startAgent}) and waits until the agent answers.
     *
     * @throws SandboxFailureException if the sandbox or the agent does not come up; nothing is left behind
     */
    public static AgentSandbox launch(IsolationBackend backend, SandboxSpec spec) {
        return launch(backend, spec, RootResolver.Lease.NONE);
    }

    /**
     * Like {@link #launch(IsolationBackend, SandboxSpec)}, holding {@code lease} (on the sandbox's
     * image, so that it is not removed under it) until the sandbox is closed; closed at once if the
     * sandbox does not come up.
     */
    public static AgentSandbox launch(IsolationBackend backend, SandboxSpec spec, RootResolver.Lease lease) {
        Execution execution;
        try {
            execution = backend.startAgent(spec, Stdio.pipes(AgentSandbox::logAgentStderr));
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        try {
            AgentConnection agent = new AgentConnection(execution.stdinPipe().orElseThrow(),
                    execution.stdoutPipe().orElseThrow());
            AgentSandbox sandbox = new AgentSandbox(spec, execution, agent, lease);
            sandbox.awaitAgent();
            sandbox.oomKillsAtRest.set(execution.oomKills());
            return sandbox;
        } catch (RuntimeException e) {
            lease.close();
            execution.close();
            throw e instanceof SandboxFailureException ? e
                    : new SandboxFailureException("the sandbox agent did not start: " + e.getMessage(), e);
        }
    }

    private void awaitAgent() {
        Thread pinger = Thread.ofVirtual().start(agent::ping);
        try {
            if (!pinger.join(START_CHECK)) {
                throw new SandboxFailureException("the sandbox agent did not answer within " + START_CHECK.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxFailureException("interrupted while starting the sandbox");
        }
        if (!agent.isOpen()) {
            throw new SandboxFailureException("the sandbox agent exited at start (see the server log)");
        }
    }

    private static void logAgentStderr(dev.agentkernel.model.OutputStreamKind kind, byte[] b, int off, int len) {
        LOG.log(System.Logger.Level.WARNING, "sandbox agent: " + new String(b, off, len, StandardCharsets.UTF_8).strip());
    }

    /** The sandbox's identifier on this host (its cgroup's name). */
    public String id() {
        return execution.id();
    }

    /** What the sandbox was built from. */
    public SandboxSpec spec() {
        return spec;
    }

    /** Whether the sandbox and its agent still run. */
    public boolean isAlive() {
        return agent.isOpen() && execution.isRunning();
    }

    /** How many times the kernel's OOM killer has killed a process of this sandbox so far. */
    public long oomKills() {
        return execution.oomKills();
    }

    /**
     * Freezes every process of the sandbox (the agent and whatever it runs): no CPU, memory kept.
     * Idempotent. See {@link Execution#pause()}.
     */
    public void pause() {
        execution.pause();
    }

    /** Thaws a paused sandbox; idempotent. */
    public void resume() {
        execution.resume();
    }

    /** Whether the sandbox is paused now. */
    public boolean isPaused() {
        return execution.isPaused();
    }

    /** CPU time the sandbox used so far in microseconds, when the host reports it. */
    public java.util.OptionalLong cpuUsageMicros() {
        return execution.cpuUsageMicros();
    }

    /** The connection to the agent, for file operations. */
    public AgentConnection agent() {
        oomKillsAtRest.set(-1); // file writes fill memory too
        return agent;
    }

    /**
     * Starts a command with the sandbox's environment plus the command's own variables, in the
     * command's working directory or the sandbox's default one.
     */
    public ExecHandle start(CommandSpec command, Optional<dev.agentkernel.agent.TerminalSize> terminal, OutputSink sink) {
        oomKillsAtRest.set(-1);
        return agent.exec(request(command, terminal), sink);
    }

    /** The agent request for {@code command} in this sandbox. */
    ExecRequest request(CommandSpec command, Optional<dev.agentkernel.agent.TerminalSize> terminal) {
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        env.putAll(command.env());
        return new ExecRequest(command.argv(), env, Optional.of(command.workdir().orElse(spec.workdir())), terminal,
                command.root());
    }

    /**
     * Runs a command to its end: output to {@code sink} as it is produced; at the command's
     * timeout SIGTERM to its process group, SIGKILL after {@code grace}.
     *
     * @param cancelled polled while the command runs; true kills it (e.g. the client left)
     * @throws dev.agentkernel.model.NotFoundException if the program does not exist
     * @throws dev.agentkernel.model.InvalidRequestException if the working directory does not exist
     */
    public Termination run(CommandSpec command, OutputSink sink, BooleanSupplier cancelled, Duration grace)
            throws InterruptedException {
        long atRest = oomKillsAtRest.getAndSet(-1);
        long oomBefore = atRest >= 0 ? atRest : execution.oomKills();
        long begin = System.nanoTime();
        ExecHandle handle = start(command, Optional.empty(), sink);
        boolean timedOut = false;
        boolean killed = false;
        long termSentAt = 0;
        while (true) {
            Optional<ExitStatus> end = handle.await(Duration.ofMillis(50));
            if (end.isPresent()) {
                return classify(end.get(), command, timedOut, killed, oomBefore);
            }
            long now = System.nanoTime();
            if (!killed && cancelled.getAsBoolean()) {
                killed = true;
                handle.kill();
            }
            if (!timedOut && command.timeout().isPresent() && now - begin >= command.timeout().get().toNanos()) {
                timedOut = true;
                termSentAt = now;
                handle.signal(15);
            } else if (timedOut && !killed && now - termSentAt >= grace.toNanos()) {
                killed = true;
                handle.kill();
            }
        }
    }

    /**
     * {@link #run}, except that a program that does not exist ends as it does in a shell: the
     * reason on stderr and exit code {@link #COMMAND_NOT_FOUND}. What every API command uses.
     */
    public Termination runLikeAShell(CommandSpec command, OutputSink sink, BooleanSupplier cancelled, Duration grace)
            throws InterruptedException {
        try {
            return run(command, sink, cancelled, grace);
        } catch (dev.agentkernel.model.NotFoundException e) {
            byte[] message = ("agentkernel: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
            sink.accept(dev.agentkernel.model.OutputStreamKind.STDERR, message, 0, message.length);
            return new Termination.Exited(COMMAND_NOT_FOUND);
        }
    }

    private Termination classify(ExitStatus status, CommandSpec command, boolean timedOut, boolean killed,
                                 long oomBefore) {
        if (timedOut) {
            return new Termination.TimedOut(command.timeout().orElseThrow());
        }
        if (status instanceof ExitStatus.Signaled(int signal)) {
            if (signal == 9 && !killed && execution.oomKills() > oomBefore) {
                return new Termination.OutOfMemory(spec.limits().memoryMb());
            }
            return new Termination.Signaled(signal);
        }
        return new Termination.Exited(status.exitCode());
    }

    /** Kills every process of the sandbox and removes its host resources. Never throws. */
    @Override
    public void close() {
        try {
            execution.kill();
        } finally {
            try {
                agent.close();
                execution.close();
            } finally {
                lease.close();
            }
        }
    }
}
