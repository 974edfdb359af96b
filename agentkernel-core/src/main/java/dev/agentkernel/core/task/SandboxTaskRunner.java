package dev.agentkernel.core.task;

import dev.agentkernel.agent.OutputSink;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.SandboxFailureException;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Runs each task attempt in a fresh sandbox of the {@code moderate} profile: the workspace
 * directory (if configured) at {@code /workspace}, the tool libraries (if configured) read-only
 * at {@code /tools} (on {@code PYTHONPATH} and {@code NODE_PATH}), the code written to a file in
 * the sandbox's {@code /tmp} and run by the template's interpreter. The sandbox, and every
 * process in it, is gone when the attempt ends.
 */
public final class SandboxTaskRunner implements TaskRunner {

    /** Where the tool libraries appear in a task's sandbox. */
    public static final String TOOLS = "/tools";
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);

    private final IsolationBackend backend;
    private final PolicyResolver resolver;
    private final Optional<Path> workspace;
    private final Optional<Path> toolsDir;

    /**
     * @param workspace a host directory shared by every task at {@code /workspace}
     * @param toolsDir  a host directory of tool libraries, mounted read-only at {@code /tools}
     */
    public SandboxTaskRunner(IsolationBackend backend, PolicyResolver resolver, Optional<Path> workspace,
                             Optional<Path> toolsDir) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.workspace = workspace;
        this.toolsDir = toolsDir;
    }

    @Override
    public TaskOutcome run(TaskSpec spec, OutputSink output, BooleanSupplier cancelled) throws InterruptedException {
        Optional<String> missing = missingTool(spec.requiredTools());
        if (missing.isPresent()) {
            return new TaskOutcome.Failed(missing.get());
        }
        SandboxSpec sandbox;
        try {
            sandbox = sandbox(spec);
        } catch (SandboxFailureException e) {
            return new TaskOutcome.InfrastructureFailure("the task's sandbox cannot be prepared: " + e.getMessage());
        } catch (AgentKernelException e) {
            return new TaskOutcome.Failed("the task's image is not usable: " + e.getMessage());
        }
        AgentSandbox box;
        try {
            box = AgentSandbox.launch(backend, sandbox, resolver.lease(sandbox, "task"));
        } catch (SandboxFailureException | BackendUnavailableException e) {
            return new TaskOutcome.InfrastructureFailure("the task's sandbox did not start: " + e.getMessage());
        }
        try {
            String file = "/tmp/ak-task" + extension(spec.template());
            box.agent().writeFile(file, spec.code().getBytes(StandardCharsets.UTF_8), 0644);
            List<String> argv = new ArrayList<>(spec.template().command(file));
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PYTHONUNBUFFERED", "1");
            if (toolsDir.isPresent()) {
                env.put("PYTHONPATH", TOOLS);
                env.put("NODE_PATH", TOOLS);
            }
            if (!spec.requiredTools().isEmpty()) {
                env.put("AGENTKERNEL_REQUIRED_TOOLS", String.join(",", spec.requiredTools()));
            }
            CommandSpec command = new CommandSpec(argv, env, Optional.empty(), Optional.of(spec.timeout()));
            Termination end = box.run(command, output, cancelled, KILL_GRACE);
            if (cancelled.getAsBoolean()) {
                return new TaskOutcome.Cancelled();
            }
            return switch (end) {
                case Termination.Exited(int code) -> new TaskOutcome.Exited(code);
                case Termination.TimedOut(Duration limit) -> new TaskOutcome.TimedOut(limit);
                case Termination.OutOfMemory(long mb) -> new TaskOutcome.Failed("the task ran out of memory (" + mb
                        + " MB) and was killed");
                case Termination.Signaled(int signal) -> new TaskOutcome.Failed("the task was killed by signal " + signal);
                default -> new TaskOutcome.Failed("the task ended: " + end);
            };
        } catch (NotFoundException e) {
            return new TaskOutcome.Failed("the " + spec.template().id() + " interpreter is not installed: " + e.getMessage());
        } catch (SandboxFailureException e) {
            return new TaskOutcome.InfrastructureFailure(e.getMessage());
        } catch (AgentKernelException e) {
            return new TaskOutcome.Failed(e.getMessage());
        } finally {
            box.close();
        }
    }

    /**
     * The task's sandbox: on the image it names, else its template's own ({@link InterpreterTemplate#image()})
     * unless {@code AGENTKERNEL_DEFAULT_IMAGE} names one for every sandbox.
     */
    private SandboxSpec sandbox(TaskSpec spec) {
        String image = spec.image().orElseGet(() -> resolver.configuredDefaultImage().orElse(spec.template().image()));
        SandboxRequest request = SandboxRequest.defaults().withImage(image).withPull(spec.pull()).withEgress(spec.egress());
        SandboxSpec base = resolver.resolve(spec.backend().isPresent() ? request.withBackend(spec.backend().get()) : request);
        List<Mount> mounts = new ArrayList<>(base.mounts());
        workspace.ifPresent(dir -> mounts.add(new Mount(dir, PolicyResolver.WORKSPACE, false)));
        toolsDir.ifPresent(dir -> mounts.add(new Mount(dir, TOOLS, true)));
        return base.withMounts(mounts);
    }

    private Optional<String> missingTool(List<String> required) {
        for (String name : required) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_.-]{0,99}")) {
                return Optional.of("'" + name + "' is not a tool library name");
            }
            boolean found = toolsDir.isPresent() && (Files.exists(toolsDir.get().resolve(name), LinkOption.NOFOLLOW_LINKS)
                    || Files.exists(toolsDir.get().resolve(name + ".py"), LinkOption.NOFOLLOW_LINKS)
                    || Files.exists(toolsDir.get().resolve(name + ".js"), LinkOption.NOFOLLOW_LINKS));
            if (!found) {
                return Optional.of("the required tool library '" + name + "' is not in the tools directory"
                        + toolsDir.map(d -> " (" + d + ")").orElse(" (none is configured)"));
            }
        }
        return Optional.empty();
    }

    private static String extension(InterpreterTemplate template) {
        return switch (template) {
            case PYTHON -> ".py";
            case NODE -> ".js";
            case BASH -> ".sh";
        };
    }
}
