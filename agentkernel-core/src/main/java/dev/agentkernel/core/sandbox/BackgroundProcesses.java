package dev.agentkernel.core.sandbox;

import dev.agentkernel.agent.ExecHandle;
import dev.agentkernel.agent.ExitStatus;
import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.audit.AuditEventType;
import dev.agentkernel.core.audit.AuditLog;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.ResourceExhaustedException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The background processes of one running persistent sandbox ({@code exec -d}): started through the
 * sandbox's agent, each in its own process group, kept here with the last part of their output until the
 * sandbox stops. Owned by {@link SandboxManager}, which makes one per launch of a sandbox and closes it
 * when the sandbox stops, is removed, dies or the daemon shuts down: closing kills every process still
 * running, so none outlives its sandbox. At most {@link Limits#maxRunning()} run at once (more is
 * {@link ResourceExhaustedException}); of the ended ones the newest {@link Limits#keptEnded()} are kept.
 * Starts, kills and ends are audited. Thread-safe.
 */
public final class BackgroundProcesses implements AutoCloseable {

    /**
     * Bounds of one sandbox's background processes.
     *
     * @param maxRunning         processes that may run at once
     * @param keptEnded          ended processes kept for their status and output (older ones are forgotten)
     * @param keptBytesPerStream the last bytes of each stream kept per process
     */
    public record Limits(int maxRunning, int keptEnded, int keptBytesPerStream) {
        /** The daemon's: 16 running, 16 ended kept, 2 MiB per stream. */
        public static final Limits DEFAULT = new Limits(16, 16, 2 << 20);

        /** Validates. */
        public Limits {
            if (maxRunning < 1 || keptEnded < 0 || keptBytesPerStream < 1) {
                throw new IllegalArgumentException("bad limits of background processes: " + maxRunning + ", "
                        + keptEnded + ", " + keptBytesPerStream);
            }
        }
    }

    /** How long {@link #kill} waits for the agent to report the end. */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final SecureRandom IDS = new SecureRandom();

    private final String sandbox;
    private final AgentSandbox box;
    private final AuditLog audit;
    private final Limits limits;
    private final Map<String, BackgroundProcess> processes = new LinkedHashMap<>();
    private boolean closed;

    BackgroundProcesses(String sandbox, AgentSandbox box, AuditLog audit, Limits limits) {
        this.sandbox = sandbox;
        this.box = box;
        this.audit = audit;
        this.limits = limits;
    }

    /**
     * Starts {@code command} in the background (its time limit, if any, is ignored: it runs until it ends,
     * is killed, or the sandbox stops). A program that does not exist ends at once as in a shell: the
     * reason on stderr and exit code 127.
     *
     * @throws ResourceExhaustedException when {@link Limits#maxRunning()} already run
     * @throws dev.agentkernel.model.InvalidRequestException for a working directory that cannot be used
     * @throws ConflictException if the sandbox stopped
     */
    public BackgroundProcess start(CommandSpec command) {
        if (command.workdir().isPresent()) {
            PolicyResolver.requireUsableWorkdir(command.workdir().get());
        }
        BackgroundProcess process;
        synchronized (this) {
            requireOpen();
            long running = processes.values().stream().filter(BackgroundProcess::isRunning).count();
            if (running >= limits.maxRunning()) {
                throw new ResourceExhaustedException("too many background processes in sandbox '" + sandbox + "' ("
                        + limits.maxRunning() + " at most); kill one first");
            }
            String id = newId();
            process = new BackgroundProcess(id, sandbox, command.argv(), limits.keptBytesPerStream());
            processes.put(id, process);
            forgetOldEnded();
        }
        ExecHandle handle;
        try {
            handle = box.start(new CommandSpec(command.argv(), command.env(), command.workdir(), Optional.empty(),
                    command.root()), Optional.empty(), process.sink());
        } catch (NotFoundException e) {    // no such program: as a shell says it
            byte[] message = ("agentkernel: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
            process.sink().accept(OutputStreamKind.STDERR, message, 0, message.length);
            process.end(new ExitStatus.Exited(AgentSandbox.COMMAND_NOT_FOUND), Optional.empty());
            record(AuditEventType.BACKGROUND_STARTED, startDetails(process));
            recordEnd(process);
            return process;
        } catch (RuntimeException e) {
            synchronized (this) {
                processes.remove(process.id());
            }
            if (e instanceof dev.agentkernel.model.SandboxFailureException && !box.isAlive()) {
                throw new ConflictException("sandbox '" + sandbox + "' stopped while the process was starting");
            }
            throw e;
        }
        process.attach(handle);
        record(AuditEventType.BACKGROUND_STARTED, startDetails(process));
        Optional<String> requestId = dev.agentkernel.core.audit.RequestId.current(); // its end is the request's too
        handle.onExit().whenComplete((status, failure) -> {
            ExitStatus end = status != null ? status : new ExitStatus.Signaled(9);
            Optional<String> reason = status != null ? Optional.empty()
                    : Optional.of("the connection to the sandbox ended (it stopped)");
            if (process.end(end, reason)) {
                dev.agentkernel.core.audit.RequestId.within(requestId, () -> recordEnd(process)).run();
            }
        });
        synchronized (this) {
            if (closed) {                  // the sandbox stopped while it was starting
                process.kill("its sandbox stopped");
            }
        }
        return process;
    }

    /** Every kept process, oldest first. */
    public synchronized List<BackgroundProcess> list() {
        return List.copyOf(processes.values());
    }

    /** A process by id. @throws NotFoundException if there is none (or it was forgotten) */
    public synchronized BackgroundProcess get(String id) {
        BackgroundProcess process = id == null ? null : processes.get(id);
        if (process == null) {
            throw new NotFoundException("no background process '" + printable(id) + "' in sandbox '" + sandbox
                    + "' (ended ones are kept until " + limits.keptEnded() + " newer ones ended, or the sandbox stops)");
        }
        return process;
    }

    /**
     * Kills a process with every process of its group (SIGKILL) and waits briefly for its end; one that has
     * ended already is left as it is.
     *
     * @return it, after the kill
     * @throws NotFoundException if there is no such process
     */
    public BackgroundProcess kill(String id) throws InterruptedException {
        BackgroundProcess process = get(id);
        if (process.isRunning()) {
            process.kill("killed on request");
            record(AuditEventType.BACKGROUND_KILLED, Map.of("id", id, "command", String.join(" ", process.info().command())));
            process.await(KILL_WAIT);
        }
        return process;
    }

    /** Kills every process still running: the sandbox is stopping. Idempotent. */
    @Override
    public void close() {
        List<BackgroundProcess> running;
        synchronized (this) {
            closed = true;
            running = processes.values().stream().filter(BackgroundProcess::isRunning).toList();
        }
        for (BackgroundProcess process : running) {
            process.kill("its sandbox stopped");
            if (process.end(new ExitStatus.Signaled(9), Optional.of("its sandbox stopped"))) {
                recordEnd(process);
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new ConflictException("sandbox '" + sandbox + "' stopped; start it first");
        }
    }

    private void forgetOldEnded() {
        List<String> ended = new ArrayList<>();
        processes.forEach((id, p) -> {
            if (!p.isRunning()) {
                ended.add(id);
            }
        });
        for (int i = 0; i < ended.size() - limits.keptEnded(); i++) {
            processes.remove(ended.get(i));
        }
    }

    private String newId() {
        byte[] bytes = new byte[6];
        String id;
        do {
            IDS.nextBytes(bytes);
            id = "bg-" + HexFormat.of().formatHex(bytes);
        } while (processes.containsKey(id));
        return id;
    }

    private static String printable(String id) {
        return id == null ? "" : id.length() > 64 ? id.substring(0, 64) + "..." : id.replaceAll("[^\\w.-]", "?");
    }

    private static Map<String, Object> startDetails(BackgroundProcess process) {
        BackgroundProcess.Info info = process.info();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("id", info.id());
        details.put("command", String.join(" ", info.command()));
        details.put("pid", info.pid());
        return details;
    }

    private void recordEnd(BackgroundProcess process) {
        BackgroundProcess.Info info = process.info();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("id", info.id());
        info.ending().ifPresent(e -> {
            details.put("exit_code", e.status().exitCode());
            e.reason().ifPresent(r -> details.put("reason", r));
        });
        record(AuditEventType.BACKGROUND_EXITED, details);
    }

    private void record(AuditEventType type, Map<String, Object> details) {
        audit.append(AuditEvent.now(type, sandbox, details));
    }
}
