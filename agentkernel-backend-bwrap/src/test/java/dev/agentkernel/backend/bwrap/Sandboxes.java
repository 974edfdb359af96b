package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.agentkernel.core.backend.BackendDirectories;
import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.host.OwnerTag;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.ResourceLimits;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import dev.agentkernel.testing.HostLeftovers;
import dev.agentkernel.testing.SandboxHost;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shared fixture of the bubblewrap integration tests: one real backend (opened through
 * {@link BackendSelector}, as a caller would) over private state and runtime directories,
 * a way to run a command and collect its stdout, stderr and {@link Termination}, and the
 * check that a finished run left nothing behind on the host.
 */
final class Sandboxes implements AutoCloseable {

    /** Upper bound for any single run; a run that takes longer is a failure, not a hang. */
    static final Duration RUN_LIMIT = Duration.ofSeconds(60);

    final HostContext host;
    final IsolationBackend backend;
    final Path runtimeDir;

    private Sandboxes(HostContext host, IsolationBackend backend, Path runtimeDir) {
        this.host = host;
        this.backend = backend;
        this.runtimeDir = runtimeDir;
    }

    /**
     * Skips the calling test class unless this machine can run real sandboxes; fails it instead
     * where tests must run ({@link SandboxHost#MUST_RUN_VARIABLES}: CI), so a security test never
     * passes by not running.
     */
    static void assumeSandboxHost() {
        SandboxHost.requireSandboxHost("bwrap integration tests");
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

    /** A file of the pids controller of sandbox {@code id} (v1 or v2 layout). */
    static Path pidsFile(String id, String file) {
        Path v1 = HostLeftovers.CGROUP_ROOT.resolve("pids/agentkernel").resolve(id);
        return Files.isDirectory(HostLeftovers.CGROUP_ROOT.resolve("pids")) ? v1.resolve(file)
                : HostLeftovers.CGROUP_ROOT.resolve("agentkernel").resolve(id).resolve(file);
    }

    /**
     * Everything a finished run could have left on the host: cgroups named after this JVM,
     * entries in the runtime directory but the backends' own (empty) directories, and processes
     * started by this JVM that still run (but the test registries).
     */
    List<String> leftovers() {
        return HostLeftovers.find(OwnerTag.of(""), runtimeDir, p -> BackendDirectories.isBackendsOwn(runtimeDir, p));
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
