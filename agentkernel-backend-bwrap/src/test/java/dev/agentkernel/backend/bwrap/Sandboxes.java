package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentkernel.core.backend.BackendDirectories;
import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.ResourceLimits;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Shared fixture of the bubblewrap integration tests: one real backend (opened through
 * {@link BackendSelector}, as a caller would) over private state and runtime directories,
 * a way to run a command and collect its stdout, stderr and {@link Termination}, and the
 * check that a finished run left nothing behind on the host.
 */
final class Sandboxes implements AutoCloseable {

    /** Upper bound for any single run; a run that takes longer is a failure, not a hang. */
    static final Duration RUN_LIMIT = Duration.ofSeconds(60);
    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    final HostContext host;
    final IsolationBackend backend;
    final Path runtimeDir;
    /**
     * Processes of this JVM that are not sandboxes' (the test registries, which live as long as the JVM): not
     * leftovers, in this test class or any later one.
     */
    private static final java.util.Set<Long> BASELINE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Sandboxes(HostContext host, IsolationBackend backend, Path runtimeDir) {
        this.host = host;
        this.backend = backend;
        this.runtimeDir = runtimeDir;
    }

    /**
     * Variables that make a machine unable to run real sandboxes a failure instead of a skip:
     * {@code CI} (set by GitHub Actions, GitLab CI and most CI services, and by {@code .ci/run})
     * or {@code AGENTKERNEL_SANDBOX_TESTS_MUST_RUN}, like bubblewrap's {@code BWRAP_MUST_WORK}.
     */
    static final List<String> MUST_RUN_VARIABLES = List.of("CI", "AGENTKERNEL_SANDBOX_TESTS_MUST_RUN");

    /**
     * Skips the calling test class unless this machine can run real sandboxes; fails it instead
     * when one of {@link #MUST_RUN_VARIABLES} is set (CI), so a security test never passes by not running.
     */
    static void assumeSandboxHost() {
        requireHost(System.getProperty("os.name", "").equals("Linux"), "bwrap integration tests need Linux");
        requireHost(isRoot(), "bwrap integration tests need root: they create cgroups under /sys/fs/cgroup "
                + "and start bubblewrap as root (run them as root, e.g. through run-tests.sh)");
        requireHost(onPath("bwrap").isPresent(), "bwrap integration tests need bubblewrap on PATH "
                + "(apt-get install -y bubblewrap)");
    }

    /** Tells whether sandbox tests must run here: a {@link #MUST_RUN_VARIABLES} variable is set and not "false"/"0". */
    static boolean mustRun() {
        return MUST_RUN_VARIABLES.stream().map(System::getenv)
                .anyMatch(v -> v != null && !v.isBlank() && !v.equalsIgnoreCase("false") && !v.equals("0"));
    }

    private static void requireHost(boolean met, String why) {
        if (mustRun() && !met) {
            fail(why + " (failing instead of skipping: " + String.join(" or ", MUST_RUN_VARIABLES) + " is set)");
        }
        assumeTrue(met, why);
    }

    static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }

    /** Opens the bwrap backend with state and runtime directories under {@code dir}. */
    static Sandboxes open(Path dir) throws IOException {
        return open(dir, Map.of());
    }

    /** Like {@link #open(Path)}, as if the process's environment also held {@code env}. */
    static Sandboxes open(Path dir, Map<String, String> env) throws IOException {
        return open(dir, env, "bwrap");
    }

    /** Opens the backend called {@code name} with state and runtime directories under {@code dir}. */
    static Sandboxes open(Path dir, Map<String, String> env, String name) throws IOException {
        Path state = Files.createDirectories(dir.resolve("state"));
        Path runtime = Files.createDirectories(dir.resolve("runtime"));
        HostContext current = HostContext.current();
        Map<String, String> merged = new LinkedHashMap<>(current.env());
        merged.putAll(env);
        HostContext host = new HostContext(state, runtime, current.root(), current.cpus(), merged);
        IsolationBackend backend = BackendSelector.discover().open(Optional.of(name), host);
        assertThat(backend.name()).isEqualTo(name);
        return new Sandboxes(host, backend, runtime);
    }

    // ---- specs -------------------------------------------------------------------------

    SandboxSpec spec(SandboxRequest request) {
        return new PolicyResolver(host).resolve(request);
    }

    SandboxSpec spec(Profile profile) {
        return spec(SandboxRequest.defaults().withProfile(profile));
    }

    /** The profile's spec without network (faster: no slirp4netns), for tests about something else. */
    SandboxSpec offline(Profile profile) {
        return spec(SandboxRequest.defaults().withProfile(profile).withNetwork(false));
    }

    static SandboxSpec withLimits(SandboxSpec s, ResourceLimits limits) {
        return new SandboxSpec(s.image(), s.profile(), s.network(), s.readOnlyRoot(), limits, s.mounts(), s.env(),
                s.workdir(), s.hostname());
    }

    static CommandSpec command(List<String> argv, Map<String, String> env, Duration timeout) {
        return new CommandSpec(argv, env, Optional.empty(), Optional.ofNullable(timeout));
    }

    // ---- running -----------------------------------------------------------------------

    /** What a finished run produced. */
    record Result(byte[] stdout, byte[] stderr, Termination termination, Duration elapsed, String id) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String err() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        int exitCode() {
            return termination.exitCode();
        }

        /** For assertion messages. */
        String describe() {
            return "termination=" + termination + "\n--- stdout ---\n" + abbreviate(out()) + "\n--- stderr ---\n"
                    + abbreviate(err());
        }

        private static String abbreviate(String s) {
            return s.length() > 4000 ? s.substring(0, 4000) + "...(" + s.length() + " chars)" : s;
        }
    }

    /** Collects both output streams in memory. */
    static final class Collector implements Stdio.OutputSink {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();

        @Override
        public void accept(OutputStreamKind stream, byte[] bytes, int offset, int length) {
            ByteArrayOutputStream target = stream == OutputStreamKind.STDOUT ? out : err;
            synchronized (target) {
                target.write(bytes, offset, length);
            }
        }

        byte[] stdout() {
            synchronized (out) {
                return out.toByteArray();
            }
        }

        byte[] stderr() {
            synchronized (err) {
                return err.toByteArray();
            }
        }
    }

    Result run(SandboxSpec spec, String... argv) {
        return run(spec, CommandSpec.of(argv), null);
    }

    Result run(SandboxSpec spec, CommandSpec command) {
        return run(spec, command, null);
    }

    /** Runs {@code command} to its end with {@code stdin} (null: none) and collects everything. */
    Result run(SandboxSpec spec, CommandSpec command, byte[] stdin) {
        Collector collector = new Collector();
        Stdio.Input input = stdin == null ? new Stdio.Input.Empty() : new Stdio.Input.From(new ByteArrayInputStream(stdin));
        Stdio stdio = new Stdio(input, new Stdio.Output.To(collector), new Stdio.Output.To(collector));
        long started = System.nanoTime();
        try (Execution execution = backend.start(spec, command, stdio)) {
            Termination end = awaitOrFail(execution);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            return new Result(collector.stdout(), collector.stderr(), end, elapsed, execution.id());
        }
    }

    static Termination awaitOrFail(Execution execution) {
        try {
            Optional<Termination> end = execution.await(RUN_LIMIT);
            if (end.isEmpty()) {
                execution.kill();
                return fail("sandbox " + execution.id() + " still running after " + RUN_LIMIT);
            }
            return end.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            execution.kill();
            return fail("interrupted");
        }
    }

    // ---- host-side observations ---------------------------------------------------------

    /** The cgroup directories that may hold this sandbox's groups (v1 controllers, hybrid v2, pure v2). */
    static List<Path> cgroupParents() {
        return List.of(CGROUP_ROOT.resolve("memory/agentkernel"), CGROUP_ROOT.resolve("pids/agentkernel"),
                CGROUP_ROOT.resolve("cpu/agentkernel"), CGROUP_ROOT.resolve("unified/agentkernel"),
                CGROUP_ROOT.resolve("agentkernel"));
    }

    /** A file of the pids controller of sandbox {@code id} (v1 or v2 layout). */
    static Path pidsFile(String id, String file) {
        Path v1 = CGROUP_ROOT.resolve("pids/agentkernel").resolve(id);
        return Files.isDirectory(CGROUP_ROOT.resolve("pids")) ? v1.resolve(file)
                : CGROUP_ROOT.resolve("agentkernel").resolve(id).resolve(file);
    }

    /** Command lines (NULs as spaces) of every host process whose command line contains {@code marker}. */
    static List<String> hostProcessesMentioning(String marker) {
        List<String> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(marker)) {
                        found.add(name + ": " + cmdline.strip());
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    /**
     * Everything a finished run could have left on the host: cgroups named after this JVM,
     * entries in the runtime directory, and processes started by this JVM that still run.
     */
    List<String> leftovers() {
        List<String> left = new ArrayList<>();
        String prefix = dev.agentkernel.core.host.OwnerTag.of(""); // "<this JVM's owner tag>-"
        for (Path parent : cgroupParents()) {
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (Stream<Path> groups = Files.list(parent)) {
                groups.filter(Files::isDirectory)
                        .filter(g -> g.getFileName().toString().startsWith(prefix))
                        .forEach(g -> left.add("cgroup " + g));
            } catch (IOException e) {
                left.add("cannot list " + parent + ": " + e);
            }
        }
        try (Stream<Path> walk = Files.walk(runtimeDir)) {
            walk.filter(p -> !p.equals(runtimeDir))
                    // the backends' own (empty) directories may stay; anything in them may not
                    .filter(p -> !BackendDirectories.isBackendsOwn(runtimeDir, p))
                    .forEach(p -> left.add("runtime entry " + p));
        } catch (IOException e) {
            left.add("cannot walk " + runtimeDir + ": " + e);
        }
        ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).filter(p -> !BASELINE.contains(p.pid()))
                .forEach(p -> left.add(
                "process " + p.pid() + " (parent " + p.parent().map(ProcessHandle::pid).orElse(-1L) + "): "
                        + p.info().commandLine().or(() -> p.info().command()).orElse("?")));
        return left;
    }

    /** Takes the processes this JVM runs now (test registries, ...) for its own, not for leftovers of sandboxes. */
    static void ignoreRunningProcesses() {
        ProcessHandle.current().descendants().forEach(p -> BASELINE.add(p.pid()));
    }

    void assertNothingLeftBehind() {
        assertThat(leftovers()).as("host resources left behind by finished sandboxes").isEmpty();
    }

    /** Parses {@code env -0} output. */
    static Map<String, String> parseEnv0(byte[] bytes) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : new String(bytes, StandardCharsets.UTF_8).split("\0")) {
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return env;
    }

    @Override
    public void close() {
        backend.close();
    }
}
