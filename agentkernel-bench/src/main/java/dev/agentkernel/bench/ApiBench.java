package dev.agentkernel.bench;

import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.cgroup.CgroupDriver;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.pool.PoolKey;
import dev.agentkernel.core.pool.WarmPool;
import dev.agentkernel.core.process.SupervisedExecution;
import dev.agentkernel.core.run.RunListener;
import dev.agentkernel.core.run.RunOutcome;
import dev.agentkernel.core.run.RunRequest;
import dev.agentkernel.core.run.RunService;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.core.seccomp.SeccompArch;
import dev.agentkernel.core.seccomp.SeccompFilterFile;
import dev.agentkernel.core.seccomp.SeccompPolicy;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import dev.agentkernel.server.Daemon;
import dev.agentkernel.server.DaemonConfig;
import dev.agentkernel.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The HTTP API's latency and throughput next to raw bubblewrap, measured in one run against a
 * real daemon ({@link Daemon}: bwrap backend, SQLite state, warm pool, Helidon) started in
 * this JVM on a free loopback port, over private state and runtime directories.
 *
 * <p><b>Latency.</b> {@code POST /run} of {@code {"command":["echo","hi"]}} from one JDK
 * {@code HttpClient} (HTTP/1.1, keep-alive), sequentially: with {@code "fast": true} served
 * by a warm pool that is full again before each request, with {@code "fast": false} (the
 * cold path: a new sandbox per request), and raw {@code bwrap … echo hi} with AgentKernel's
 * own isolation flags as the baseline. The variants (and optional in-process breakdown rows
 * that split the warm and cold paths into parts) run round-robin, starting one variant later
 * each round, so they see the same machine state; warm-up rounds are dropped. Then the same
 * {@code fast} request back to back with no pause, with the pool's served/missed counts.
 *
 * <p><b>Throughput.</b> {@code POST /batch/run} with N {@code echo} commands (each in its own
 * fresh sandbox), repeated; many concurrent {@code /run} clients; and the same number of raw
 * bwrap runs from as many threads as the machine's ceiling.
 *
 * <p>Every response is checked ({@code success}, {@code exit_code} 0, output {@code "hi\n"});
 * wrong ones are counted as errors, never timed. Prints Markdown and, with
 * {@code --markdown FILE}, rewrites the {@code api} section of that file. Needs root like the
 * bwrap backend. Options: {@code --help}.
 */
public final class ApiBench {

    /** How the backend connects sandboxes with network, as the report names it. */
    private String network = "network";


    static final CommandSpec ECHO = CommandSpec.of("echo", "hi");
    static final double WARM_P50_TARGET_MS = 5;
    static final double WARM_P99_TARGET_MS = 20;
    static final double RUNS_PER_SECOND_TARGET = 100;
    private static final Duration POOL_WAIT = Duration.ofSeconds(60);
    private static final long TIMEOUT_SECONDS = 60;
    private static final Pattern BATCH_CAP = Pattern.compile("at most (\\d+) commands");

    private final ApiOptions options;
    private WarmPool<PoolKey, AgentSandbox> pool;
    private ApiClient client;
    private int port;
    /** True while measured (not warm-up) rounds run: side samples are kept only then. */
    private boolean measuring;
    /** A variant that took a sandbox from the pool ran last: the next wait for the pool is a refill. */
    private boolean refillPending;
    private final Samples refill = new Samples();
    private final Samples serverWarm = new Samples();
    private final Samples serverCold = new Samples();

    private ApiBench(ApiOptions options) {
        this.options = options;
    }

    /** Entry point; see {@code --help}. */
    public static void main(String[] args) throws Exception {
        ApiOptions options;
        try {
            options = ApiOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(ApiOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(ApiOptions.USAGE);
            return;
        }
        new ApiBench(options).run();
        System.exit(0);
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("ak-apibench-");
        try {
            Path state = Files.createDirectories(dir.resolve("state"));
            Path runtime = Files.createDirectories(dir.resolve("runtime"));
            HostContext host = HostContext.current().withDirs(state, runtime);
            if (!host.root()) {
                System.err.println("bench: not running as root: the bwrap backend needs writable cgroups");
            }
            CgroupDriver.Detection detection = CgroupDriver.detect(Path.of("/sys/fs/cgroup"));
            if (detection.driver() == null) {
                throw new IllegalStateException("no usable cgroup driver: " + detection.availability());
            }
            try (IsolationBackend backend = BackendSelector.discover().open(Optional.of("bwrap"), host)) {
                PolicyResolver resolver = new PolicyResolver(host);
                SandboxSpec runSpec = resolver.resolve(SandboxRequest.defaults()); // what /run resolves echo to
                SandboxSpec noNet = resolver.resolve(SandboxRequest.defaults().withNetwork(false));
                Path filter = SeccompFilterFile.ensure(host.stateDir().resolve("seccomp"), SeccompPolicy.defaults(),
                        SeccompArch.current());
                List<String> rawArgv = backend.commandLine(noNet, ECHO).orElseThrow(
                        () -> new IllegalStateException("the bwrap backend did not describe its command line"));
                network = backend.commandLine(runSpec, ECHO).map(ApiBench::networkName).orElse("network");
                Machine machine = Machine.describe(Path.of(rawArgv.getFirst()), detection.driver().describe());
                System.err.println("bench: " + machine.summary());

                DaemonConfig config = DaemonConfig.defaults(new ServerConfig("127.0.0.1", 0, List.of(), 16L << 20))
                        .withBackend(Optional.of("bwrap")).withPoolSize(options.poolSize);
                long t0 = System.nanoTime();
                try (Daemon daemon = Daemon.start(config, host)) {
                    long started = System.nanoTime();
                    pool = daemon.pool().orElseThrow(() -> new IllegalStateException("the daemon has no pool"));
                    if (!pool.awaitWarm(POOL_WAIT)) {
                        throw new IllegalStateException("the warm pool did not fill within " + POOL_WAIT.toSeconds()
                                + " s: " + pool.stats());
                    }
                    long warm = System.nanoTime();
                    System.err.printf(Locale.ROOT, "bench: daemon on port %d in %.0f ms, pool of %d full %.0f ms later%n",
                            daemon.port(), (started - t0) / 1e6, options.poolSize, (warm - started) / 1e6);
                    port = daemon.port();
                    client = new ApiClient(port);
                    ApiReport report = new ApiReport(options, machine, config, runSpec, rawArgv.size() - 1, network);
                    report.loadBefore = Machine.loadAverage();
                    report.date = ZonedDateTime.now(ZoneOffset.UTC);
                    latency(report, host, resolver, daemon.runs(), backend, runSpec, noNet, filter, rawArgv);
                    backToBack(report);
                    throughput(report, filter, rawArgv);
                    report.loadAfter = Machine.loadAverage();
                    String markdown = report.markdown();
                    System.out.println();
                    System.out.println(markdown);
                    if (options.markdown != null) {
                        Report.updateSection(options.markdown, "api", markdown);
                        System.err.println("bench: updated section 'api' of " + options.markdown);
                    }
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    // ---------------------------------------------------------------- latency

    /** A variant and how many measured rounds it runs in (spread evenly over all rounds). */
    record Scheduled(Variant variant, int rounds, boolean takesFromPool) {
    }

    private void latency(ApiReport report, HostContext host, PolicyResolver resolver, RunService runs,
                         IsolationBackend backend, SandboxSpec runSpec, SandboxSpec noNet, Path filter,
                         List<String> rawArgv) throws Exception {
        String warmBody = ApiClient.runBody(true);
        String coldBody = ApiClient.runBody(false);
        // The key RunService takes from: bwrap ignores images, so it keys on the profile alone.
        PoolKey key = PoolKey.of(runSpec);
        ProcessBuilder rawPb = RawBwrap.process(rawArgv, filter);

        Variant raw = new Variant("raw bwrap `echo hi` from Java (`sh -c 'exec \"$@\" 3<filter' sh bwrap …`; "
                + "no cgroup, no network)", "raw bwrap", null, traced("raw", () -> timeRaw(rawPb)));
        Variant warm = new Variant("`POST /run` `\"fast\": true`, warm (pool full again before each request)",
                "warm /run", null, traced("warm", () -> {
                    long served = pool.stats().served();
                    ApiClient.Run r = client.run(warmBody);
                    requireServed(served, "/run");
                    if (measuring) {
                        serverWarm.add(r.serverMillis() * 1_000_000);
                    }
                    return r.nanos();
                }));
        LeanHttpClient lean = new LeanHttpClient("127.0.0.1", port);
        Variant warmLean = new Variant("`POST /run` `\"fast\": true`, warm, minimal HTTP/1.1 client (one keep-alive "
                + "socket, like curl; no JDK `HttpClient`)", "warm /run, lean client", null, traced("warmLean", () -> {
                    long served = pool.stats().served();
                    long t0 = System.nanoTime();
                    LeanHttpClient.Response r = lean.post("/run", warmBody);
                    long elapsed = System.nanoTime() - t0;
                    if (r.status() != 200 || !r.text().contains("\"output\":\"hi\\n\"") || !r.text().contains("\"exit_code\":0")) {
                        throw new ApiClient.BadResponse("/run (lean client): " + r.status() + " " + r.text());
                    }
                    requireServed(served, "/run (lean client)");
                    return elapsed;
                }));
        Variant cold = new Variant("`POST /run` `\"fast\": false` (cold: new sandbox with network, " + network + ")",
                "cold /run", null, traced("cold", () -> {
                    ApiClient.Run r = client.run(coldBody);
                    if (measuring) {
                        serverCold.add(r.serverMillis() * 1_000_000);
                    }
                    return r.nanos();
                }));
        List<Scheduled> schedule = new ArrayList<>(List.of(
                new Scheduled(raw, options.rounds, false),
                new Scheduled(warm, options.rounds, true),
                new Scheduled(warmLean, options.rounds, true),
                new Scheduled(cold, options.coldRounds, false)));
        report.raw = raw;
        report.warm = warm;
        report.warmLean = warmLean;
        report.cold = cold;

        if (options.breakdown) {
            Variant health = new Variant("`GET /health` on the same connection (HTTP round trip, no work)",
                    "`GET /health`", null, traced("health", client::health));
            Variant refused = new Variant("`POST /run` of an empty command, refused with 400 (body read and JSON "
                    + "parsed, no sandbox)", "refused `POST /run`", health, traced("refused", client::refusedRun));
            Variant contended = new Variant("`GET /health` right after an in-process warm run (while the pool "
                    + "tears the used sandbox down and starts its replacement)", "`GET /health` after a warm run",
                    health, traced("contended", () -> {
                        long served = pool.stats().served();
                        Captured out = new Captured();
                        RunOutcome outcome = runs.run(RunRequest.of(ECHO.argv()), out, () -> false);
                        requireServed(served, "RunService.run");
                        out.require(outcome.termination());
                        return client.health();
                    }));
            Variant inWarm = new Variant("`RunService.run`, `fast`, in process (no HTTP, no JSON)",
                    "in-process warm run", warm, traced("inWarm", () -> {
                        long served = pool.stats().served();
                        long t0 = System.nanoTime();
                        Captured out = new Captured();
                        RunOutcome outcome = runs.run(RunRequest.of(ECHO.argv()), out, () -> false);
                        long elapsed = System.nanoTime() - t0;
                        requireServed(served, "RunService.run");
                        out.require(outcome.termination());
                        return elapsed;
                    }));
            Variant agent = new Variant("`AgentSandbox.run(echo hi)` on a sandbox taken from the pool "
                    + "(the agent's exec round trip only)", "agent exec", inWarm, traced("agent", () -> {
                        AgentSandbox box = pool.take(key).orElseThrow(
                                () -> new IllegalStateException("the pool had no sandbox ready"));
                        try {
                            Captured out = new Captured();
                            long t0 = System.nanoTime();
                            Termination end = box.run(ECHO, out, () -> false, SupervisedExecution.DEFAULT_GRACE);
                            long elapsed = System.nanoTime() - t0;
                            out.require(end);
                            return elapsed;
                        } finally {
                            pool.discard(box);
                        }
                    }));
            Variant inCold = new Variant("`RunService.run`, not `fast`, in process (no HTTP, no JSON)",
                    "in-process cold run", cold, traced("inCold", () -> {
                        long t0 = System.nanoTime();
                        Captured out = new Captured();
                        RunOutcome outcome = runs.run(RunRequest.of(ECHO.argv()).withFast(false), out, () -> false);
                        long elapsed = System.nanoTime() - t0;
                        out.require(outcome.termination());
                        return elapsed;
                    }));
            Variant startNet = new Variant("`IsolationBackend.start(echo hi).await()`, network (" + network + "), "
                    + "the spec `/run` resolves to", "backend start, network", inCold,
                    traced("startNet", () -> timeExecution(backend, runSpec)));
            Variant startNoNet = new Variant("`IsolationBackend.start(echo hi).await()`, no network",
                    "backend start, no network", startNet, traced("startNoNet", () -> timeExecution(backend, noNet)));
            SandboxSpec poolSpec = resolver.resolve(SandboxRequest.defaults().withProfile(runSpec.profile()));
            Variant launch = new Variant("`AgentSandbox.launch` of the pool's spec until its agent answers (what "
                    + "one pool refill costs; closed untimed)", "agent sandbox start", startNet,
                    traced("launch", () -> {
                        long t0 = System.nanoTime();
                        AgentSandbox box = AgentSandbox.launch(backend, poolSpec);
                        long elapsed = System.nanoTime() - t0;
                        box.close();
                        return elapsed;
                    }));
            report.launch = launch;
            report.health = health;
            report.refused = refused;
            report.contended = contended;
            report.inWarm = inWarm;
            report.agent = agent;
            report.inCold = inCold;
            report.startNet = startNet;
            report.startNoNet = startNoNet;
            schedule.addAll(List.of(
                    new Scheduled(health, options.rounds, false),
                    new Scheduled(refused, options.rounds, false),
                    new Scheduled(contended, options.coldRounds, true),
                    new Scheduled(inWarm, options.coldRounds, true),
                    new Scheduled(agent, options.coldRounds, true),
                    new Scheduled(inCold, options.coldRounds, false),
                    new Scheduled(startNet, options.coldRounds, false),
                    new Scheduled(startNoNet, options.coldRounds, false),
                    new Scheduled(launch, options.coldRounds, false)));
        }
        report.refill = refill;
        report.serverWarm = serverWarm;
        report.serverCold = serverCold;
        interleave(schedule);
    }

    /**
     * Warm-up rounds run every variant; measured round {@code m} of {@code R} runs a variant
     * with {@code n} rounds when {@code floor((m+1)n/R) > floor(mn/R)}, so a variant with half
     * the rounds runs every other round. The order rotates by one each round.
     */
    private void interleave(List<Scheduled> schedule) throws InterruptedException {
        int total = options.warmup + options.rounds;
        long started = System.nanoTime();
        int step = Math.max(1, total / 10);
        for (int r = 0; r < total; r++) {
            boolean measured = r >= options.warmup;
            int m = r - options.warmup;
            List<Scheduled> due = new ArrayList<>();
            for (Scheduled s : schedule) {
                if (!measured || (long) (m + 1) * s.rounds() / options.rounds > (long) m * s.rounds() / options.rounds) {
                    due.add(s);
                }
            }
            int k = due.size();
            for (int j = 0; j < k; j++) {
                Scheduled s = due.get((r + j) % k);
                settle();
                measuring = measured;
                s.variant().runOnce(measured);
                refillPending = s.takesFromPool();
            }
            if ((r + 1) % step == 0 || r + 1 == total) {
                System.err.printf(Locale.ROOT, "bench: api latency: round %d/%d (%d warm-up), %.1f s%n", r + 1, total,
                        options.warmup, (System.nanoTime() - started) / 1e9);
            }
        }
        measuring = false;
        settle();
    }

    /**
     * Waits until the pool is full again (timing it as a refill when the last variant took a
     * sandbox), then idles {@code --pause-ms} so the next request starts on a quiet machine.
     */
    private void settle() throws InterruptedException {
        long t0 = System.nanoTime();
        if (!pool.awaitWarm(POOL_WAIT)) {
            System.err.println("bench: warning: the pool did not fill within " + POOL_WAIT.toSeconds() + " s: "
                    + pool.stats());
        }
        long elapsed = System.nanoTime() - t0;
        if (refillPending && measuring) {
            refill.add(elapsed);
        }
        refillPending = false;
        if (options.pauseMs > 0) {
            Thread.sleep(options.pauseMs);
        }
    }

    private void requireServed(long servedBefore, String what) {
        if (pool.stats().served() != servedBefore + 1) {
            throw new IllegalStateException(what + " was not served from the pool (it took the cold path)");
        }
    }

    private Variant.Round traced(String label, Variant.Round round) {
        if (!options.trace) {
            return round;
        }
        return () -> {
            long nanos = round.run();
            System.err.printf(Locale.ROOT, "trace: %s %.3f ms%s%n", label, nanos / 1e6, measuring ? "" : " (warm-up)");
            return nanos;
        };
    }

    // ---------------------------------------------------------------- back to back

    private void backToBack(ApiReport report) throws Exception {
        if (options.backToBack == 0) {
            return;
        }
        settle();
        String body = ApiClient.runBody(true);
        long[] before = client.poolCounters();
        Samples all = new Samples();
        Samples hit = new Samples();
        Samples miss = new Samples();
        ApiReport.Errors errors = new ApiReport.Errors();
        long t0 = System.nanoTime();
        for (int i = 0; i < options.backToBack; i++) {
            long served = pool.stats().served();
            try {
                ApiClient.Run r = client.run(body);
                all.add(r.nanos());
                (pool.stats().served() > served ? hit : miss).add(r.nanos());
                if (options.trace) {
                    System.err.printf(Locale.ROOT, "trace: back-to-back %.3f ms%n", r.nanos() / 1e6);
                }
            } catch (IOException | RuntimeException e) {
                errors.add(e);
            }
        }
        long wall = System.nanoTime() - t0;
        long[] after = client.poolCounters();
        report.backToBack = new ApiReport.BackToBack(all, hit, miss, errors, wall, after[0] - before[0],
                after[1] - before[1]);
        System.err.printf(Locale.ROOT, "bench: api back-to-back: %d requests in %.1f s, pool served %d, missed %d%n",
                options.backToBack, wall / 1e9, after[0] - before[0], after[1] - before[1]);
        settle();
    }

    // ---------------------------------------------------------------- throughput

    /**
     * The network mechanism a bwrap command line shows: slirp4netns when bubblewrap creates the
     * network namespace itself, otherwise the bridge (the launcher made the namespace).
     */
    static String networkName(List<String> bwrapArgv) {
        return bwrapArgv.contains("--unshare-net") ? "slirp4netns" : "bridge: veth pair, nftables NAT";
    }

    private void throughput(ApiReport report, Path filter, List<String> rawArgv) throws Exception {
        int cap = Integer.MAX_VALUE;
        List<int[]> plan = new ArrayList<>();
        for (int size : options.batchSizes) {
            plan.add(new int[] {size, 0});
        }
        plan.add(new int[] {options.batchSizes.getFirst(), 1}); // the same without network: restrictive profile
        for (int[] step : plan) {
            int size = step[0];
            String profile = step[1] == 1 ? "restrictive" : null;
            ApiReport.Throughput t = new ApiReport.Throughput("`POST /batch/run`, " + size + " × `echo hi` per batch"
                    + (profile == null ? "" : ", `\"profile\": \"restrictive\"` (no network)"),
                    size);
            for (int rep = 0; rep < options.batchRepeats; rep++) {
                settle();
                long[] before = client.poolCounters();
                if (size > cap) {
                    t.split = chunks(size, cap);
                }
                long t0 = System.nanoTime();
                List<HttpResponse<byte[]>> responses = sendBatch(size, t.split, profile);
                long wall = System.nanoTime() - t0;
                if (t.split == null && responses.getFirst().statusCode() == 400) {
                    Matcher m = BATCH_CAP.matcher(new String(responses.getFirst().body(), StandardCharsets.UTF_8));
                    if (m.find()) {
                        cap = Integer.parseInt(m.group(1));
                        t.refused = "one request of " + size + " → HTTP 400 `"
                                + ApiClient.JSON.readTree(responses.getFirst().body()).path("error").asText() + "`";
                        System.err.println("bench: api batch: " + t.refused + "; sending it split");
                        rep--;
                        continue;
                    }
                }
                int[] sizes = t.split == null ? new int[] {size} : t.split;
                for (int i = 0; i < responses.size(); i++) {
                    try {
                        ApiClient.BatchCheck check = ApiClient.checkBatch(responses.get(i), sizes[i]);
                        t.errors.add(check.bad(), check.firstError());
                    } catch (RuntimeException e) {
                        t.errors.add(sizes[i], e.getMessage());
                    }
                }
                long[] after = client.poolCounters();
                t.add(wall, after[0] - before[0], after[1] - before[1]);
                System.err.printf(Locale.ROOT, "bench: api batch %d (%d/%d): %.2f s, %.1f runs/s, %d bad%n", size,
                        rep + 1, options.batchRepeats, wall / 1e9, size / (wall / 1e9), t.errors.count);
            }
            report.throughput.add(t);
        }
        if (options.clients > 0) {
            int n = options.clients * options.perClient;
            ApiReport.Throughput t = new ApiReport.Throughput(options.clients + " concurrent clients × "
                    + options.perClient + " sequential `POST /run` (`fast` default: true)", n);
            settle();
            long[] before = client.poolCounters();
            long wall = concurrently(t, () -> {
                ApiClient own = new ApiClient(port);
                String body = ApiClient.runBody(null);
                return () -> own.run(body).nanos();
            });
            long[] after = client.poolCounters();
            t.add(wall, after[0] - before[0], after[1] - before[1]);
            report.throughput.add(t);
            System.err.printf(Locale.ROOT, "bench: api concurrent /run: %.2f s, %.1f runs/s, %d errors%n", wall / 1e9,
                    n / (wall / 1e9), t.errors.count);

            ApiReport.Throughput base = new ApiReport.Throughput("baseline: " + options.clients + " threads × "
                    + options.perClient + " raw bwrap `echo hi` (no cgroup, no network, no HTTP)", n);
            base.pool = false;
            settle();
            ProcessBuilder rawPb = RawBwrap.process(rawArgv, filter);
            long rawWall = concurrently(base, () -> () -> timeRaw(rawPb));
            base.add(rawWall, 0, 0);
            base.target = "ceiling (reported)";
            report.throughput.add(base);
            System.err.printf(Locale.ROOT, "bench: api concurrent raw bwrap: %.2f s, %.1f runs/s, %d errors%n",
                    rawWall / 1e9, n / (rawWall / 1e9), base.errors.count);

            List<String> lean = withoutEtcBinds(rawArgv);
            int dropped = (rawArgv.size() - lean.size()) / 3;
            ApiReport.Throughput diag = new ApiReport.Throughput("diagnostic: the same raw bwrap without its "
                    + dropped + " single-file/directory `--ro-bind … /etc/…` mounts (not a usable layout; shows "
                    + "what the mounts cost)", n);
            diag.pool = false;
            diag.target = "diagnostic";
            settle();
            ProcessBuilder leanPb = RawBwrap.process(lean, filter);
            long leanWall = concurrently(diag, () -> () -> timeRaw(leanPb));
            diag.add(leanWall, 0, 0);
            report.throughput.add(diag);
            System.err.printf(Locale.ROOT, "bench: api concurrent raw bwrap without /etc binds: %.2f s, %.1f runs/s, "
                    + "%d errors%n", leanWall / 1e9, n / (leanWall / 1e9), diag.errors.count);
        }
    }

    /** {@code bwrapArgv} without its {@code --ro-bind SRC DEST} triples whose DEST is under /etc. */
    static List<String> withoutEtcBinds(List<String> bwrapArgv) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < bwrapArgv.size(); i++) {
            String a = bwrapArgv.get(i);
            if (a.equals("--")) {
                out.addAll(bwrapArgv.subList(i, bwrapArgv.size())); // the command itself
                break;
            }
            if (a.equals("--ro-bind") && i + 2 < bwrapArgv.size() && bwrapArgv.get(i + 2).startsWith("/etc/")) {
                i += 2;
                continue;
            }
            out.add(a);
        }
        return out;
    }

    /** Sizes of the requests that carry {@code size} commands when one request may carry at most {@code cap}. */
    private static int[] chunks(int size, int cap) {
        int n = (size + cap - 1) / cap;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = size / n + (i < size % n ? 1 : 0);
        }
        return out;
    }

    /** One batch request, or the split requests at once (one virtual thread each). */
    private List<HttpResponse<byte[]>> sendBatch(int size, int[] split, String profile) throws Exception {
        if (split == null) {
            return List.of(client.batch(ApiClient.batchBody(size, profile)));
        }
        List<Future<HttpResponse<byte[]>>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int part : split) {
                String body = ApiClient.batchBody(part, profile);
                futures.add(threads.submit(() -> client.batch(body)));
            }
        }
        List<HttpResponse<byte[]>> out = new ArrayList<>();
        for (Future<HttpResponse<byte[]>> f : futures) {
            out.add(f.get());
        }
        return out;
    }

    /** Makes one worker's request loop; the worker's setup (e.g. its own client) happens before the clock starts. */
    @FunctionalInterface
    interface Worker {
        Variant.Round prepare() throws Exception;
    }

    /** {@code --clients} virtual threads × {@code --per-client} sequential rounds each; the wall time of all. */
    private long concurrently(ApiReport.Throughput t, Worker worker) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch ready = new CountDownLatch(options.clients);
        long t0;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < options.clients; c++) {
                threads.submit(() -> {
                    Variant.Round round = worker.prepare();
                    ready.countDown();
                    go.await();
                    for (int i = 0; i < options.perClient; i++) {
                        try {
                            t.latency.add(round.run());
                        } catch (Exception e) {
                            t.errors.add(e);
                        }
                    }
                    return null;
                });
            }
            ready.await();
            t0 = System.nanoTime();
            go.countDown();
        }
        return System.nanoTime() - t0;
    }

    // ---------------------------------------------------------------- timing helpers

    private static long timeRaw(ProcessBuilder pb) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("raw bwrap: no exit within " + TIMEOUT_SECONDS + " s");
        }
        long elapsed = System.nanoTime() - t0;
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || !text.equals(ApiClient.EXPECTED_OUTPUT)) {
            throw new IllegalStateException("raw bwrap: exit code " + p.exitValue() + ", output \"" + text.strip() + "\"");
        }
        return elapsed;
    }

    private static long timeExecution(IsolationBackend backend, SandboxSpec spec) throws InterruptedException {
        Captured out = new Captured();
        long t0 = System.nanoTime();
        Execution execution = backend.start(spec, ECHO, Stdio.capture(out));
        Optional<Termination> end;
        try {
            end = execution.await(Duration.ofSeconds(TIMEOUT_SECONDS));
        } catch (RuntimeException e) {
            execution.close();
            throw e;
        }
        long elapsed = System.nanoTime() - t0;
        execution.close();
        out.require(end.orElseThrow(() -> new IllegalStateException("timed out")));
        return elapsed;
    }

    /** Output of one in-process run, checked like an HTTP response. */
    static final class Captured implements RunListener, Stdio.OutputSink, dev.agentkernel.agent.OutputSink {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void output(OutputStreamKind stream, byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        @Override
        public void accept(OutputStreamKind stream, byte[] b, int off, int len) {
            output(stream, b, off, len);
        }

        synchronized void require(Termination end) {
            String text = bytes.toString(StandardCharsets.UTF_8);
            if (!(end instanceof Termination.Exited(int code)) || code != 0 || !text.equals(ApiClient.EXPECTED_OUTPUT)) {
                throw new IllegalStateException("ended with " + end + ", output \"" + text.strip() + "\"");
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            System.err.println("bench: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
