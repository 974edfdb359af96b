package dev.agentkernel.cli;

import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.config.ConfigLoader;
import dev.agentkernel.core.config.ProjectConfig;
import dev.agentkernel.core.detect.Detection;
import dev.agentkernel.core.detect.ImageDetector;
import dev.agentkernel.core.image.HostImageRoots;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.EnvVar;
import dev.agentkernel.model.ImagePull;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code agentkernel run}: one command in a fresh sandbox that is gone when it ends. */
final class RunCommand implements Subcommand {

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String usage() {
        return "[OPTIONS] [--] CMD [ARGS...]";
    }

    @Override
    public String summary() {
        return "Run a command in a fresh isolated sandbox";
    }

    @Override
    public List<String> description() {
        return List.of("Run a command in a fresh isolated sandbox, then remove the sandbox.",
                "Arguments are passed as argv (never through a shell). stdout and stderr stream live;",
                "the command's exit code becomes agentkernel's (124 on timeout, 137 when out of memory).");
    }

    @Override
    public boolean stopsAtCommand() {
        return true;
    }

    @Override
    public Arguments arguments() {
        return Arguments.COMMAND;
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("image").hasArg().argName("IMAGE")
                .desc("Image to run on ('host': the host's /usr; default: AGENTKERNEL_DEFAULT_IMAGE, else auto-detected, "
                        + "else alpine:3.20)").get());
        o.addOption(Option.builder().longOpt("pull").hasArg().argName("POLICY")
                .desc("When to ask the image's registry: missing (default), always, never").get());
        o.addOption(Option.builder().longOpt("profile").hasArg().argName("PROFILE")
                .desc("Security profile: permissive, moderate (default), restrictive").get());
        o.addOption(Option.builder().longOpt("no-network").desc("No network access, whatever the profile says").get());
        o.addOption(Option.builder().longOpt("keep").desc("Keep the sandbox's /workspace on the host after the run").get());
        o.addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
                .desc("Configuration file (default: ./agentkernel.toml if present)").get());
        o.addOption(Option.builder().longOpt("memory").hasArg().argName("MB").desc("Memory limit in MB (default 512; restrictive 256)").get());
        o.addOption(Option.builder().longOpt("cpus").hasArg().argName("N").desc("CPU limit in cores, may be fractional (default 1)").get());
        o.addOption(Option.builder().longOpt("timeout").hasArg().argName("SECONDS").desc("Kill the whole sandbox after this many seconds").get());
        o.addOption(Option.builder("e").longOpt("env").hasArg().argName("K=V").desc("Set an environment variable (repeatable)").get());
        o.addOption(Option.builder("w").longOpt("workdir").hasArg().argName("DIR")
                .desc("Working directory inside the sandbox (default /workspace)").get());
        o.addOption(Option.builder().longOpt("backend").hasArg().argName("NAME").desc("Isolation backend: bwrap, runc, crun, gvisor, podman or docker (default: [sandbox] backend of agentkernel.toml, else the best available; 'agentkernel doctor' lists them)").get());
        o.addOption(Option.builder().longOpt("sudo")
                .desc("Run as root of the sandbox (its own user namespace's root, never the host's) instead of uid 1000").get());
        NetworkPolicyOptions.addTo(o);
        o.addOption(Option.builder("v").longOpt("verbose").desc("Explain what is being set up").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel run python3 -c \"print('Hello from sandbox!')\"",
                "agentkernel run --profile restrictive --memory 128 -- python3 script.py",
                "agentkernel run --no-network -e DEBUG=1 -w /tmp -- sh -c 'pwd; env'",
                "echo data | agentkernel run -- wc -c");
    }

    private static final boolean TRACE = System.getenv("AGENTKERNEL_TRACE") != null;
    private static long last = System.nanoTime();

    private static void trace(PrintWriter err, String phase) {
        if (TRACE) {
            long now = System.nanoTime();
            err.printf("agentkernel: trace %-12s %6.1f ms%n", phase, (now - last) / 1e6);
            last = System.nanoTime();
        }
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception {
        trace(err, "parsed");
        List<String> command = args.getArgList();
        if (command.isEmpty() && (args.getOptionValue("image") == null || args.getOptionValue("image").equals(RootFs.HOST))) {
            throw new InvalidRequestException("no command given: try 'agentkernel run -- python3 -c \"print(1)\"', "
                    + "or name an image whose own command runs: 'agentkernel run --image IMAGE'");
        }
        boolean verbose = args.hasOption("verbose");
        Path cwd = Path.of("").toAbsolutePath();
        Optional<ProjectConfig> projectConfig = loadConfig(args, cwd);
        HostContext host = HostContext.current();
        trace(err, "config+host");
        SandboxRequest request = buildRequest(args, projectConfig.orElse(ProjectConfig.empty()), cwd);
        Optional<String> backend = Optional.ofNullable(args.getOptionValue("backend"))
                .or(() -> projectConfig.flatMap(c -> c.sandbox().backend()));
        if (backend.isPresent()) {
            request = request.withBackend(backend.get());
        }
        if (args.hasOption("pull")) {
            request = request.withPull(ImagePull.parse(args.getOptionValue("pull")));
        }
        Optional<Duration> timeout = Optional.ofNullable(OptionValues.number(args, "timeout", "seconds")).map(RunCommand::toDuration);
        String image = args.getOptionValue("image");
        try (HostImageRoots roots = new HostImageRoots(host, pullNotices(err))) {
            PolicyResolver resolver = new PolicyResolver(host, true, roots);
            Optional<Detection> detection = image != null
                    ? Optional.of(new Detection(image, Detection.CUSTOM_LANGUAGE, Detection.Source.CONFIG))
                    : resolver.configuredDefaultImage().isPresent() ? Optional.empty()
                    : new ImageDetector().detect(command, cwd, projectConfig);
            if (detection.isPresent()) {
                request = request.withImage(detection.get().image());
            }
            trace(err, "detect");
            SandboxSpec sandbox = resolver.resolve(request);
            trace(err, "resolve");
            if (command.isEmpty()) {
                command = sandbox.root() instanceof RootFs.Image i ? i.config().defaultCommand() : List.of();
                if (command.isEmpty()) {
                    throw new InvalidRequestException("no command given and the image " + image
                            + " names none (no Entrypoint or Cmd): add one after '--'");
                }
            }
            return run(args, out, err, host, command, sandbox, detection, verbose, timeout);
        }
    }

    private int run(CommandLine args, PrintWriter out, PrintWriter err, HostContext host, List<String> command,
                    SandboxSpec sandbox, Optional<Detection> detection, boolean verbose,
                    Optional<Duration> timeout) throws Exception {
        CommandSpec cmd = new CommandSpec(command, Map.of(), Optional.empty(), timeout, args.hasOption("sudo"));
        Path keptDir = null;
        if (args.hasOption("keep") && sandbox.profile() != Profile.PERMISSIVE) {
            keptDir = host.stateDir().resolve("kept").resolve(sandbox.hostname() + "-" + System.currentTimeMillis());
            Files.createDirectories(keptDir.resolve("workspace"));
            List<Mount> mounts = new ArrayList<>(sandbox.mounts());
            mounts.add(new Mount(keptDir.resolve("workspace"), PolicyResolver.WORKSPACE, sandbox.readOnlyRoot()));
            sandbox = sandbox.withMounts(mounts);
        }
        long started = System.nanoTime();
        try (IsolationBackend isolation = BackendSelector.discover().open(sandbox.backend(), host)) {
            trace(err, "backend");
            if (verbose) {
                err.printf("agentkernel: backend %s, profile %s, network %s, memory %d MB, cpus %s, pids %d%s%n",
                        isolation.name(), sandbox.profile().id(), sandbox.network().name().toLowerCase(Locale.ROOT),
                        sandbox.limits().memoryMb(), sandbox.limits().vcpus(), sandbox.limits().pids(),
                        detection.map(d -> ", image " + d.image() + " (" + d.source().name().toLowerCase(Locale.ROOT) + ")").orElse(""));
            }
            if (verbose) {
                isolation.commandLine(sandbox, cmd).ifPresent(argv -> err.println("agentkernel: " + String.join(" ",
                        argv.stream().map(a -> a.isEmpty() || a.matches(".*[^A-Za-z0-9_./=:,+@%-].*")
                                ? "'" + a.replace("'", "'\\''") + "'" : a).toList())));
            }
            Termination end;
            Execution execution = isolation.start(sandbox, cmd, Stdio.inherit());
            trace(err, "start");
            Thread hook = new Thread(execution::close, "ak-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                end = execution.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                execution.close();
                return 130;
            } finally {
                execution.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
            trace(err, "await");
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

    /**
     * One line when an image has to be pulled and one when it is stored (a pull happens only for an
     * image the store lacks, or with {@code --pull always}), on stderr like the run's own notices.
     */
    private static dev.agentkernel.image.PullListener pullNotices(PrintWriter err) {
        return event -> {
            switch (event) {
                case dev.agentkernel.image.PullEvent.Resolved r -> {
                    err.println("agentkernel: pulling " + r.reference() + " (" + r.layers() + " layers)");
                    err.flush();
                }
                case dev.agentkernel.image.PullEvent.Completed c -> {
                    err.println("agentkernel: pulled " + c.image().reference() + " (" + c.image().digest() + ")");
                    err.flush();
                }
                case dev.agentkernel.image.PullEvent.LayerProgress p -> {
                    // per layer: 'agentkernel pull' shows it
                }
                case dev.agentkernel.image.PullEvent.LayerDone d -> {
                    // per layer: 'agentkernel pull' shows it
                }
            }
        };
    }

    private static Optional<ProjectConfig> loadConfig(CommandLine args, Path cwd) {
        String config = args.getOptionValue("config");
        if (config != null) {
            return Optional.of(ConfigLoader.load(Path.of(config)));
        }
        return ConfigLoader.findInProject(cwd).map(ConfigLoader::load);
    }

    private static SandboxRequest buildRequest(CommandLine args, ProjectConfig cfg, Path cwd) {
        Optional<Profile> profile = args.hasOption("profile")
                ? Optional.of(Profile.parse(args.getOptionValue("profile"))) : cfg.security().profile();
        Optional<Boolean> network = args.hasOption("no-network") ? Optional.of(false) : cfg.security().network();
        Long memoryMb = OptionValues.wholeNumber(args, "memory", "MB");
        Double cpus = OptionValues.number(args, "cpus", "cores");
        OptionalLong memory = memoryMb != null ? OptionalLong.of(memoryMb) : cfg.resources().memoryMb();
        OptionalDouble vcpus = cpus != null ? OptionalDouble.of(cpus) : cfg.resources().vcpus();
        Map<String, String> variables = new LinkedHashMap<>();
        String[] assignments = args.getOptionValues("env");
        if (assignments != null) {
            for (String assignment : assignments) {
                String[] kv = EnvVar.parse(assignment);
                variables.put(kv[0], kv[1]);
            }
        }
        return new SandboxRequest(profile, Optional.empty(), network, memory, vcpus, variables,
                Optional.ofNullable(args.getOptionValue("workdir")), Optional.of(cwd))
                .withEgress(cfg.network().merge(NetworkPolicyOptions.policy(args)));
    }

    private static Duration toDuration(double seconds) {
        if (!(seconds > 0)) {
            throw new InvalidRequestException("--timeout must be a positive number of seconds, got " + seconds);
        }
        if (seconds > CommandSpec.MAX_TIMEOUT.toSeconds()) {
            throw new InvalidRequestException("--timeout must be at most " + CommandSpec.MAX_TIMEOUT.toSeconds()
                    + " seconds (7 days), got " + seconds);
        }
        return Duration.ofNanos((long) (seconds * 1_000_000_000L));
    }
}
