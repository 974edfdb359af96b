package dev.agentkernel.cli;

import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.config.ConfigLoader;
import dev.agentkernel.core.config.ProjectConfig;
import dev.agentkernel.core.detect.Detection;
import dev.agentkernel.core.detect.ImageDetector;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.EnvVar;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentkernel run}: one command in a fresh sandbox that is gone when it ends. */
@Command(name = "run", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Run a command in a fresh isolated sandbox, then remove the sandbox.",
                "Arguments are passed as argv (never through a shell). stdout and stderr stream live;",
                "the command's exit code becomes agentkernel's (124 on timeout, 137 when out of memory)."},
        footer = {"%nExamples:",
                "  agentkernel run python3 -c \"print('Hello from sandbox!')\"",
                "  agentkernel run --profile restrictive --memory 128 -- python3 script.py",
                "  agentkernel run --no-network -e DEBUG=1 -w /tmp -- sh -c 'pwd; env'",
                "  echo data | agentkernel run -- wc -c"})
final class RunCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--image", paramLabel = "IMAGE", description = "Image to run in (default: auto-detected)")
    String image;

    @Option(names = "--profile", paramLabel = "PROFILE",
            description = "Security profile: permissive, moderate (default), restrictive")
    String profile;

    @Option(names = "--no-network", description = "No network access, whatever the profile says")
    boolean noNetwork;

    @Option(names = "--keep", description = "Keep the sandbox's /workspace on the host after the run")
    boolean keep;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: ./agentkernel.toml if present)")
    Path config;

    @Option(names = "--memory", paramLabel = "MB", description = "Memory limit in MB (default 512; restrictive 256)")
    Long memoryMb;

    @Option(names = "--cpus", paramLabel = "N", description = "CPU limit in cores, may be fractional (default 1)")
    Double cpus;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Kill the whole sandbox after this many seconds")
    Double timeoutSeconds;

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Set an environment variable (repeatable)")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the sandbox (default /workspace)")
    String workdir;

    @Option(names = "--backend", paramLabel = "NAME", description = "Isolation backend (default: the best available)")
    String backend;

    @Option(names = {"-v", "--verbose"}, description = "Explain what is being set up")
    boolean verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help")
    boolean help;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The command and its arguments")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        if (command.isEmpty()) {
            throw new InvalidRequestException("no command given: try 'agentkernel run -- python3 -c \"print(1)\"'");
        }
        Path cwd = Path.of("").toAbsolutePath();
        Optional<ProjectConfig> projectConfig = loadConfig(cwd);
        HostContext host = HostContext.current();
        SandboxRequest request = buildRequest(projectConfig, cwd);
        Optional<Detection> detection = image != null
                ? Optional.of(new Detection(image, Detection.CUSTOM_LANGUAGE, Detection.Source.CONFIG))
                : new ImageDetector().detect(command, cwd, projectConfig);
        if (detection.isPresent()) {
            request = request.withImage(detection.get().image());
            err.println("agentkernel: image " + detection.get().image()
                    + " is not available locally; running on the host's /usr in its place");
        }
        Path keptDir = null;
        SandboxSpec sandbox = new PolicyResolver(host).resolve(request);
        if (keep && sandbox.profile() != Profile.PERMISSIVE) {
            keptDir = host.stateDir().resolve("kept").resolve(sandbox.hostname());
            Files.createDirectories(keptDir.resolve("workspace"));
            List<Mount> mounts = new ArrayList<>(sandbox.mounts());
            mounts.add(new Mount(keptDir.resolve("workspace"), PolicyResolver.WORKSPACE, sandbox.readOnlyRoot()));
            sandbox = new SandboxSpec(sandbox.image(), sandbox.profile(), sandbox.network(), sandbox.readOnlyRoot(),
                    sandbox.limits(), mounts, sandbox.env(), sandbox.workdir(), sandbox.hostname());
        }
        CommandSpec cmd = new CommandSpec(command, Map.of(), Optional.empty(),
                Optional.ofNullable(timeoutSeconds).map(RunCommand::toDuration));
        long started = System.nanoTime();
        try (IsolationBackend isolation = BackendSelector.discover().open(Optional.ofNullable(backend), host)) {
            if (verbose) {
                err.printf("agentkernel: backend %s, profile %s, network %s, memory %d MB, cpus %s, pids %d%s%n",
                        isolation.name(), sandbox.profile().id(), sandbox.network().name().toLowerCase(),
                        sandbox.limits().memoryMb(), sandbox.limits().vcpus(), sandbox.limits().pids(),
                        detection.map(d -> ", image " + d.image() + " (" + d.source().name().toLowerCase() + ")").orElse(""));
            }
            Termination end;
            try (Execution execution = isolation.start(sandbox, cmd, Stdio.inherit())) {
                Thread hook = new Thread(execution::close, "ak-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    end = execution.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    execution.kill();
                    return 130;
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down already
                }
            }
            if (!end.describe().isEmpty()) {
                err.println("agentkernel: " + end.describe());
            }
            if (verbose) {
                err.printf("agentkernel: exit code %d after %d ms%n", end.exitCode(), (System.nanoTime() - started) / 1_000_000);
            }
            if (keptDir != null) {
                err.println("agentkernel: kept the sandbox's /workspace at " + keptDir.resolve("workspace"));
            }
            return end.exitCode();
        }
    }

    private Optional<ProjectConfig> loadConfig(Path cwd) {
        if (config != null) {
            return Optional.of(ConfigLoader.load(config));
        }
        return ConfigLoader.findInProject(cwd).map(ConfigLoader::load);
    }

    private SandboxRequest buildRequest(Optional<ProjectConfig> projectConfig, Path cwd) {
        ProjectConfig cfg = projectConfig.orElse(ProjectConfig.empty());
        Optional<Profile> chosenProfile = profile != null ? Optional.of(Profile.parse(profile)) : cfg.security().profile();
        Optional<Boolean> network = noNetwork ? Optional.of(false) : cfg.security().network();
        OptionalLong memory = memoryMb != null ? OptionalLong.of(memoryMb) : cfg.resources().memoryMb();
        OptionalDouble vcpus = cpus != null ? OptionalDouble.of(cpus) : cfg.resources().vcpus();
        Map<String, String> variables = new LinkedHashMap<>();
        for (String assignment : env) {
            String[] kv = EnvVar.parse(assignment);
            variables.put(kv[0], kv[1]);
        }
        return new SandboxRequest(chosenProfile, Optional.empty(), network, memory, vcpus, variables,
                Optional.ofNullable(workdir), Optional.of(cwd));
    }

    private static Duration toDuration(double seconds) {
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new InvalidRequestException("--timeout must be a positive number of seconds, got " + seconds);
        }
        return Duration.ofNanos((long) (seconds * 1_000_000_000L));
    }
}
