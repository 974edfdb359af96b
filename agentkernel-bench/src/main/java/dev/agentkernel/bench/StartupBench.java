package dev.agentkernel.bench;

import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.cgroup.CgroupDriver;
import dev.agentkernel.core.cgroup.SandboxCgroup;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.process.Spawner;
import dev.agentkernel.core.process.SupervisedExecution;
import dev.agentkernel.core.seccomp.SeccompArch;
import dev.agentkernel.core.seccomp.SeccompFilterFile;
import dev.agentkernel.core.seccomp.SeccompPolicy;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Sandbox start latency of AgentKernel next to raw bubblewrap, measured in the same run.
 *
 * <p>Two benchmarks, each a set of variants run round-robin (every round runs each variant
 * once, starting from a different one each round) so that noise from the machine hits every
 * variant alike; warm-up rounds are dropped:
 *
 * <ul>
 *   <li><b>inprocess</b>: {@code bwrap} started from {@link ProcessBuilder} with AgentKernel's
 *       {@code --no-network} moderate flags (through {@code sh -c 'exec "$@" 3<filter'} for the
 *       seccomp filter, no cgroup) against {@link IsolationBackend#start} + {@code await()}
 *       without and with network, plus a breakdown of AgentKernel's extra work (cgroups,
 *       launch script, spawn thread, supervision);</li>
 *   <li><b>cli</b>: the {@code agentkernel} launcher ({@code run --image host --no-network -- /bin/true},
 *       JVM start included) against the same raw {@code bwrap} run as a shell command line.</li>
 * </ul>
 *
 * <p>Prints Markdown tables and, with {@code --markdown FILE}, rewrites this benchmark's
 * sections of that file. Needs root (or a delegated cgroup) like the bwrap backend itself.
 */
public final class StartupBench {

    private static final CommandSpec TRUE = CommandSpec.of("/bin/true");
    private static final Stdio STDIO = new Stdio(new Stdio.Input.Empty(), new Stdio.Output.Discard(),
            new Stdio.Output.Discard());
    private static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
    /** Raw baseline: only what is needed to hand bwrap the filter on fd 3. */
    private static final String RAW_LAUNCH = "exec \"$@\" 3<\"$AK_SECCOMP\"";
    /** Same as BwrapBackend's (private) LAUNCH without network. */
    private static final String JOIN = "for f in $AK_PROCS; do echo $$ > \"$f\" || exit 125; done; ";
    private static final String AK_LAUNCH = JOIN + RAW_LAUNCH;
    private static final long TIMEOUT_SECONDS = 60;
    private static final File DEV_NULL = new File("/dev/null");
    private static final double IN_PROCESS_TARGET = 1.3;
    private static final double CLI_TARGET_MS = 150;

    private final Options options;
    private final AtomicLong groupSequence = new AtomicLong();
    /** The backend without a user namespace per sandbox (root only), the baseline of issue 12's target. */
    private IsolationBackend legacy;

    private StartupBench(Options options) {
        this.options = options;
    }

    /** Entry point; see {@code --help}. */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(Options.USAGE);
            return;
        }
        new StartupBench(options).run();
        System.exit(0); // the backend's helper threads are daemons, but don't wait for anything
    }

    private void run() throws Exception {
        HostContext host = HostContext.current();
        if (!host.root()) {
            System.err.println("bench: not running as root: the bwrap backend needs writable cgroups");
        }
        CgroupDriver.Detection detection = CgroupDriver.detect(Path.of("/sys/fs/cgroup"));
        if (detection.driver() == null) {
            throw new IllegalStateException("no usable cgroup driver: " + detection.availability());
        }
        CgroupDriver cgroups = detection.driver();
        // The same backend as an unprivileged AgentKernel opens it: no user namespace of its own and no
        // staged mounts, i.e. the start path before issue 12 (still as root, so cgroups work alike).
        HostContext withoutUserns = new HostContext(host.stateDir(), host.runtimeDir(), false, host.cpus(), host.env());
        try (IsolationBackend backend = BackendSelector.discover().open(Optional.of("bwrap"), host);
             IsolationBackend legacy = BackendSelector.discover().open(Optional.of("bwrap"), withoutUserns)) {
            this.legacy = host.root() ? legacy : null;
            PolicyResolver resolver = new PolicyResolver(host);
            SandboxSpec noNet = resolver.resolve(SandboxRequest.defaults().withNetwork(false));
            Path filter = SeccompFilterFile.ensure(host.stateDir().resolve("seccomp"), SeccompPolicy.defaults(),
                    SeccompArch.current());
            List<String> rawArgv = backend.commandLine(noNet, TRUE).orElseThrow(
                    () -> new IllegalStateException("the bwrap backend did not describe its command line"));
            Machine machine = Machine.describe(Path.of(rawArgv.getFirst()), cgroups.describe()); // argv[0] is bwrap
            System.err.println("bench: " + machine.summary());
            String argvCheck = "identical to AgentKernel's: the " + (rawArgv.size() - 1)
                    + " arguments come from the backend's own `IsolationBackend.commandLine`";
            System.err.println("bench: raw bwrap flags: " + argvCheck);

            if (options.runInProcess()) {
                SandboxSpec withNet = resolver.resolve(SandboxRequest.defaults());
                inProcess(host, cgroups, backend, noNet, withNet, filter, rawArgv, machine, argvCheck);
            }
            if (options.runCli()) {
                cli(filter, rawArgv, machine, argvCheck);
            }
        }
    }

    // ---------------------------------------------------------------- in process

    private void inProcess(HostContext host, CgroupDriver cgroups, IsolationBackend backend, SandboxSpec noNet,
                           SandboxSpec withNet, Path filter, List<String> rawArgv, Machine machine,
                           String argvCheck) throws Exception {
        String loadBefore = Machine.loadAverage();
        ZonedDateTime date = ZonedDateTime.now(ZoneOffset.UTC);

        ProcessBuilder raw = launch(RAW_LAUNCH, rawArgv, Map.of("AK_SECCOMP", filter.toString()));
        Variant rawVariant = new Variant("raw bwrap (`sh -c 'exec \"$@\" 3<filter' sh bwrap …`, no cgroup)",
                "raw bwrap", null,
                () -> timeProcess(raw));
        Variant akNoNet = new Variant("AgentKernel in process, `--no-network` (`start(…).await()`)",
                "AgentKernel", null,
                () -> timeExecution(backend, noNet));
        String network = backend.commandLine(withNet, TRUE).map(ApiBench::networkName).orElse("network");
        Variant akNet = new Variant("AgentKernel in process, network (" + network + ")", "AgentKernel, network", null,
                () -> timeExecution(backend, withNet));
        List<Variant> main = new ArrayList<>(List.of(rawVariant, akNoNet));
        Variant akNoUserns = legacy == null ? null : new Variant(
                "AgentKernel in process, `--no-network`, without a user namespace (the start path before issue 12)",
                "no userns", null, () -> timeExecution(legacy, noNet));
        if (akNoUserns != null) {
            main.add(akNoUserns);
        }
        if (options.network) {
            main.add(akNet);
        }

        List<Variant> breakdown = new ArrayList<>();
        SandboxCgroup joinGroup = null;
        Variant direct = null;
        Variant spawner = null;
        Variant supervised = null;
        Variant shWrapper = null;
        Variant shJoin = null;
        Variant cgroupLife = null;
        Variant byHand = null;
        if (options.breakdown) {
            joinGroup = cgroups.create(groupName("join"), noNet.limits());
            SandboxCgroup group = joinGroup;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> group.destroy(Duration.ofSeconds(2))));
            String procs = procsList(joinGroup);

            ProcessBuilder trueDirect = quiet(new ProcessBuilder("/bin/true"));
            ProcessBuilder trueSh = launch("exec \"$@\"", List.of("/bin/true"), Map.of());
            ProcessBuilder trueJoin = launch(JOIN + "exec \"$@\"", List.of("/bin/true"), Map.of("AK_PROCS", procs));
            ProcessBuilder trueJoinOne = launch(JOIN + "exec \"$@\"", List.of("/bin/true"),
                    Map.of("AK_PROCS", joinGroup.procsFiles().getFirst().toString()));
            SandboxCgroup noop = new NoopCgroup();

            direct = new Variant("fork+exec `/bin/true` from the calling thread", "fork+exec", null,
                    () -> timeProcess(trueDirect));
            spawner = new Variant("fork+exec `/bin/true` through `Spawner` (thread handoff)", "`Spawner`", direct,
                    () -> {
                        long t0 = System.nanoTime();
                        Process p = Spawner.start(trueDirect);
                        int code = waitFor(p);
                        long elapsed = System.nanoTime() - t0;
                        requireZero(code, trueDirect);
                        return elapsed;
                    });
            supervised = new Variant("`Spawner` + `SupervisedExecution.await()` of `/bin/true` (no-op cgroup)",
                    "supervised", direct, () -> {
                        long t0 = System.nanoTime();
                        Process p = Spawner.start(trueDirect);
                        Execution e = SupervisedExecution.supervise("bench", p, STDIO, Optional.empty(),
                                SupervisedExecution.DEFAULT_GRACE, noop, noNet.limits().memoryMb(), () -> { });
                        Termination end = e.await(Duration.ofSeconds(TIMEOUT_SECONDS))
                                .orElseThrow(() -> new IllegalStateException("timed out"));
                        long elapsed = System.nanoTime() - t0;
                        e.close();
                        requireSuccess(end);
                        return elapsed;
                    });
            shWrapper = new Variant("`sh -c 'exec \"$@\"' sh /bin/true` (launch shell)", "launch shell", direct,
                    () -> timeProcess(trueSh));
            shJoin = new Variant("launch shell joins an existing cgroup (" + joinGroup.procsFiles().size()
                    + " `cgroup.procs` files), exec `/bin/true`", "launch shell", shWrapper, () -> timeProcess(trueJoin));
            Variant shJoinOne = new Variant("launch shell joins only the first of them (`"
                    + joinGroup.procsFiles().getFirst().getParent().getParent().getParent().getFileName()
                    + "`), exec `/bin/true`", "joining one", shWrapper, () -> timeProcess(trueJoinOne));
            cgroupLife = new Variant("cgroup `create` + `destroy` through `CgroupDriver`, no process",
                    "cgroup", null,
                    () -> {
                        long t0 = System.nanoTime();
                        SandboxCgroup g = cgroups.create(groupName("life"), noNet.limits());
                        boolean gone = g.destroy(Duration.ofSeconds(5));
                        long elapsed = System.nanoTime() - t0;
                        if (!gone) {
                            throw new IllegalStateException("cgroup " + g.name() + " not removed");
                        }
                        return elapsed;
                    });
            byHand = new Variant("raw bwrap + cgroup create/join/destroy by hand (AgentKernel's launch script)",
                    "by hand", rawVariant, () -> {
                        long t0 = System.nanoTime();
                        SandboxCgroup g = cgroups.create(groupName("hand"), noNet.limits());
                        int code;
                        ProcessBuilder pb = launch(AK_LAUNCH, rawArgv,
                                Map.of("AK_SECCOMP", filter.toString(), "AK_PROCS", procsList(g)));
                        try {
                            code = waitFor(pb.start());
                        } finally {
                            g.destroy(Duration.ofSeconds(5));
                        }
                        long elapsed = System.nanoTime() - t0;
                        requireZero(code, pb);
                        return elapsed;
                    });
            breakdown.addAll(List.of(direct, spawner, supervised, shWrapper, shJoin, shJoinOne, cgroupLife, byHand));
        }

        List<Variant> all = new ArrayList<>(main);
        all.addAll(breakdown);
        try {
            interleave("in-process", all, options.warmup, options.rounds, options.pauseMs);
        } finally {
            if (joinGroup != null) {
                joinGroup.destroy(Duration.ofSeconds(2));
            }
        }
        String loadAfter = Machine.loadAverage();

        double base = rawVariant.stats().p50();
        List<Report.Row> rows = new ArrayList<>();
        rows.add(new Report.Row(rawVariant, s -> Report.ratio(s.p50() / base), "baseline"));
        rows.add(new Report.Row(akNoNet, s -> Report.ratio(s.p50() / base), targetInProcess(akNoNet, base)));
        if (akNoUserns != null) {
            double before = akNoUserns.stats().p50();
            rows.add(new Report.Row(akNoUserns, s -> Report.ratio(s.p50() / base), String.format(Locale.ROOT,
                    "user namespace + staged mounts cost %+.1f %% at p50 (target ≤ +10 %%: %s)",
                    100 * (akNoNet.stats().p50() / before - 1), akNoNet.stats().p50() <= 1.10 * before ? "met" : "missed")));
        }
        if (options.network) {
            rows.add(new Report.Row(akNet, s -> Report.ratio(s.p50() / base), "— (reported only)"));
        }
        StringBuilder md = new StringBuilder();
        md.append("## Sandbox start in process: AgentKernel vs raw bubblewrap\n\n");
        header(md, date, machine, loadBefore, loadAfter, options.warmup, options.rounds, "inprocess",
                "Wall-clock time from spawning to the sandbox's exit; for AgentKernel from `start` until `await()` "
                        + "returns, clean-up included.");
        md.append("- **Baseline flags:** ").append(argvCheck).append('\n');
        md.append("- **Target:** AgentKernel in process, `--no-network`: p50 ≤ ")
                .append(IN_PROCESS_TARGET).append("× raw bwrap p50.\n\n");
        md.append(Report.table("Variant (`/bin/true`)", "p50 / raw bwrap p50", true, rows));
        if (options.breakdown) {
            md.append("\n### Where AgentKernel's in-process time goes\n\n");
            md.append("Same run, same rounds (interleaved with the variants above). Δ p50 is this row's p50 minus the p50 "
                    + "of the row named in the last column; differences of medians are estimates, not exact sums.\n\n");
            md.append(breakdownTable(breakdown));
            md.append('\n').append(decomposition(rawVariant, akNoNet, byHand, cgroupLife, shWrapper, shJoin,
                    direct, spawner, supervised));
        }
        finish("inprocess", md.toString());
    }

    private String decomposition(Variant raw, Variant ak, Variant byHand, Variant cgroupLife, Variant shWrapper,
                                 Variant shJoin, Variant direct, Variant spawner, Variant supervised) {
        double overhead = p50(ak) - p50(raw);
        double cgroupTotal = p50(byHand) - p50(raw);
        double javaSide = p50(supervised) - p50(direct);
        double rest = overhead - cgroupTotal - javaSide;
        return String.format(Locale.ROOT, """
                **Estimate at p50.** AgentKernel − raw bwrap = **%s ms**, of which:
                - cgroup work done by hand around the same raw bwrap (create, join from the launch script, destroy): \
                %s ms — cgroup create + destroy alone %s ms, joining %s ms (launch shell with vs without the joins);
                - Java side (handoff to the `Spawner` thread, watcher virtual thread, `CompletableFuture`): %s ms \
                (`Spawner` alone %s ms);
                - not accounted for by these parts: %s ms.
                """, Report.ms(overhead), Report.ms(cgroupTotal), Report.ms(p50(cgroupLife)),
                Report.ms(p50(shJoin) - p50(shWrapper)), Report.ms(javaSide), Report.ms(p50(spawner) - p50(direct)),
                Report.ms(rest));
    }

    private static double p50(Variant v) {
        return v.stats().p50();
    }

    private static String targetInProcess(Variant ak, double base) {
        Stats s = ak.stats();
        if (s.n() == 0 || Double.isNaN(base)) {
            return "≤ " + IN_PROCESS_TARGET + "×: no data";
        }
        return "≤ " + IN_PROCESS_TARGET + "×: " + (s.p50() / base <= IN_PROCESS_TARGET ? "**met**" : "**missed**");
    }

    // ---------------------------------------------------------------- CLI

    private void cli(Path filter, List<String> rawArgv, Machine machine, String argvCheck) throws Exception {
        Path launcher = options.root.resolve("agentkernel");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " not found or not executable (use --root)");
        }
        ProcessBuilder cliPb = new ProcessBuilder(launcher.toString(), "run", "--image", "host", "--no-network", "--",
                "/bin/true").directory(options.root.toFile());
        quiet(cliPb);
        String script = "exec " + rawArgv.stream().map(RawBwrap::shellQuote).collect(Collectors.joining(" "))
                + " 3<" + RawBwrap.shellQuote(filter.toString());
        ProcessBuilder shellPb = quiet(new ProcessBuilder("/bin/sh", "-c", script).directory(options.root.toFile()));

        // One untimed run first: the launcher may build the project or record its AOT cache.
        long primeStart = System.nanoTime();
        Process prime = new ProcessBuilder(cliPb.command()).directory(options.root.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL)).redirectErrorStream(true).start();
        String primeOut = new String(prime.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!prime.waitFor(30, TimeUnit.MINUTES) || prime.exitValue() != 0) {
            throw new IllegalStateException("the launcher failed: " + primeOut.strip());
        }
        long primeMs = (System.nanoTime() - primeStart) / 1_000_000;
        System.err.println("bench: launcher primed in " + primeMs + " ms");

        String loadBefore = Machine.loadAverage();
        ZonedDateTime date = ZonedDateTime.now(ZoneOffset.UTC);
        Variant shell = new Variant("raw bwrap as a shell command line (`sh -c 'exec bwrap … 3<filter'`)",
                "raw bwrap", null, () -> timeProcess(shellPb));
        Variant agentkernel = new Variant("`./agentkernel run --image host --no-network -- /bin/true` (JVM start included)",
                "CLI", null, () -> timeProcess(cliPb));
        List<Variant> variants = new ArrayList<>(List.of(shell, agentkernel));
        List<Variant> breakdown = new ArrayList<>();
        Optional<List<String>> javaCmd = options.breakdown ? directJava() : Optional.empty();
        Variant direct = null;
        Variant version = null;
        Variant jvm = null;
        if (javaCmd.isPresent()) {
            List<String> run = new ArrayList<>(javaCmd.get());
            run.addAll(List.of("dev.agentkernel.cli.Main", "run", "--image", "host", "--no-network", "--", "/bin/true"));
            List<String> ver = new ArrayList<>(javaCmd.get());
            ver.addAll(List.of("dev.agentkernel.cli.Main", "--version"));
            ProcessBuilder runPb = javaProcess(run);
            ProcessBuilder verPb = javaProcess(ver);
            ProcessBuilder jvmPb = javaProcess(List.of(javaCmd.get().getFirst(), "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-version"));
            direct = new Variant("same `java` command as the launcher's last line, without the launcher script",
                    "`java … run` directly", agentkernel, () -> timeProcess(runPb));
            version = new Variant("`java … dev.agentkernel.cli.Main --version` (JVM + CLI start, no backend, no sandbox)",
                    "`java … --version`", direct, () -> timeProcess(verPb));
            jvm = new Variant("`java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -version` (bare JVM start, no AOT cache)",
                    "bare JVM", version, () -> timeProcess(jvmPb));
            breakdown.addAll(List.of(direct, version, jvm));
            variants.addAll(breakdown);
        }
        interleave("cli", variants, options.cliWarmup, options.cliRounds, options.pauseMs);
        String loadAfter = Machine.loadAverage();

        double base = shell.stats().p50();
        Stats s = agentkernel.stats();
        String target = s.n() == 0 ? "≤ " + (int) CLI_TARGET_MS + " ms p50: no data"
                : "≤ " + (int) CLI_TARGET_MS + " ms p50: " + (s.p50() <= CLI_TARGET_MS ? "**met**" : "**missed**");
        StringBuilder md = new StringBuilder();
        md.append("## Sandbox start from the command line: `agentkernel run` vs raw bubblewrap\n\n");
        header(md, date, machine, loadBefore, loadAfter, options.cliWarmup, options.cliRounds, "cli",
                "Wall-clock time from spawning the command to its exit.");
        md.append("- **Baseline flags:** ").append(argvCheck).append('\n');
        md.append("- **Launcher:** `").append(launcher).append("` run from `").append(options.root)
                .append("`; stdin `/dev/null`, output discarded; includes the launcher script, JVM start (with its AOT "
                        + "cache), backend discovery and clean-up.\n");
        md.append("- **Target:** `agentkernel run --image host --no-network -- /bin/true` (the host's `/usr`, as raw "
                + "bwrap's): p50 ≤ ").append((int) CLI_TARGET_MS)
                .append(" ms.\n\n");
        md.append(Report.table("Variant (`/bin/true`)", "p50 / raw bwrap p50", true, List.of(
                new Report.Row(shell, x -> Report.ratio(x.p50() / base), "baseline"),
                new Report.Row(agentkernel, x -> Report.ratio(x.p50() / base), target))));
        if (!breakdown.isEmpty()) {
            md.append("\n### Where the command line's time goes\n\n");
            md.append("Same run, same rounds. The `java` rows use the launcher's own JVM options (read from its "
                    + "`JVM_OPTS`), class path and AOT cache. Δ p50 is this row's p50 minus the p50 of the row named.\n\n");
            md.append(breakdownTable(breakdown));
            md.append('\n').append(String.format(Locale.ROOT, """
                    **Estimate at p50.** `agentkernel run` = **%s ms**: launcher script %s ms, bare JVM start %s ms, \
                    CLI start on top of it (its classes from the AOT cache, option parsing) %s ms, backend and sandbox in the fresh JVM %s ms \
                    (the same sandbox in a warm JVM: see the in-process table).
                    """, Report.ms(p50(agentkernel)), Report.ms(p50(agentkernel) - p50(direct)), Report.ms(p50(jvm)),
                    Report.ms(p50(version) - p50(jvm)), Report.ms(p50(direct) - p50(version))));
        }
        finish("cli", md.toString());
    }

    /**
     * {@code java <the launcher's JVM options> [AOT cache] -cp <the CLI's class path>}, from
     * the launcher's {@code JVM_OPTS=( ... )} line; empty if the launcher changed shape.
     */
    private Optional<List<String>> directJava() throws IOException {
        String text = Files.readString(options.root.resolve("agentkernel"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^JVM_OPTS=\\((.*)\\)\\s*$").matcher(text);
        Path target = options.root.resolve("agentkernel-cli/target");
        Path jar = target.resolve("agentkernel-cli-0.1.0-SNAPSHOT-launcher.jar");
        if (!m.find() || !Files.isRegularFile(jar)) {
            System.err.println("bench: cannot read JVM_OPTS from the launcher or find " + jar
                    + "; no breakdown of the command line");
            return Optional.empty();
        }
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(List.of(m.group(1).trim().split("\\s+")));
        argv.add("-Dagentkernel.spawn=jdk"); // what the launcher adds for one-shot commands such as run
        Path aot = target.resolve("agentkernel.aot");
        if (Files.isRegularFile(aot)) {
            argv.addAll(List.of("-XX:AOTCache=" + aot, "-Xlog:aot=off", "-Xlog:cds=off"));
        }
        argv.addAll(List.of("-cp", jar.toString())); // the launcher's class path for 'run': its one jar
        return Optional.of(argv);
    }

    private ProcessBuilder javaProcess(List<String> argv) {
        ProcessBuilder pb = quiet(new ProcessBuilder(argv).directory(options.root.toFile()));
        Map<String, String> env = pb.environment();
        String locale = env.getOrDefault("LC_ALL", env.getOrDefault("LC_CTYPE", env.getOrDefault("LANG", "")));
        if (!locale.matches("(?i).*utf-?8.*")) {
            env.put("LC_ALL", "C.UTF-8"); // as the launcher does
        }
        return pb;
    }

    private static String breakdownTable(List<Variant> parts) {
        List<Report.Row> rows = new ArrayList<>();
        for (Variant v : parts) {
            Variant ref = v.reference;
            rows.add(new Report.Row(v, s -> ref == null ? Report.delta(s.p50()) + " (itself)"
                    : Report.delta(s.p50() - ref.stats().p50()) + " vs " + ref.shortName, ""));
        }
        return Report.table("Part", "Δ p50", false, rows);
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs every variant once per round, starting one variant later each round, with
     * {@code pauseMs} idle before each; the first {@code warmup} rounds are dropped.
     */
    static void interleave(String label, List<Variant> variants, int warmup, int rounds, int pauseMs)
            throws InterruptedException {
        int total = warmup + rounds;
        int k = variants.size();
        long started = System.nanoTime();
        int step = Math.max(1, total / 10);
        for (int r = 0; r < total; r++) {
            for (int j = 0; j < k; j++) {
                if (pauseMs > 0) {
                    Thread.sleep(pauseMs); // let the kernel finish the previous run's deferred work
                }
                variants.get((r + j) % k).runOnce(r >= warmup);
            }
            if ((r + 1) % step == 0 || r + 1 == total) {
                System.err.printf(Locale.ROOT, "bench: %s: round %d/%d (%d warm-up), %.1f s%n", label, r + 1,
                        total, warmup, (System.nanoTime() - started) / 1e9);
            }
        }
    }

    private static long timeProcess(ProcessBuilder pb) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = pb.start();
        int code = waitFor(p);
        long elapsed = System.nanoTime() - t0;
        requireZero(code, pb);
        return elapsed;
    }

    /** One sandbox running {@code /bin/true} through the backend, from start to its end and clean-up; nanoseconds. */
    static long timeExecution(IsolationBackend backend, SandboxSpec spec) throws InterruptedException {
        long t0 = System.nanoTime();
        Execution execution = backend.start(spec, TRUE, STDIO);
        Optional<Termination> end;
        try {
            end = execution.await(Duration.ofSeconds(TIMEOUT_SECONDS));
        } catch (RuntimeException e) {
            execution.close();
            throw e;
        }
        long elapsed = System.nanoTime() - t0;
        execution.close();
        requireSuccess(end.orElseThrow(() -> new IllegalStateException("timed out")));
        return elapsed;
    }

    private static int waitFor(Process p) throws InterruptedException {
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("no exit within " + TIMEOUT_SECONDS + " s");
        }
        return p.exitValue();
    }

    private static void requireSuccess(Termination end) {
        if (!(end instanceof Termination.Exited(int code)) || code != 0) {
            throw new IllegalStateException("sandbox ended with " + end);
        }
    }

    /** Throws with the command's own error output (from a second, diagnostic run) unless {@code code} is 0. */
    private static void requireZero(int code, ProcessBuilder pb) {
        if (code == 0) {
            return;
        }
        String why;
        try {
            ProcessBuilder again = new ProcessBuilder(pb.command()).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .redirectErrorStream(true);
            if (pb.directory() != null) {
                again.directory(pb.directory());
            }
            again.environment().clear();
            again.environment().putAll(pb.environment());
            Process p = again.start();
            why = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            why = "(no diagnostics: " + e + ")";
        }
        throw new IllegalStateException("exit code " + code + (why.isEmpty() ? "" : ": " + why));
    }

    /** {@code /bin/sh -c script sh argv...} with a cleared environment (PATH plus {@code env}), quiet streams. */
    private static ProcessBuilder launch(String script, List<String> argv, Map<String, String> env) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh"));
        command.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", PATH);
        pb.environment().putAll(env);
        return quiet(pb);
    }

    /** stdin from /dev/null, stdout and stderr discarded: what {@code STDIO} means to the backend. */
    private static ProcessBuilder quiet(ProcessBuilder pb) {
        return pb.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
    }

    private static String procsList(SandboxCgroup group) {
        return group.procsFiles().stream().map(Path::toString).collect(Collectors.joining(" "));
    }

    /** {@code <pid>-bench<kind>-<n>}: the owner-pid prefix lets AgentKernel reap it if this process dies. */
    private String groupName(String kind) {
        return ProcessHandle.current().pid() + "-bench" + kind + "-" + groupSequence.incrementAndGet();
    }

    private void header(StringBuilder md, ZonedDateTime date, Machine machine, String loadBefore, String loadAfter,
                        int warmup, int rounds, String only, String timing) {
        md.append("- **Date:** ").append(date.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append('\n');
        md.append("- **Machine:** ").append(machine.summary()).append('\n');
        md.append("- **Load average (1/5/15 min):** ").append(loadBefore).append(" before, ").append(loadAfter)
                .append(" after\n");
        md.append("- **Reproduce (as root):** `").append(options.reproduce(only)).append("`\n");
        md.append("- **Method:** ").append(warmup).append(" warm-up rounds (dropped), then ").append(rounds)
                .append(" measured rounds; each round runs every variant once, round-robin, starting one variant later "
                        + "each round, so machine noise hits all alike; ").append(options.pauseMs)
                .append(" ms idle before every timed run, so that none inherits the kernel's deferred work (or its "
                        + "warm state) from the run before. ").append(timing)
                .append(" Nearest-rank percentiles.\n");
        if (options.note != null) {
            md.append("- **Note:** ").append(options.note).append('\n');
        }
    }

    private void finish(String id, String markdown) throws IOException {
        System.out.println();
        System.out.println(markdown);
        if (options.markdown != null) {
            Report.updateSection(options.markdown, id, markdown);
            System.err.println("bench: updated section '" + id + "' of " + options.markdown);
        }
    }

    /** Stands in for a sandbox cgroup where only the Java-side supervision is measured. */
    private static final class NoopCgroup implements SandboxCgroup {
        @Override
        public String name() {
            return "noop";
        }

        @Override
        public List<Path> procsFiles() {
            return List.of();
        }

        @Override
        public List<Long> pids() {
            return List.of();
        }

        @Override
        public boolean oomKilled() {
            return false;
        }

        @Override
        public OptionalLong memoryPeakBytes() {
            return OptionalLong.empty();
        }

        @Override
        public void killAll() {
        }

        @Override
        public boolean destroy(Duration wait) {
            return true;
        }
    }

    /** Command-line options. */
    static final class Options {
        static final String USAGE = """
                usage: StartupBench [options]   (normally run through scripts/bench.sh, as root)
                  --warmup N        in-process warm-up rounds (default 30)
                  --rounds N        in-process measured rounds (default 200)
                  --cli-warmup N    CLI warm-up rounds (default 10)
                  --cli-rounds N    CLI measured rounds (default 60)
                  --only WHICH      inprocess | cli | all (default all)
                  --pause-ms N      idle time before every timed run (default 50): each run then starts from a
                                    quiet kernel (RCU grace periods, namespace teardown of the previous run done)
                                    instead of depending on which variant ran just before; 0 = back to back
                  --no-breakdown    skip the breakdowns of AgentKernel's overhead
                  --no-network      skip the in-process variant with network (bridge or slirp4netns)
                  --root DIR        project root holding the ./agentkernel launcher (default: current directory)
                  --markdown FILE   rewrite this benchmark's sections of FILE (e.g. BENCHMARKS.md)
                  --note TEXT       a note to print with the results (e.g. about the machine's load)
                """;

        int warmup = 30;
        int rounds = 200;
        int cliWarmup = 10;
        int cliRounds = 60;
        int pauseMs = 50;
        String only = "all";
        boolean breakdown = true;
        boolean network = true;
        Path root = Path.of("").toAbsolutePath();
        Path markdown;
        String note;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--warmup" -> o.warmup = count(arg, value(args, ++i, arg), 0);
                    case "--rounds" -> o.rounds = count(arg, value(args, ++i, arg), 1);
                    case "--cli-warmup" -> o.cliWarmup = count(arg, value(args, ++i, arg), 0);
                    case "--cli-rounds" -> o.cliRounds = count(arg, value(args, ++i, arg), 1);
                    case "--pause-ms" -> o.pauseMs = count(arg, value(args, ++i, arg), 0);
                    case "--only" -> {
                        o.only = value(args, ++i, arg);
                        if (!List.of("all", "inprocess", "cli").contains(o.only)) {
                            throw new IllegalArgumentException("--only takes inprocess, cli or all, not " + o.only);
                        }
                    }
                    case "--no-breakdown" -> o.breakdown = false;
                    case "--no-network" -> o.network = false;
                    case "--root" -> o.root = Path.of(value(args, ++i, arg)).toAbsolutePath().normalize();
                    case "--markdown" -> o.markdown = Path.of(value(args, ++i, arg)).toAbsolutePath().normalize();
                    case "--note" -> o.note = value(args, ++i, arg);
                    case "-h", "--help" -> o.help = true;
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            return o;
        }

        boolean runInProcess() {
            return !only.equals("cli");
        }

        boolean runCli() {
            return !only.equals("inprocess");
        }

        /** The command that reproduces one benchmark's section with this run's settings. */
        String reproduce(String section) {
            StringBuilder sb = new StringBuilder("scripts/bench.sh --only ").append(section);
            sb.append(" --pause-ms ").append(pauseMs);
            if (section.equals("inprocess")) {
                sb.append(" --warmup ").append(warmup).append(" --rounds ").append(rounds);
                if (!breakdown) {
                    sb.append(" --no-breakdown");
                }
                if (!network) {
                    sb.append(" --no-network");
                }
            } else {
                sb.append(" --cli-warmup ").append(cliWarmup).append(" --cli-rounds ").append(cliRounds);
            }
            return sb.toString();
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int count(String option, String text, int min) {
            try {
                int n = Integer.parseInt(text);
                if (n < min) {
                    throw new IllegalArgumentException(option + " must be at least " + min);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes a number, not " + text);
            }
        }
    }
}
