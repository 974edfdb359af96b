package dev.agentkernel.cli;

import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.image.HostImages;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.StoreUsage;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checks of {@code agentkernel doctor} and {@code setup}, each done for real: a sandbox is
 * started, a memory limit is hit, the seccomp filter is read back, the network helper gives the
 * sandbox its interface, a sandbox under a network policy gets its DNS from AgentKernel's resolver and
 * its web traffic through the egress proxy ({@link EgressCheck}), a file goes through a mount and back, the state directory and the image
 * store take a file (and the store's size is shown), the daemon answers and its warm pool is full. Package-private.
 */
final class SetupChecks {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private final HostContext host;
    private final DaemonEndpoint daemon;

    SetupChecks(HostContext host, DaemonEndpoint daemon) {
        this.host = host;
        this.daemon = daemon;
    }

    /** Every check, in order; never throws. */
    List<SetupCheck> run() {
        List<SetupCheck> results = new ArrayList<>();
        results.add(stateDirectory());
        results.add(imageStore());
        results.add(defaultImage());
        IsolationBackend backend;
        try {
            backend = BackendSelector.discover().open(Optional.empty(), host);
        } catch (AgentKernelException e) {
            results.add(SetupCheck.fail("isolation backend", "no backend can run here: " + e.getMessage(),
                    "run 'agentkernel setup' as root, or install bubblewrap (apt-get install -y bubblewrap)"));
            for (String name : List.of("resource limits", "seccomp filter", "network helper", EgressCheck.NAME,
                    "volume mounting")) {
                results.add(SetupCheck.fail(name, "not checked: no isolation backend", "fix the isolation backend first"));
            }
            results.addAll(daemonChecks());
            return results;
        }
        try (backend) {
            PolicyResolver resolver = new PolicyResolver(host);
            results.add(sandboxStarts(backend, resolver));
            results.add(limitsEnforced(backend, resolver));
            results.add(seccomp(backend, resolver));
            results.add(network(backend, resolver));
            results.add(EgressCheck.run(backend, resolver));
            results.add(volumes(backend, resolver));
        }
        results.addAll(daemonChecks());
        return results;
    }

    private SetupCheck stateDirectory() {
        Path dir = host.stateDir();
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".setup-check-", ".tmp");
            Files.writeString(probe, "ok");
            Files.delete(probe);
            return SetupCheck.pass("state directory", dir + " is writable");
        } catch (IOException | RuntimeException e) {
            return SetupCheck.fail("state directory", dir + " is not writable: " + e.getMessage(),
                    "create it and make it writable for this user, or set AGENTKERNEL_STATE_DIR to a writable directory");
        }
    }

    /** The image store ({@code STATE/images}) opens, takes a file and can be measured; its size. */
    private SetupCheck imageStore() {
        Path dir = HostImages.storeDir(host);
        try (ImageService images = HostImages.open(host)) {
            Path probe = Files.createTempFile(images.root(), ".setup-check-", ".tmp");
            Files.writeString(probe, "ok");
            Files.delete(probe);
            StoreUsage usage = images.usage();
            return SetupCheck.pass("image store", dir + " is writable; " + usage.images() + " image"
                    + (usage.images() == 1 ? "" : "s") + ", " + ImageText.size(usage.totalBytes()) + " on disk");
        } catch (IOException | RuntimeException e) {
            return SetupCheck.fail("image store", dir + " is not usable: " + e.getMessage(),
                    "make it writable for this user (or set AGENTKERNEL_STATE_DIR to a writable directory); "
                            + "'agentkernel image prune' frees what no image uses");
        }
    }

    /**
     * The image of sandboxes that name none ({@code AGENTKERNEL_DEFAULT_IMAGE}, else the built-in
     * default) is stored, or its registry answers for it now.
     */
    private SetupCheck defaultImage() {
        PolicyResolver resolver = new PolicyResolver(host);
        String image = resolver.defaultImage();
        String fix = "pull it where its registry is reachable, import it ('agentkernel image import FILE'), "
                + "configure a mirror, or name another default image: AGENTKERNEL_DEFAULT_IMAGE=IMAGE "
                + "(AGENTKERNEL_DEFAULT_IMAGE=host runs on the host's /usr)";
        if (image.equals(dev.agentkernel.model.RootFs.HOST)) {
            return SetupCheck.pass("default image", "host: sandboxes that name no image run on the host's /usr ("
                    + PolicyResolver.DEFAULT_IMAGE_ENV + ")");
        }
        try (ImageService images = HostImages.open(host)) {
            if (images.find(image).isPresent()) {
                return SetupCheck.pass("default image", image + " is stored");
            }
            String endpoint = images.probe(image);
            return SetupCheck.pass("default image", image + " is not stored yet; its registry answers (" + endpoint
                    + "): the first sandbox pulls it");
        } catch (RuntimeException e) {
            return SetupCheck.fail("default image", image + " is not stored and cannot be pulled: " + e.getMessage(), fix);
        }
    }

    /** What one command in a sandbox gave. */
    private record Outcome(Termination end, String stdout, String stderr, long millis) {
        /** How it ended, with the first line of what it said on stderr. */
        String describe() {
            String why = stderr.strip().lines().findFirst().orElse("");
            return end + (why.isEmpty() ? "" : ": " + why);
        }
    }

    private static Outcome run(IsolationBackend backend, SandboxSpec spec, String script) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandSpec command = CommandSpec.of("sh", "-c", script).withTimeout(LIMIT);
        long begin = System.nanoTime();
        try (Execution execution = backend.start(spec, command, Stdio.capture((kind, b, off, len) -> {
            ByteArrayOutputStream to = kind == dev.agentkernel.model.OutputStreamKind.STDOUT ? out : err;
            synchronized (to) {
                if (to.size() < 64 * 1024) {
                    to.write(b, off, len);
                }
            }
        }))) {
            Termination end = execution.await();
            synchronized (out) {
                synchronized (err) {
                    return new Outcome(end, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                            (System.nanoTime() - begin) / 1_000_000);
                }
            }
        }
    }

    private SetupCheck sandboxStarts(IsolationBackend backend, PolicyResolver resolver) {
        try {
            Outcome o = run(backend, resolver.resolve(SandboxRequest.defaults().withNetwork(false)), "echo started");
            if (o.end() instanceof Termination.Exited(int code) && code == 0 && o.stdout().equals("started\n")) {
                return SetupCheck.pass("isolation backend", backend.name() + ": a sandbox started and ran a command in "
                        + o.millis() + " ms");
            }
            return SetupCheck.fail("isolation backend", backend.name() + ": the test command ended " + o.describe(),
                    "see 'agentkernel run -- echo hi' for the error");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SetupCheck.fail("isolation backend", "interrupted", "run the check again");
        } catch (AgentKernelException e) {
            return SetupCheck.fail("isolation backend", backend.name() + " cannot start a sandbox: " + e.getMessage(),
                    "run as root, and check 'agentkernel run -- echo hi'");
        }
    }

    private SetupCheck limitsEnforced(IsolationBackend backend, PolicyResolver resolver) {
        try {
            SandboxSpec small = resolver.resolve(SandboxRequest.defaults().withNetwork(false).withMemoryMb(64));
            // A shell variable of 150 MB in a sandbox allowed 64 MB: the kernel must kill it.
            Outcome o = run(backend, small, "x=$(head -c 150000000 /dev/zero | tr '\\000' x); echo survived");
            if (o.end() instanceof Termination.OutOfMemory) {
                return SetupCheck.pass("resource limits", "a sandbox limited to 64 MB was stopped when it used more (cgroups)");
            }
            return SetupCheck.fail("resource limits", "a sandbox limited to 64 MB used more and ended " + o.describe(),
                    "run as root on a host with cgroups (v2 preferred) where the memory controller is enabled");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SetupCheck.fail("resource limits", "interrupted", "run the check again");
        } catch (AgentKernelException e) {
            return SetupCheck.fail("resource limits", "cannot apply limits: " + e.getMessage(),
                    "run as root on a host with cgroups (v2 preferred)");
        }
    }

    private SetupCheck seccomp(IsolationBackend backend, PolicyResolver resolver) {
        try {
            Outcome o = run(backend, resolver.resolve(SandboxRequest.defaults().withNetwork(false)),
                    "grep '^Seccomp:' /proc/self/status");
            if (o.stdout().replaceAll("\\s+", " ").strip().equals("Seccomp: 2")) {
                return SetupCheck.pass("seccomp filter", "sandboxed processes run under a seccomp filter (mode 2)");
            }
            return SetupCheck.fail("seccomp filter", "the sandbox reported '" + o.stdout().strip() + "'",
                    "use a kernel with CONFIG_SECCOMP_FILTER and bubblewrap 0.4 or newer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SetupCheck.fail("seccomp filter", "interrupted", "run the check again");
        } catch (AgentKernelException e) {
            return SetupCheck.fail("seccomp filter", "cannot check: " + e.getMessage(), "fix the isolation backend first");
        }
    }

    private SetupCheck network(IsolationBackend backend, PolicyResolver resolver) {
        try {
            Outcome o = run(backend, resolver.resolve(SandboxRequest.defaults().withNetwork(true)),
                    "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '");
            List<String> interfaces = o.stdout().lines().filter(l -> !l.isBlank()).toList();
            if (interfaces.stream().anyMatch(i -> !i.equals("lo"))) {
                return SetupCheck.pass("network helper", "a sandbox with network has its own interface ("
                        + String.join(", ", interfaces) + ")");
            }
            return SetupCheck.fail("network helper", "a sandbox with network has only " + interfaces,
                    "install slirp4netns (apt-get install -y slirp4netns)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SetupCheck.fail("network helper", "interrupted", "run the check again");
        } catch (AgentKernelException e) {
            return SetupCheck.fail("network helper", "a sandbox with network did not start: " + e.getMessage(),
                    "install slirp4netns (apt-get install -y slirp4netns)");
        }
    }

    private SetupCheck volumes(IsolationBackend backend, PolicyResolver resolver) {
        Path dir = host.stateDir().resolve("setup-check-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("from-host.txt"), "host");
            SandboxSpec base = resolver.resolve(SandboxRequest.defaults().withNetwork(false));
            List<Mount> mounts = new ArrayList<>(base.mounts());
            mounts.add(new Mount(dir, "/mnt/check", false));
            SandboxSpec spec = base.withMounts(mounts);
            Outcome o = run(backend, spec, "cat /mnt/check/from-host.txt && echo sandbox > /mnt/check/from-sandbox.txt");
            Path back = dir.resolve("from-sandbox.txt");
            if (o.stdout().equals("host") && Files.isRegularFile(back) && Files.readString(back).equals("sandbox\n")) {
                return SetupCheck.pass("volume mounting", "a file went through a mounted directory both ways");
            }
            return SetupCheck.fail("volume mounting", "the mounted directory did not work (read '" + o.stdout().strip()
                    + "', ended " + o.describe() + ")", "check that the state directory is on a local file system bubblewrap "
                    + "can bind-mount");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SetupCheck.fail("volume mounting", "interrupted", "run the check again");
        } catch (IOException | AgentKernelException e) {
            return SetupCheck.fail("volume mounting", "cannot check: " + e.getMessage(), "fix the state directory first");
        } finally {
            deleteTree(dir);
        }
    }

    private List<SetupCheck> daemonChecks() {
        String fix = "start it: agentkernel daemon start";
        try (DaemonHttp http = new DaemonHttp(daemon.url(), daemon.apiKey(), Duration.ofSeconds(5))) {
            Optional<String> problem = http.healthProblem();
            if (problem.isPresent()) {
                return List.of(SetupCheck.fail("daemon", "no daemon answers at " + daemon.url() + " (" + problem.get() + ")", fix),
                        SetupCheck.fail("warm pool", "not checked: no daemon", fix));
            }
            SetupCheck answers = SetupCheck.pass("daemon", "answers at " + daemon.url() + " (found via " + daemon.source() + ")");
            return List.of(answers, pool(http.status()));
        }
    }

    private static SetupCheck pool(DaemonHttp.StatusAnswer answer) {
        if (!(answer instanceof DaemonHttp.StatusData(var data))) {
            return SetupCheck.fail("warm pool", "the daemon's status is not readable: " + answer,
                    "check the API key (AGENTKERNEL_API_KEY) and the daemon's log");
        }
        DaemonStatusReport report = DaemonStatusReport.from(data);
        if (report.pool() == null || !Boolean.TRUE.equals(report.pool().enabled())) {
            return SetupCheck.fail("warm pool", "the warm pool is off, so every run starts a sandbox cold",
                    "restart the daemon without --pool-size 0 and without AGENTKERNEL_DISABLE_POOLING");
        }
        long target = report.pool().targetPerKey() == null ? 1 : report.pool().targetPerKey();
        long ready = report.pool().keys().stream().mapToLong(k -> k.ready() == null ? 0 : k.ready()).max().orElse(0);
        if (ready >= target) {
            return SetupCheck.pass("warm pool", ready + " sandbox" + (ready == 1 ? "" : "es") + " ready per profile");
        }
        return SetupCheck.fail("warm pool", ready + " of " + target + " sandboxes ready",
                "wait a few seconds after the daemon starts and check again; the daemon's log says why sandboxes fail to start");
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort
        }
    }

    /** The number of the results that failed. */
    static long failures(List<SetupCheck> results) {
        return results.stream().filter(r -> !r.passed()).count();
    }
}
