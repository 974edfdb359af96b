package dev.agentkernel.bench;

import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.cgroup.CgroupDriver;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.image.HostImages;
import dev.agentkernel.core.image.ImageRoots;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.policy.RootResolver;
import dev.agentkernel.core.pool.PoolKey;
import dev.agentkernel.core.pool.PoolStats;
import dev.agentkernel.core.pool.WarmPool;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.core.seccomp.SeccompArch;
import dev.agentkernel.core.seccomp.SeccompFilterFile;
import dev.agentkernel.core.seccomp.SeccompPolicy;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.ImageServiceConfig;
import dev.agentkernel.image.PullEvent;
import dev.agentkernel.image.PullListener;
import dev.agentkernel.image.PullPolicy;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.server.Daemon;
import dev.agentkernel.server.DaemonConfig;
import dev.agentkernel.server.ServerConfig;
import dev.agentkernel.testing.LocalRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sandboxes on OCI images, measured against the obvious baselines in one run. Every image comes
 * from a {@code docker-registry} this harness starts on loopback ({@link LocalRegistry}), built
 * with umoci and pushed with skopeo ({@link BenchImages}):
 *
 * <ol>
 *   <li><b>start on a cached image</b>: {@link IsolationBackend#start} + {@code await()} of
 *       {@code /bin/true} on a small busybox image (layers overlaid by {@code ak-launch}) against
 *       raw {@code bwrap --bind ROOTFS /} on the same image flattened once by
 *       {@link ImageService#materialize}; round-robin, warm-up rounds dropped; target p50 ≤ 1.3×;</li>
 *   <li><b>pull</b> of a ~100 MB image of four layers into a fresh store
 *       ({@link ImageService#resolve}: download, verify, unpack) against {@code skopeo copy} of
 *       the same image into a fresh OCI layout (download and verify only), alternating; target
 *       ≤ 1.0× skopeo's wall time;</li>
 *   <li><b>shared layers</b>: the same image plus one small layer, pulled into the store that
 *       holds the first, downloads only its own layer (bytes from the {@link PullEvent}s);</li>
 *   <li><b>warm {@code POST /run}</b> on the busybox image through a daemon in this process with a
 *       warm pool (target p50 ≤ 5 ms), next to the cold path of the same request.</li>
 * </ol>
 *
 * <p>Prints Markdown and, with {@code --markdown FILE}, rewrites the section {@code images} of
 * that file. Run as root: {@code scripts/bench.sh --only images}. Everything it starts (registry,
 * daemon) is stopped and its temporary directory removed, also when it fails.
 */
public final class ImageBench {

    private static final String SECTION = "images";
    private static final CommandSpec TRUE = CommandSpec.of("/bin/true");
    private static final File DEV_NULL = new File("/dev/null");
    private static final Duration POOL_WAIT = Duration.ofSeconds(60);
    private static final double START_TARGET = 1.3;
    private static final double PULL_TARGET = 1.0;
    private static final double RUN_TARGET_MS = 5;
    private static final int EXTRA_LAYER_BYTES = 1 << 20;
    private static final String USAGE = """
            usage: ImageBench [options]   (normally: scripts/bench.sh --only images, as root)
              --warmup N        start: warm-up rounds (default 30)
              --rounds N        start: measured rounds (default 200)
              --pull-rounds N   pull: measured rounds of each (default 5, after 1 warm-up)
              --pull-mb N       pull: megabytes of host files in the layered image (default 100)
              --run-rounds N    warm POST /run: measured rounds (default 100, after 20 warm-up); 0 skips it
              --pause-ms N      idle time before every timed start (default 50, as StartupBench)
              --markdown FILE   rewrite the 'images' section of FILE (BENCHMARKS.md)
              --root DIR        project root (ignored; passed by scripts/bench.sh)""";

    private int warmup = 30;
    private int rounds = 200;
    private int pullWarmup = 1;
    private int pullRounds = 5;
    private int pullMb = 100;
    private int runWarmup = 20;
    private int runRounds = 100;
    private int pauseMs = 50;
    private Path markdown;

    private ImageBench() {
    }

    /** Entry point; see {@code --help}. */
    public static void main(String[] args) throws Exception {
        ImageBench bench = new ImageBench();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--warmup" -> bench.warmup = count(args, ++i, 0);
                    case "--rounds" -> bench.rounds = count(args, ++i, 1);
                    case "--pull-rounds" -> bench.pullRounds = count(args, ++i, 1);
                    case "--pull-mb" -> bench.pullMb = count(args, ++i, 4);
                    case "--run-rounds" -> bench.runRounds = count(args, ++i, 0);
                    case "--pause-ms" -> bench.pauseMs = count(args, ++i, 0);
                    case "--markdown" -> bench.markdown = Path.of(value(args, ++i)).toAbsolutePath().normalize();
                    case "--root", "--only" -> value(args, ++i);
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
        System.exit(0); // the backend's and daemon's helper threads are daemons, but wait for none
    }

    // ---------------------------------------------------------------- set-up and clean-up

    /** What the measurements share: the registry, the images in it and the host description. */
    private record Setup(Path work, LocalRegistry registry, String small, String big, String plus,
                         BenchImages.Built bigBuilt, BenchImages.Built plusBuilt, List<BenchImages.HostSlice> slices) {
    }

    private void run() throws Exception {
        Path work = Files.createTempDirectory("ak-imagebench-");
        List<AutoCloseable> started = new ArrayList<>();
        Thread cleanup = new Thread(() -> cleanUp(started, work)); // on SIGINT/SIGTERM too
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            System.err.println("bench: building the images in " + work + " (umoci, skopeo)...");
            long t0 = System.nanoTime();
            Path registryDir = Files.createDirectories(work.resolve("registry"));
            LocalRegistry registry = LocalRegistry.start(registryDir, Files.createDirectories(registryDir.resolve("storage")),
                    "registry", "");
            synchronized (started) {
                started.add(registry);
            }
            BenchImages builder = new BenchImages(work);
            builder.busybox("busybox");
            long mb = 1L << 20;
            List<BenchImages.HostSlice> slices = List.of(
                    new BenchImages.HostSlice(Path.of("/usr/lib/x86_64-linux-gnu"), pullMb * mb * 35 / 100),
                    new BenchImages.HostSlice(Path.of("/usr/bin"), pullMb * mb * 25 / 100),
                    new BenchImages.HostSlice(Path.of("/usr/lib/python3.11"), pullMb * mb * 25 / 100),
                    new BenchImages.HostSlice(Path.of("/usr/share"), pullMb * mb * 15 / 100));
            slices = slices.stream().filter(s -> Files.isDirectory(s.source())).toList();
            List<BenchImages.Built> layered = builder.layered("big", slices, "big-plus", EXTRA_LAYER_BYTES);
            Setup setup = new Setup(work, registry, builder.push("busybox", registry.host(), "bench/busybox:1"),
                    builder.push("big", registry.host(), "bench/big:1"),
                    builder.push("big-plus", registry.host(), "bench/big-plus:1"),
                    layered.get(0), layered.get(1), slices);
            System.err.printf(Locale.ROOT, "bench: images built and pushed in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            HostContext host = hostIn(work.resolve("host"));
            CgroupDriver.Detection detection = CgroupDriver.detect(Path.of("/sys/fs/cgroup"));
            if (detection.driver() == null) {
                throw new IllegalStateException("no usable cgroup driver: " + detection.availability());
            }
            if (!host.root()) {
                System.err.println("bench: not running as root: the bwrap backend needs writable cgroups");
            }
            String loadBefore = Machine.loadAverage();
            ZonedDateTime date = ZonedDateTime.now(ZoneOffset.UTC);
            StringBuilder md = new StringBuilder();
            Machine machine;
            try (ImageService images = HostImages.open(host);
                 IsolationBackend backend = BackendSelector.discover().open(Optional.of("bwrap"), host)) {
                StartResult start = start(setup, host, images, backend);
                machine = Machine.describe(start.bwrap(), detection.driver().describe());
                System.err.println("bench: " + machine.summary());
                PullResult pull = pull(setup);
                SharedResult shared = shared(setup);
                RunResult runs = runRounds > 0 ? warmRun(setup) : null;
                String loadAfter = Machine.loadAverage();
                markdown(md, date, machine, loadBefore, loadAfter, setup, start, pull, shared, runs);
            }
            System.out.println();
            System.out.println(md);
            if (markdown != null) {
                Report.updateSection(markdown, SECTION, md.toString());
                System.err.println("bench: updated section '" + SECTION + "' of " + markdown);
            }
        } finally {
            cleanUp(started, work);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs (and finds nothing left to do)
            }
        }
    }

    /** Stops what was started (last first) and removes the work directory; safe to call twice. */
    private static void cleanUp(List<AutoCloseable> started, Path work) {
        synchronized (started) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    System.err.println("bench: clean-up: " + e);
                }
            }
            started.clear();
        }
        removeTree(work);
    }

    private static HostContext hostIn(Path dir) throws IOException {
        return HostContext.current().withDirs(Files.createDirectories(dir.resolve("state")),
                Files.createDirectories(dir.resolve("runtime")));
    }

    // ---------------------------------------------------------------- 1. start on a cached image

    /** The start variants and what they ran on. */
    private record StartResult(Variant raw, Variant image, Variant host, Variant rawHost, int rawHostArgs, Path bwrap,
                               Image busybox, int layers) {
    }

    private StartResult start(Setup setup, HostContext host, ImageService images, IsolationBackend backend)
            throws Exception {
        Image busybox = images.resolve(setup.small(), PullPolicy.MISSING, PullListener.NONE); // cached from here on
        PolicyResolver resolver = new PolicyResolver(host, true, new ImageRoots(images, ImageRoots.dirOf(host.stateDir())));
        SandboxSpec onImage = resolver.resolve(SandboxRequest.defaults().withImage(setup.small())
                .withProfile(Profile.MODERATE).withNetwork(false));
        SandboxSpec onHost = resolver.resolve(SandboxRequest.defaults().withImage(RootFs.HOST)
                .withProfile(Profile.MODERATE).withNetwork(false));
        if (!(onImage.root() instanceof RootFs.Image root)) {
            throw new IllegalStateException("the spec is not on the image: " + onImage.root());
        }
        Path rootfs = setup.work().resolve("materialized");
        images.materialize(busybox, rootfs);
        Path bwrap = backend.commandLine(onHost, TRUE).map(argv -> Path.of(argv.getFirst()))
                .filter(p -> p.getFileName().toString().equals("bwrap")).orElse(Path.of("/usr/bin/bwrap"));
        ProcessBuilder rawPb = new ProcessBuilder(bwrap.toString(), "--bind", rootfs.toString(), "/", "--proc", "/proc",
                "--dev", "/dev", "--unshare-all", "--die-with-parent", "--", "/bin/true")
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        rawPb.environment().clear();
        rawPb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");

        Variant raw = new Variant("raw `bwrap --bind ROOTFS / --proc /proc --dev /dev --unshare-all --die-with-parent "
                + "-- /bin/true` on the image flattened once (`ImageService.materialize`)", "raw bwrap", null,
                () -> timeProcess(rawPb));
        Variant onImageVariant = new Variant("AgentKernel in process on the cached image (`start(…).await()`, "
                + "moderate, no network; " + root.layers().size() + (root.layers().size() == 1 ? " image layer" : " image layers")
                + " + its generated /etc layer overlaid by "
                + "`ak-launch`, writable upper layer)", "AgentKernel, image", null,
                () -> StartupBench.timeExecution(backend, onImage));
        Variant onHostVariant = new Variant("AgentKernel in process on the host's `/usr` (`--image host`; the "
                + "`inprocess` section's variant)", "AgentKernel, host", null, () -> StartupBench.timeExecution(backend, onHost));
        Path filter = SeccompFilterFile.ensure(host.stateDir().resolve("seccomp"), SeccompPolicy.defaults(),
                SeccompArch.current());
        List<String> hostArgv = backend.commandLine(onHost, TRUE).orElseThrow(
                () -> new IllegalStateException("the bwrap backend did not describe its command line"));
        ProcessBuilder rawHostPb = RawBwrap.process(hostArgv, filter).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Variant rawHost = new Variant("raw bwrap with AgentKernel's own " + (hostArgv.size() - 1) + " arguments on the "
                + "host's `/usr` and its seccomp filter (`sh -c 'exec \"$@\" 3<filter' sh bwrap …`, no cgroup; the "
                + "`inprocess` section's baseline)", "raw bwrap, AgentKernel's flags", null, () -> timeProcess(rawHostPb));
        List<Variant> variants = List.of(raw, onImageVariant, onHostVariant, rawHost);
        try (RootResolver.Lease lease = resolver.lease(onImage, "image bench")) {
            StartupBench.interleave("start", variants, warmup, rounds, pauseMs);
        }
        for (Variant v : variants) {
            if (v.stats().n() == 0) {
                throw new IllegalStateException(v.name + ": every round failed: " + v.lastError());
            }
        }
        return new StartResult(raw, onImageVariant, onHostVariant, rawHost, hostArgv.size() - 1, bwrap, busybox,
                root.layers().size());
    }

    // ---------------------------------------------------------------- 2. pull vs skopeo copy

    /** The pull variants, and the image as pulled. */
    private record PullResult(Variant ours, Variant skopeo, Variant unpacked, Image image, long fetchedPerPull) {
    }

    private PullResult pull(Setup setup) throws Exception {
        Path scratch = Files.createDirectories(setup.work().resolve("pulls"));
        // Every round's directories are removed after the last round, not between rounds: removing the ~6,000
        // files of a store (and of umoci's tree) made the next round's file creations several times slower on
        // an ext4 without a journal (the kernel scans past the inodes freed in the last minute), for every variant.
        List<Path> written = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger sequence = new AtomicInteger();
        AtomicLong fetched = new AtomicLong();
        Image[] image = new Image[1];
        Variant ours = new Variant("AgentKernel `ImageService.resolve(ref, ALWAYS)` into an empty store (download, "
                + "verify, unpack every layer)", "AgentKernel pull", null, () -> {
                    Path store = scratch.resolve("store-" + sequence.incrementAndGet());
                    AtomicLong bytes = new AtomicLong();
                    PullListener listener = e -> {
                        if (e instanceof PullEvent.LayerDone done) {
                            bytes.addAndGet(done.bytesFetched());
                        }
                    };
                    try {
                        quiesce();
                        long t0 = System.nanoTime();
                        long elapsed;
                        try (ImageService images = ImageService.open(ImageServiceConfig.defaults(store)
                                .withDockerConfig(null))) {
                            image[0] = images.resolve(setup.big(), PullPolicy.ALWAYS, listener);
                            elapsed = System.nanoTime() - t0;
                        }
                        if (bytes.get() != image[0].size()) {
                            throw new IllegalStateException("fetched " + bytes.get() + " bytes of an image of "
                                    + image[0].size() + ": not a full pull");
                        }
                        fetched.set(bytes.get());
                        return elapsed;
                    } finally {
                        written.add(store);
                    }
                });
        Variant skopeo = new Variant("`skopeo copy --src-tls-verify=false docker://REF oci:EMPTY_DIR:t` (download and "
                + "verify only: an OCI layout of the compressed blobs, nothing unpacked)", "skopeo copy", null, () -> {
                    Path layout = scratch.resolve("skopeo-" + sequence.incrementAndGet());
                    ProcessBuilder pb = new ProcessBuilder("skopeo", "copy", "--quiet", "--src-tls-verify=false",
                            "docker://" + setup.big(), "oci:" + layout + ":t")
                            .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD);
                    try {
                        quiesce();
                        return timeProcess(pb);
                    } finally {
                        written.add(layout);
                    }
                });
        Variant unpacked = new Variant("the same `skopeo copy`, then `umoci raw unpack --image DIR:t ROOTFS` (download, "
                + "verify and unpack, like AgentKernel; umoci flattens the layers into one tree)", "skopeo + umoci", null,
                () -> {
                    Path layout = scratch.resolve("skopeo-" + sequence.incrementAndGet());
                    Path rootfs = scratch.resolve("rootfs-" + sequence.get());
                    ProcessBuilder copy = new ProcessBuilder("skopeo", "copy", "--quiet", "--src-tls-verify=false",
                            "docker://" + setup.big(), "oci:" + layout + ":t");
                    ProcessBuilder unpack = new ProcessBuilder("umoci", "raw", "unpack", "--image", layout + ":t",
                            rootfs.toString());
                    for (ProcessBuilder pb : List.of(copy, unpack)) {
                        pb.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                .redirectError(ProcessBuilder.Redirect.DISCARD);
                    }
                    try {
                        quiesce();
                        long t0 = System.nanoTime();
                        timeProcess(copy);
                        timeProcess(unpack);
                        return System.nanoTime() - t0;
                    } finally {
                        written.add(layout);
                        written.add(rootfs);
                    }
                });
        // Pulls take seconds: no pause needed beyond quiesce(), which flushes the previous round's writes.
        try {
            StartupBench.interleave("pull", List.of(ours, skopeo, unpacked), pullWarmup, pullRounds, 0);
        } finally {
            written.forEach(ImageBench::removeTree);
        }
        if (image[0] == null) {
            throw new IllegalStateException("no pull succeeded: " + ours.lastError());
        }
        return new PullResult(ours, skopeo, unpacked, image[0], fetched.get());
    }

    /** Flushes dirty pages (the previous round's files and deletions) and settles a moment, untimed. */
    private static void quiesce() throws InterruptedException {
        BenchImages.run(List.of("sync"));
        Thread.sleep(500);
    }

    // ---------------------------------------------------------------- 3. shared layers

    /**
     * What pulling the extended image into a store holding the base one did.
     *
     * @param plus          the extended image as stored
     * @param fetched       bytes downloaded (layer blobs) by that pull
     * @param downloaded    layers it downloaded
     * @param alreadyStored layers it found stored
     * @param nanos         how long that pull took
     * @param baseFetched   bytes downloaded by the first pull (the base image into the empty store)
     */
    private record SharedResult(Image plus, long fetched, int downloaded, int alreadyStored, long nanos,
                                long baseFetched) {
    }

    private SharedResult shared(Setup setup) throws Exception {
        Path store = setup.work().resolve("shared-store");
        try (ImageService images = ImageService.open(ImageServiceConfig.defaults(store).withDockerConfig(null))) {
            AtomicLong baseBytes = new AtomicLong();
            images.resolve(setup.big(), PullPolicy.MISSING, e -> {
                if (e instanceof PullEvent.LayerDone done) {
                    baseBytes.addAndGet(done.bytesFetched());
                }
            });
            AtomicLong bytes = new AtomicLong();
            AtomicInteger downloaded = new AtomicInteger();
            AtomicInteger stored = new AtomicInteger();
            quiesce();
            long t0 = System.nanoTime();
            Image plus = images.resolve(setup.plus(), PullPolicy.MISSING, e -> {
                if (e instanceof PullEvent.LayerDone done) {
                    bytes.addAndGet(done.bytesFetched());
                    (done.alreadyStored() ? stored : downloaded).incrementAndGet();
                }
            });
            long nanos = System.nanoTime() - t0;
            return new SharedResult(plus, bytes.get(), downloaded.get(), stored.get(), nanos, baseBytes.get());
        } finally {
            removeTree(store);
        }
    }

    // ---------------------------------------------------------------- 4. warm POST /run on an image

    /** The {@code POST /run} variants and the pool size they ran with. */
    private record RunResult(Variant warm, Variant cold, int poolSize) {
    }

    private RunResult warmRun(Setup setup) throws Exception {
        HostContext dirs = hostIn(setup.work().resolve("daemon"));
        // The image is the daemon's default too: the pool warms its key from the start (and no other image is pulled).
        Map<String, String> env = new HashMap<>(dirs.env());
        env.put(PolicyResolver.DEFAULT_IMAGE_ENV, setup.small());
        HostContext host = new HostContext(dirs.stateDir(), dirs.runtimeDir(), dirs.root(), dirs.cpus(), env);
        int poolSize = 1;
        DaemonConfig config = DaemonConfig.defaults(new ServerConfig("127.0.0.1", 0, List.of(), 16L << 20))
                .withBackend(Optional.of("bwrap")).withPoolSize(poolSize);
        config = config.withSessions(config.sessions().withPoolPerTemplate(0)); // no interpreter pools: not measured
        String warmBody = "{\"command\":[\"/bin/true\"],\"image\":\"" + setup.small() + "\",\"fast\":true}";
        String coldBody = "{\"command\":[\"/bin/true\"],\"image\":\"" + setup.small() + "\",\"fast\":false}";
        try (Daemon daemon = Daemon.start(config, host);
             LeanHttpClient http = new LeanHttpClient("127.0.0.1", daemon.port())) {
            WarmPool<PoolKey, AgentSandbox> pool = daemon.pool()
                    .orElseThrow(() -> new IllegalStateException("the daemon has no pool"));
            // The first request pulls the image into the daemon's store and makes the pool keep its key warm.
            requireRun(http.post("/run", warmBody), "priming /run");
            Variant warm = new Variant("`POST /run` `{\"command\":[\"/bin/true\"],\"image\":…,\"fast\":true}`, warm "
                    + "(pool full again before each request; minimal keep-alive HTTP/1.1 client)", "warm /run", null,
                    () -> {
                        settle(pool, pauseMs);
                        long served = pool.stats().served();
                        long t0 = System.nanoTime();
                        LeanHttpClient.Response r = http.post("/run", warmBody);
                        long elapsed = System.nanoTime() - t0;
                        requireRun(r, "warm /run");
                        if (pool.stats().served() != served + 1) {
                            throw new IllegalStateException("warm /run was not served from the pool");
                        }
                        return elapsed;
                    });
            Variant cold = new Variant("`POST /run` same request with `\"fast\": false` (cold: a new sandbox on the "
                    + "cached image, no pool)", "cold /run", null, () -> {
                        settle(pool, pauseMs);
                        long t0 = System.nanoTime();
                        LeanHttpClient.Response r = http.post("/run", coldBody);
                        long elapsed = System.nanoTime() - t0;
                        requireRun(r, "cold /run");
                        return elapsed;
                    });
            StartupBench.interleave("run", List.of(warm, cold), runWarmup, runRounds, 0);
            return new RunResult(warm, cold, poolSize);
        }
    }

    /**
     * Waits until every key of the pool has its sandboxes ready (not merely in use: a sandbox that
     * served the last request counts as in use until it is discarded and replaced), then idles.
     */
    static void settle(WarmPool<PoolKey, AgentSandbox> pool, int pauseMs) throws InterruptedException {
        long deadline = System.nanoTime() + POOL_WAIT.toNanos();
        while (true) {
            PoolStats<PoolKey> stats = pool.stats();
            if (stats.keys().stream().allMatch(k -> k.ready() >= stats.targetPerKey() && k.starting() == 0)) {
                break;
            }
            if (System.nanoTime() > deadline) {
                System.err.println("bench: warning: the pool did not fill within " + POOL_WAIT.toSeconds() + " s: "
                        + stats);
                break;
            }
            Thread.sleep(5);
        }
        if (pauseMs > 0) {
            Thread.sleep(pauseMs);
        }
    }

    static void requireRun(LeanHttpClient.Response r, String what) {
        if (r.status() != 200 || !r.text().contains("\"exit_code\":0")) {
            throw new IllegalStateException(what + ": " + r.status() + " " + r.text());
        }
    }

    // ---------------------------------------------------------------- running

    private static long timeProcess(ProcessBuilder pb) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(pb.command().getFirst() + ": no exit within 10 minutes");
        }
        long elapsed = System.nanoTime() - t0;
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", pb.command()) + ": exit code " + p.exitValue());
        }
        return elapsed;
    }

    static void removeTree(Path dir) {
        if (Files.exists(dir)) {
            try {
                BenchImages.run(List.of("rm", "-rf", "--one-file-system", dir.toString()));
            } catch (RuntimeException e) {
                System.err.println("bench: could not remove " + dir + ": " + e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- report

    private void markdown(StringBuilder md, ZonedDateTime date, Machine machine, String loadBefore, String loadAfter,
                          Setup setup, StartResult start, PullResult pull, SharedResult shared, RunResult runs) {
        md.append("## Images: start on a cached image, pull, shared layers\n\n");
        md.append("- **Date:** ").append(date.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append('\n');
        md.append("- **Machine:** ").append(machine.summary()).append('\n');
        md.append("- **Load average (1/5/15 min):** ").append(loadBefore).append(" before, ").append(loadAfter)
                .append(" after\n");
        md.append("- **Reproduce (as root):** `").append(reproduce()).append("` (harness `dev.agentkernel.bench.ImageBench`)\n");
        md.append(String.format(Locale.ROOT, "- **Images:** built by the harness with `umoci` (one `umoci repack` per "
                        + "layer) and pushed with `skopeo` to a `docker-registry` it starts on 127.0.0.1 (plain HTTP, same "
                        + "machine, so the network is loopback): `busybox` (%d layer: the host's static `/bin/busybox` "
                        + "and applet links, %s MB compressed), `big` (%d layers of host files, %s MB: %s; %s MB as gzip blobs), "
                        + "`big-plus` (`big` + one layer of %s MiB of random data).%n%n",
                start.layers(), mb(start.busybox().size()), setup.bigBuilt().layers(),
                mb(setup.bigBuilt().contentBytes()), slices(setup.slices()), mb(pull.image().size()),
                EXTRA_LAYER_BYTES >> 20));

        md.append("### Start on a cached image vs raw bubblewrap on the same root file system\n\n");
        md.append(String.format(Locale.ROOT, "%d warm-up rounds (dropped), then %d measured rounds; each round runs "
                + "every variant once, round-robin, starting one variant later each round; %d ms idle before every "
                + "timed run (as in the `inprocess` section). Wall-clock time from spawning to the exit of "
                + "`/bin/true`; for AgentKernel from `start` until `await()` returns, clean-up included (cgroup, "
                + "overlay, writable layer). The raw bwrap root is the same image flattened once before measuring; it "
                + "has no seccomp filter, cgroup, overlay or writable layer of its own. Nearest-rank percentiles. "
                + "**Target:** AgentKernel on the cached image p50 ≤ %.1f× raw bwrap p50.%n%n",
                warmup, rounds, pauseMs, START_TARGET));
        double base = start.raw().stats().p50();
        Stats img = start.image().stats();
        String target = "≤ " + START_TARGET + "×: " + (img.n() == 0 ? "no data"
                : img.p50() / base <= START_TARGET ? "**met**" : "**missed**");
        md.append(Report.table("Variant (`/bin/true`)", "p50 / raw bwrap p50", true, List.of(
                new Report.Row(start.raw(), s -> Report.ratio(s.p50() / base), "baseline"),
                new Report.Row(start.image(), s -> Report.ratio(s.p50() / base), target),
                new Report.Row(start.host(), s -> Report.ratio(s.p50() / base), "— (reported only)"),
                new Report.Row(start.rawHost(), s -> Report.ratio(s.p50() / base), "— (reported only)"))));
        md.append(String.format(Locale.ROOT, "%nAt p50, the image costs AgentKernel %s against the same start on the "
                        + "host's `/usr`, and AgentKernel on the image is %s raw bwrap with AgentKernel's own flags "
                        + "(seccomp filter, %d arguments) on the host's `/usr`.%n",
                Report.delta(img.p50() - start.host().stats().p50()),
                Report.ratio(img.p50() / start.rawHost().stats().p50()), start.rawHostArgs()));

        md.append("\n### Pull of the ~").append(pullMb).append(" MB image vs `skopeo copy`\n\n");
        md.append(String.format(Locale.ROOT, "`big` (%d layers, %s MB compressed) pulled from the local registry "
                        + "into a new, empty directory every round, alternating which goes first; %d warm-up round "
                        + "(dropped), %d measured. Every AgentKernel round downloaded all %s MB (the `LayerDone` events' "
                        + "bytes). Untimed between rounds: `sync` flushes the writes; every round's directory is removed after the last round (removing ~6,000 files between rounds slowed the next round's file creations on this ext4 disk without a journal, for every variant). "
                        + "AgentKernel's time includes opening the store; skopeo's includes its process start. "
                        + "**skopeo does not unpack**: it stores the compressed blobs as an OCI layout, while "
                        + "AgentKernel downloads, verifies and unpacks every layer into a directory ready to be "
                        + "overlaid. **Target:** AgentKernel's wall time ≤ %.1f× skopeo's (p50).%n%n",
                pull.image().layers().size(), mb(pull.image().size()), pullWarmup, pullRounds, mb(pull.fetchedPerPull()),
                PULL_TARGET));
        Stats skopeo = pull.skopeo().stats();
        Stats ours = pull.ours().stats();
        md.append("| Variant | n | p50 (s) | min (s) | max (s) | p50 / skopeo p50 | Target |\n");
        md.append("|---|---:|---:|---:|---:|---:|---|\n");
        pullRow(md, pull.skopeo(), skopeo.p50(), "baseline");
        pullRow(md, pull.ours(), skopeo.p50(), "≤ " + PULL_TARGET + "×: " + (ours.n() == 0 || skopeo.n() == 0
                ? "no data" : ours.p50() / skopeo.p50() <= PULL_TARGET ? "**met**" : "**missed**"));
        pullRow(md, pull.unpacked(), skopeo.p50(), "— (reported only)");
        md.append(String.format(Locale.ROOT, "%nAgentKernel's pull against the same work done by the tools (`skopeo "
                + "copy` + `umoci raw unpack`): %s at p50.%n", Report.ratio(ours.p50() / pull.unpacked().stats().p50())));

        md.append("\n### A second image sharing the base layers\n\n");
        md.append(String.format(Locale.ROOT, "`big` pulled into an empty store (%s bytes downloaded), then `big-plus` "
                + "(`big` + one layer) pulled into the same store: bytes of layer blobs downloaded, summed from the "
                + "pull's `PullEvent.LayerDone` events (manifest and config, a few KB, not counted).%n%n",
                String.format(Locale.ROOT, "%,d", shared.baseFetched())));
        md.append("| | layers | bytes (compressed) |\n|---|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| `big-plus`, whole image | %d | %,d |%n", shared.plus().layers().size(),
                shared.plus().size()));
        md.append(String.format(Locale.ROOT, "| downloaded by its pull into the store holding `big` (%.0f ms) | %d | %,d "
                        + "(%.2f %% of the image) |%n", shared.nanos() / 1e6, shared.downloaded(), shared.fetched(),
                100.0 * shared.fetched() / shared.plus().size()));
        md.append(String.format(Locale.ROOT, "| found already stored (`alreadyStored`) | %d | 0 |%n", shared.alreadyStored()));

        md.append("\n### Warm `POST /run` on an image\n\n");
        if (runs == null) {
            md.append("Not measured in this run (`--run-rounds 0`).\n");
        } else {
            md.append(String.format(Locale.ROOT, "A daemon in this process (bwrap backend, warm pool of %d per key, "
                    + "its own state directory and image store, `busybox` also its default image; an untimed first "
                    + "request pulled it and made the pool keep its key warm). %d warm-up rounds (dropped), then %d measured, alternating; before "
                    + "every request the pool is full again and the machine idles %d ms. Client-side wall time of the "
                    + "request on a keep-alive connection. **Target:** warm p50 ≤ %.0f ms.%n%n",
                    runs.poolSize(), runWarmup, runRounds, pauseMs, RUN_TARGET_MS));
            Stats w = runs.warm().stats();
            String runTarget = "p50 ≤ " + (int) RUN_TARGET_MS + " ms: " + (w.n() == 0 ? "no data"
                    : w.p50() <= RUN_TARGET_MS ? "**met**" : "**missed**");
            double warmBase = w.p50();
            md.append(Report.table("Variant", "p50 / warm p50", true, List.of(
                    new Report.Row(runs.warm(), s -> Report.ratio(s.p50() / warmBase), runTarget),
                    new Report.Row(runs.cold(), s -> Report.ratio(s.p50() / warmBase), "— (reported only)"))));
        }
    }

    private static void pullRow(StringBuilder md, Variant v, double base, String target) {
        Stats s = v.stats();
        String n = Integer.toString(s.n()) + (v.failures() > 0 ? " (" + v.failures() + " failed)" : "");
        md.append("| ").append(v.name).append(" | ").append(n).append(" | ").append(seconds(s.p50())).append(" | ")
                .append(seconds(s.min())).append(" | ").append(seconds(s.max())).append(" | ")
                .append(s.n() == 0 ? "—" : Report.ratio(s.p50() / base)).append(" | ").append(target).append(" |\n");
    }

    private String reproduce() {
        return String.format(Locale.ROOT, "scripts/bench.sh --only images --warmup %d --rounds %d --pull-rounds %d "
                + "--pull-mb %d --run-rounds %d --pause-ms %d", warmup, rounds, pullRounds, pullMb, runRounds, pauseMs);
    }

    private static String slices(List<BenchImages.HostSlice> slices) {
        List<String> parts = new ArrayList<>();
        for (BenchImages.HostSlice s : slices) {
            parts.add("`" + s.source() + "`");
        }
        return "one each from " + String.join(", ", parts);
    }

    private static String seconds(double ms) {
        return Double.isNaN(ms) ? "—" : String.format(Locale.ROOT, "%.2f", ms / 1000);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }

    static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    static int count(String[] args, int i, int min) {
        String text = value(args, i);
        try {
            int n = Integer.parseInt(text);
            if (n < min) {
                throw new IllegalArgumentException(args[i - 1] + " must be at least " + min);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + " takes a number, not " + text);
        }
    }
}
