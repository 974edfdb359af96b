package dev.agentkernel.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.cgroup.CgroupDriver;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.image.HostImages;
import dev.agentkernel.core.image.ImageRoots;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.pool.PoolKey;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.PullListener;
import dev.agentkernel.image.PullPolicy;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.server.Daemon;
import dev.agentkernel.server.DaemonConfig;
import dev.agentkernel.server.ServerConfig;
import dev.agentkernel.testing.DockerEngine;
import dev.agentkernel.testing.LocalRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every isolation backend side by side in one run, on the same busybox image (built by umoci,
 * served by a {@code docker-registry} on loopback, as in {@link ImageBench}):
 *
 * <ol>
 *   <li><b>start</b>: {@code start(…).await()} of {@code /bin/true} through AgentKernel on each backend
 *       against the backend's own tool doing the same on the image flattened once: raw
 *       {@code bwrap --bind ROOTFS /}, and {@code runc run}, {@code crun run}, {@code runsc run} of a bundle
 *       made by {@code runc spec} (the runtimes' defaults), {@code podman run --rm} of the image pulled into a
 *       podman storage of the bench's own ({@link PodmanBaseline}), and {@code docker run --rm} of the same files
 *       imported into the engine; round-robin per backend; target p50 ≤ 1.2×;</li>
 *   <li><b>warm {@code POST /run}</b> per backend through one daemon in this process (warm pool of one per key);</li>
 *   <li><b>memory of an idle persistent sandbox</b> per backend: the sandbox's cgroup's memory use two
 *       seconds after its agent started.</li>
 * </ol>
 *
 * <p>The docker backend runs against the engine at {@code DOCKER_HOST} if set, else against a private engine
 * started for the run ({@link DockerEngine}: user-namespace remapping, cgroupfs), stopped at the end.
 *
 * <p>Run as root: {@code scripts/bench.sh --only backends}. Prints Markdown; {@code --markdown FILE} rewrites
 * the section {@code backends} of that file.
 */
public final class BackendBench {

    private static final String SECTION = "backends";
    private static final double START_TARGET = 1.2;
    private static final File DEV_NULL = new File("/dev/null");
    private static final String USAGE = """
            usage: BackendBench [options]   (normally: scripts/bench.sh --only backends, as root)
              --backends A,B    the backends (default bwrap,runc,crun,gvisor,podman,docker; those that cannot run are reported)
              --warmup N        start: warm-up rounds (default 10)
              --rounds N        start: measured rounds (default 100)
              --run-rounds N    warm POST /run: measured rounds per backend (default 100, after 20 warm-up); 0 skips it
              --pause-ms N      idle time before every timed start (default 50, as StartupBench)
              --markdown FILE   rewrite the 'backends' section of FILE (BENCHMARKS.md)
              --root DIR        project root (ignored; passed by scripts/bench.sh)""";

    private List<String> names = List.of("bwrap", "runc", "crun", "gvisor", "podman", "docker");
    /** What the backends' environment holds beyond this process's (the Docker engine's address). */
    private final Map<String, String> env = new LinkedHashMap<>();
    private int warmup = 10;
    private int rounds = 100;
    private int runWarmup = 20;
    private int runRounds = 100;
    private int pauseMs = 50;
    private Path markdown;

    private BackendBench() {
    }

    /** Entry point; see {@code --help}. */
    public static void main(String[] args) throws Exception {
        BackendBench bench = new BackendBench();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--backends" -> bench.names = List.of(ImageBench.value(args, ++i).split(","));
                    case "--warmup" -> bench.warmup = ImageBench.count(args, ++i, 0);
                    case "--rounds" -> bench.rounds = ImageBench.count(args, ++i, 1);
                    case "--run-rounds" -> bench.runRounds = ImageBench.count(args, ++i, 0);
                    case "--pause-ms" -> bench.pauseMs = ImageBench.count(args, ++i, 0);
                    case "--markdown" -> bench.markdown = Path.of(ImageBench.value(args, ++i)).toAbsolutePath().normalize();
                    case "--root", "--only" -> ImageBench.value(args, ++i);
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        bench.run();
        System.exit(0);
    }

    /** One backend's results; {@code skipped} says why it was not measured. */
    private record Result(String backend, Optional<String> skipped, Variant raw, Variant ours, Variant warmRun,
                          OptionalLong idleBytes, Variant networked) {
    }

    private void run() throws Exception {
        Path work = Files.createTempDirectory("ak-backendbench-");
        List<AutoCloseable> started = new ArrayList<>();
        try {
            Path registryDir = Files.createDirectories(work.resolve("registry"));
            LocalRegistry registry = LocalRegistry.start(registryDir, Files.createDirectories(registryDir.resolve("storage")),
                    "registry", "");
            started.add(registry);
            BenchImages builder = new BenchImages(work);
            builder.busybox("busybox");
            String ref = builder.push("busybox", registry.host(), "bench/busybox:1");
            if (names.contains("docker") && System.getenv("DOCKER_HOST") == null
                    && DockerEngine.missing().isEmpty()) {
                env.put("DOCKER_HOST", DockerEngine.shared().host());
            }
            HostContext host = host(work.resolve("host"));
            CgroupDriver.Detection cgroups = CgroupDriver.detect(Path.of("/sys/fs/cgroup"));
            String loadBefore = Machine.loadAverage();
            ZonedDateTime date = ZonedDateTime.now(ZoneOffset.UTC);
            Map<String, Result> results = new LinkedHashMap<>();
            try (ImageService images = HostImages.open(host)) {
                Image image = images.resolve(ref, PullPolicy.MISSING, PullListener.NONE);
                Path rootfs = work.resolve("rootfs");
                images.materialize(image, rootfs);
                PolicyResolver resolver = new PolicyResolver(host, true,
                        new ImageRoots(images, ImageRoots.dirOf(host.stateDir())));
                BackendSelector selector = BackendSelector.discover();
                for (String name : names) {
                    if (name.equals("podman")) {
                        try {
                            started.add(PodmanBaseline.pull(work, ref));
                        } catch (RuntimeException e) {
                            System.err.println("bench: podman: " + e.getMessage());
                            results.put(name, new Result(name, Optional.of(e.getMessage()), null, null, null,
                                    OptionalLong.empty(), null));
                            continue;
                        }
                    }
                    results.put(name, measure(name, selector, host, resolver, ref, rootfs, work));
                }
            }
            if (runRounds > 0) {
                warmRuns(results, ref, work);
            }
            String loadAfter = Machine.loadAverage();
            String md = markdown(date, Machine.describe(Path.of("/usr/bin/bwrap"), cgroups.driver() == null ? "none"
                    : cgroups.driver().describe()), loadBefore, loadAfter, results);
            System.out.println();
            System.out.println(md);
            if (markdown != null) {
                Report.updateSection(markdown, SECTION, md);
                System.err.println("bench: updated section '" + SECTION + "' of " + markdown);
            }
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).close();
            }
            ImageBench.removeTree(work);
        }
    }

    /** This process's host with state and runtime directories under {@code dir} and {@link #env}. */
    private HostContext host(Path dir) throws IOException {
        HostContext current = HostContext.current();
        Map<String, String> merged = new LinkedHashMap<>(current.env());
        merged.putAll(env);
        return new HostContext(Files.createDirectories(dir.resolve("state")),
                Files.createDirectories(dir.resolve("runtime")), current.root(), current.cpus(), merged);
    }

    private Result measure(String name, BackendSelector selector, HostContext host, PolicyResolver resolver, String ref,
                           Path rootfs, Path work) throws Exception {
        IsolationBackend backend;
        try {
            backend = selector.open(Optional.of(name), host);
        } catch (RuntimeException e) {
            System.err.println("bench: " + name + ": " + e.getMessage());
            return new Result(name, Optional.of(e.getMessage()), null, null, null, OptionalLong.empty(), null);
        }
        try (backend) {
            SandboxSpec spec = resolver.resolve(SandboxRequest.defaults().withImage(ref).withProfile(Profile.MODERATE)
                    .withNetwork(false).withMemoryMb(512).withBackend(name));
            ProcessBuilder raw = raw(name, rootfs, work, host.env());
            AtomicInteger sequence = new AtomicInteger();
            Variant rawVariant = new Variant(String.join(" ", describe(raw.command(), rootfs, work)), "raw " + name, null,
                    () -> {
                        if (!name.equals("bwrap") && !name.equals("podman") && !name.equals("docker")) {
                            raw.command().set(raw.command().size() - 1, "bench-" + ProcessHandle.current().pid() + "-"
                                    + sequence.incrementAndGet());
                        }
                        long t0 = System.nanoTime();
                        Process p = raw.start();
                        int code = p.waitFor();
                        long elapsed = System.nanoTime() - t0;
                        if (code != 0) {
                            throw new IllegalStateException(raw.command().getFirst() + " exited " + code);
                        }
                        return elapsed;
                    });
            Variant ours = new Variant("AgentKernel `start(…).await()` on " + name, "AgentKernel " + name, rawVariant,
                    () -> StartupBench.timeExecution(backend, spec));
            List<Variant> variants = new ArrayList<>(List.of(rawVariant, ours));
            Variant networked = null;
            if (!name.equals("gvisor")) { // gVisor has no network on these machines
                SandboxSpec online = resolver.resolve(SandboxRequest.defaults().withImage(ref)
                        .withProfile(Profile.MODERATE).withNetwork(true).withMemoryMb(512).withBackend(name));
                networked = new Variant("AgentKernel `start(…).await()` on " + name + ", with network (host bridge)",
                        "AgentKernel " + name + " online", rawVariant, () -> StartupBench.timeExecution(backend, online));
                variants.add(networked);
            }
            StartupBench.interleave("start " + name, variants, warmup, rounds, pauseMs);
            OptionalLong idle;
            try (AgentSandbox box = AgentSandbox.launch(backend, spec)) {
                Thread.sleep(2000);
                idle = memoryOf(box.id());
            }
            return new Result(name, Optional.empty(), rawVariant, ours, null, idle, networked);
        }
    }

    /** The backend's own tool running {@code /bin/true} on {@code rootfs}; the last argument is the container's id. */
    private static ProcessBuilder raw(String name, Path rootfs, Path work, Map<String, String> env) throws IOException {
        List<String> argv = new ArrayList<>();
        if (name.equals("podman")) {
            argv.addAll(PodmanBaseline.run(work));
        } else if (name.equals("docker")) {
            // the same files imported into the engine once; the engine's defaults but for the network (none, as ours)
            String tag = "bench/busybox:raw";
            Path tar = work.resolve("rootfs.tar");
            BenchImages.run(List.of("tar", "--numeric-owner", "-C", rootfs.toString(), "-cf", tar.toString(), "."));
            ProcessBuilder load = new ProcessBuilder("docker", "import", tar.toString(), tag).inheritIO()
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            load.environment().putAll(env);
            try {
                if (load.start().waitFor() != 0) {
                    throw new IOException("docker import of the bench image failed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            argv.addAll(List.of("docker", "run", "--rm", "--network", "none", tag, "/bin/true"));
        } else if (name.equals("bwrap")) {
            argv.addAll(List.of("bwrap", "--bind", rootfs.toString(), "/", "--proc", "/proc", "--dev", "/dev",
                    "--unshare-all", "--die-with-parent", "--", "/bin/true"));
        } else {
            Path bundle = Files.createDirectories(work.resolve("bundle-" + name));
            BenchImages.run(List.of("rm", "-f", bundle.resolve("config.json").toString()));
            BenchImages.run(List.of("runc", "spec", "--bundle", bundle.toString()));
            ObjectMapper json = new ObjectMapper();
            ObjectNode config = (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
            ObjectNode process = (ObjectNode) config.get("process");
            process.put("terminal", false);
            process.putArray("args").add("/bin/true");
            ObjectNode root = (ObjectNode) config.get("root");
            root.put("path", rootfs.toString());
            root.put("readonly", true);
            json.writerWithDefaultPrettyPrinter().writeValue(bundle.resolve("config.json").toFile(), config);
            Path state = Files.createDirectories(work.resolve("state-" + name));
            switch (name) {
                case "runc" -> argv.addAll(List.of("runc", "--root", state.toString(), "run", "--bundle", bundle.toString()));
                case "crun" -> argv.addAll(List.of("crun", "--root", state.toString(), "run", "--bundle", bundle.toString()));
                case "gvisor" -> argv.addAll(List.of("runsc", "--root", state.toString(), "--network", "none",
                        "--platform", "ptrace", "run", "--bundle", bundle.toString()));
                default -> throw new IllegalArgumentException("no raw baseline for backend " + name);
            }
            argv.add("id");
        }
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        if (name.equals("podman")) {
            PodmanBaseline.environment(work, pb);
        }
        if (name.equals("crun")) {
            // crun refuses hybrid cgroup hosts while it sees the v2 mount: run it as AgentKernel does, without it
            List<String> wrapped = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                    "umount -l /sys/fs/cgroup/unified 2>/dev/null; exec \"$@\"", "sh"));
            wrapped.addAll(argv);
            pb.command(wrapped);
        }
        return pb;
    }

    private static List<String> describe(List<String> argv, Path rootfs, Path work) {
        return argv.stream().map(a -> a.replace(rootfs.toString(), "ROOTFS").replace(work.toString(), "WORK")).toList();
    }

    /** Memory use of the sandbox's cgroup (v1 or v2), if readable. */
    private static OptionalLong memoryOf(String id) {
        for (Path file : List.of(Path.of("/sys/fs/cgroup/memory/agentkernel", id, "memory.usage_in_bytes"),
                Path.of("/sys/fs/cgroup/agentkernel", id, "memory.current"))) {
            try {
                return OptionalLong.of(Long.parseLong(Files.readString(file).strip()));
            } catch (IOException | NumberFormatException e) {
                // the other layout
            }
        }
        return OptionalLong.empty();
    }

    /** Warm {@code POST /run} per backend through one daemon (default backend bwrap), interleaved. */
    private void warmRuns(Map<String, Result> results, String ref, Path work) throws Exception {
        HostContext host = host(work.resolve("daemon"));
        DaemonConfig config = DaemonConfig.defaults(new ServerConfig("127.0.0.1", 0, List.of(), 16L << 20))
                .withBackend(Optional.of("bwrap")).withPoolSize(1);
        config = config.withSessions(config.sessions().withPoolPerTemplate(0));
        try (Daemon daemon = Daemon.start(config, host);
             LeanHttpClient http = new LeanHttpClient("127.0.0.1", daemon.port())) {
            var pool = daemon.pool().orElseThrow(() -> new IllegalStateException("the daemon has no pool"));
            List<Variant> variants = new ArrayList<>();
            for (Result r : List.copyOf(results.values())) {
                if (r.skipped().isPresent()) {
                    continue;
                }
                String body = "{\"command\":[\"/bin/true\"],\"image\":\"" + ref + "\",\"fast\":true,\"backend\":\""
                        + r.backend() + "\"" + (r.backend().equals("gvisor") || r.backend().equals("docker")
                        ? ",\"profile\":\"restrictive\"" : "") + "}";
                ImageBench.requireRun(http.post("/run", body), "priming /run on " + r.backend());
                Variant warm = new Variant("`POST /run` on " + r.backend() + ", warm", "warm /run " + r.backend(), null,
                        () -> {
                            ImageBench.settle(pool, pauseMs);
                            long t0 = System.nanoTime();
                            LeanHttpClient.Response response = http.post("/run", body);
                            long elapsed = System.nanoTime() - t0;
                            ImageBench.requireRun(response, "warm /run on " + r.backend());
                            return elapsed;
                        });
                variants.add(warm);
                results.put(r.backend(), new Result(r.backend(), r.skipped(), r.raw(), r.ours(), warm, r.idleBytes(),
                        r.networked()));
            }
            StartupBench.interleave("warm /run", variants, runWarmup, runRounds, 0);
        }
    }

    private String markdown(ZonedDateTime date, Machine machine, String loadBefore, String loadAfter,
                            Map<String, Result> results) {
        StringBuilder md = new StringBuilder();
        md.append("## Backends side by side: start, warm /run, idle memory\n\n");
        md.append("- **Date:** ").append(date.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append('\n');
        md.append("- **Machine:** ").append(machine.summary()).append('\n');
        md.append("- **Load average (1/5/15 min):** ").append(loadBefore).append(" before, ").append(loadAfter)
                .append(" after\n");
        md.append("- **Reproduce (as root):** `scripts/bench.sh --only backends` (harness `dev.agentkernel.bench.BackendBench`)\n");
        md.append(String.format(Locale.ROOT, "- **Image:** the busybox image of the `images` section, pulled once "
                + "from a `docker-registry` on loopback; the baselines run on it flattened once.%n%n"));
        md.append(String.format(Locale.ROOT, "### Start: AgentKernel against each backend's own tool%n%n%d warm-up "
                + "rounds (dropped), then %d measured rounds per backend, the variants alternating, %d ms idle "
                + "before each; wall clock from spawning to the exit of `/bin/true`, clean-up included. AgentKernel's "
                + "sandbox is the moderate profile without network on the image (layers overlaid, writable layer, user "
                + "namespace, cgroup with limits, seccomp filter, the agent as exec shim); the baselines are the "
                + "runtimes' defaults from `runc spec` (no user namespace, no cgroup limits of ours, no seccomp filter "
                + "for crun/runsc); podman's is `podman run --rm` of the image in its own storage (overlay), with runc, cgroupfs and "
                + "explicit ulimits as AgentKernel runs it, its default user namespace (none) and seccomp profile; docker's is `docker run --rm --network none` of the same files imported into the "
                + "engine (a private `dockerd --userns-remap=default` unless `DOCKER_HOST` is set). A third variant, "
                + "interleaved with the two, is AgentKernel's sandbox with network (the moderate profile's: a veth pair on "
                + "the host bridge, routes, DNS; on docker the engine's namespace wired after the container runs, the agent "
                + "held at its gate until then), against the same baseline without network (gVisor has none here). "
                + "**Target:** p50 ≤ %.1f× the backend's own tool.%n%n", warmup, rounds, pauseMs,
                START_TARGET));
        List<Report.Row> rows = new ArrayList<>();
        for (Result r : results.values()) {
            if (r.skipped().isPresent()) {
                continue;
            }
            double base = r.raw().stats().p50();
            double ratio = r.ours().stats().p50() / base;
            rows.add(new Report.Row(r.raw(), s -> Report.ratio(s.p50() / base), "baseline"));
            rows.add(new Report.Row(r.ours(), s -> Report.ratio(s.p50() / base),
                    "≤ " + START_TARGET + "×: " + (ratio <= START_TARGET ? "**met**" : "**missed**")));
            if (r.networked() != null) {
                rows.add(new Report.Row(r.networked(), s -> Report.ratio(s.p50() / base), "— (the cost of network)"));
            }
        }
        md.append(Report.table("Variant (`/bin/true`)", "p50 / own tool p50", true, rows));
        List<Report.Row> runs = new ArrayList<>();
        for (Result r : results.values()) {
            if (r.warmRun() != null) {
                runs.add(new Report.Row(r.warmRun(), s -> "—", "— (reported)"));
            }
        }
        if (!runs.isEmpty()) {
            md.append(String.format(Locale.ROOT, "%n### Warm `POST /run` per backend%n%nOne daemon in this process "
                    + "(default backend bwrap, warm pool of one sandbox per image, profile and backend), the request "
                    + "naming the backend (gVisor and docker: restrictive profile, no network); the pool full again before each "
                    + "request; %d warm-up rounds, then %d measured, interleaved.%n%n", runWarmup, runRounds));
            md.append(Report.table("Request", "", false, runs));
        }
        md.append("\n### Idle persistent sandbox: memory of its cgroup two seconds after its agent started\n\n");
        if (results.containsKey("docker")) {
            md.append("docker: the container's cgroup is nested in the sandbox's and counted; the engine's processes "
                    + "per container outside it (its `containerd-shim`, the attached `docker run` client: about 13 and 25 MiB "
                    + "resident measured with `ps` on these machines) are not.\n\n");
        }
        md.append("| Backend | memory (MiB) |\n|---|---:|\n");
        for (Result r : results.values()) {
            md.append("| ").append(r.backend()).append(" | ").append(r.skipped().isPresent() ? "not measured: "
                    + r.skipped().get() : r.idleBytes().isPresent()
                    ? String.format(Locale.ROOT, "%.1f", r.idleBytes().getAsLong() / 1048576.0) : "unreadable")
                    .append(" |\n");
        }
        return md.toString();
    }
}
