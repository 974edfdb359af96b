package dev.agentkernel.bench;

import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.server.DaemonConfig;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The Markdown section of {@link ApiBench}: the setting, the latency table against raw
 * bubblewrap, the back-to-back and breakdown rows, the throughput table and an estimate of
 * where the time goes. Filled in by the harness as it measures.
 */
final class ApiReport {

    private final ApiOptions options;
    private final Machine machine;
    private final DaemonConfig config;
    private final SandboxSpec runSpec;
    /** How sandboxes with network are connected (slirp4netns, or the bridge). */
    private final String network;
    private final int rawArgs;
    String loadBefore;
    String loadAfter;
    ZonedDateTime date;
    Variant raw;
    Variant warm;
    Variant warmLean;
    Variant cold;
    Variant health;
    Variant refused;
    Variant contended;
    Variant inWarm;
    Variant agent;
    Variant inCold;
    Variant startNet;
    Variant startNoNet;
    Variant launch;
    Samples refill;
    Samples serverWarm;
    Samples serverCold;
    BackToBack backToBack;
    final List<Throughput> throughput = new ArrayList<>();

    ApiReport(ApiOptions options, Machine machine, DaemonConfig config, SandboxSpec runSpec, int rawArgs,
              String network) {
        this.network = network;
        this.options = options;
        this.machine = machine;
        this.config = config;
        this.runSpec = runSpec;
        this.rawArgs = rawArgs;
    }

    /** Failed requests: how many, and the first one's message. Thread-safe. */
    static final class Errors {
        int count;
        String first;

        synchronized void add(Throwable e) {
            add(1, e.getMessage() == null ? e.toString() : e.getMessage());
        }

        synchronized void add(int n, String message) {
            count += n;
            if (first == null && n > 0) {
                first = message;
            }
        }
    }

    /**
     * Sequential {@code fast} requests without a pause.
     *
     * @param all    every successful request
     * @param hit    those the pool served
     * @param miss   those that found the pool empty and took the cold path
     * @param served the pool's {@code served} counter's increase, from {@code GET /status}
     * @param missed the pool's {@code missed} counter's increase, from {@code GET /status}
     */
    record BackToBack(Samples all, Samples hit, Samples miss, Errors errors, long wallNanos, long served,
                      long missed) {
    }

    /** One sustained-throughput scenario: its repeats' wall times, errors and pool counters. */
    static final class Throughput {
        final String name;
        final int commands;
        final List<Long> walls = new ArrayList<>();
        final Errors errors = new Errors();
        final Samples latency = new Samples();
        long served;
        long missed;
        boolean pool = true;
        /** The target column's text for rows that are not AgentKernel (baselines), or null. */
        String target;
        /** Request sizes when one request could not carry all commands, or null. */
        int[] split;
        /** What the API answered to one request with all commands, when it refused it. */
        String refused;

        Throughput(String name, int commands) {
            this.name = name;
            this.commands = commands;
        }

        void add(long wallNanos, long servedDelta, long missedDelta) {
            walls.add(wallNanos);
            served += servedDelta;
            missed += missedDelta;
        }

        /** Runs per second of each repeat, sorted. */
        double[] rates() {
            return walls.stream().mapToDouble(w -> commands / (w / 1e9)).sorted().toArray();
        }

        double medianRate() {
            double[] r = rates();
            return r.length == 0 ? Double.NaN : r[(r.length - 1) / 2];
        }
    }

    // ---------------------------------------------------------------- Markdown

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## HTTP API: POST /run and batch\n\n");
        header(md);
        md.append("\n### Latency of one `POST /run` (`echo hi`), sequential, one keep-alive connection\n\n");
        latencyTable(md);
        if (health != null) {
            md.append("\n### Where the time goes\n\n");
            md.append("Same run, same rounds (interleaved with the rows above). The in-process rows call the same "
                    + "daemon's `RunService`, pool and backend directly. Δ p50 is this row's p50 minus the p50 of the "
                    + "row named; differences of medians are estimates, not exact sums.\n\n");
            breakdownTable(md);
            md.append('\n');
            estimate(md);
        }
        md.append("\n### Sustained throughput (`echo hi`, each command in its own fresh sandbox)\n\n");
        throughputTable(md);
        return md.toString();
    }

    private void header(StringBuilder md) {
        md.append("- **Date:** ").append(date.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
                .append('\n');
        md.append("- **Machine:** ").append(machine.summary()).append('\n');
        md.append("- **cgroups:** ").append(Machine.cgroupMode()).append("; favordynmods: ")
                .append(Machine.favordynmods()).append('\n');
        md.append("- **Load average (1/5/15 min):** ").append(loadBefore).append(" before, ").append(loadAfter)
                .append(" after\n");
        md.append("- **Reproduce (as root):** `").append(options.reproduce()).append("`\n");
        md.append("- **Daemon:** `Daemon.start` in the harness's JVM (bwrap backend, SQLite state and runtime in a "
                        + "temporary directory, Helidon on 127.0.0.1, port 0): warm pool of ")
                .append(config.poolSize()).append(" per key (refilled ").append(Runtime.getRuntime().availableProcessors())
                .append(" at a time), at most ").append(config.maxSandboxes())
                .append(" sandboxes at once. `/run` of `echo hi` resolves to the `")
                .append(runSpec.profile().id()).append("` profile with network `").append(runSpec.network())
                .append("` (").append(network).append("), which is also what the pool holds.\n");
        md.append("- **Client:** JDK `HttpClient`, HTTP/1.1, keep-alive; one client and one connection for the "
                + "sequential rows; every response checked (HTTP 200, `success`, `exit_code` 0, `output` \"hi\\n\"), "
                + "failures counted, never timed.\n");
        md.append("- **Method:** ").append(options.warmup).append(" warm-up rounds (dropped), then ")
                .append(options.rounds).append(" measured rounds; each round runs the variants once, round-robin, "
                        + "starting one later each round; the cold and breakdown rows run in ")
                .append(options.coldRounds).append(" of the rounds, spread evenly. Before every timed request the "
                        + "harness waits until the pool is full again (all ")
                .append(config.poolSize()).append(" ready, none starting) and then idles ").append(options.pauseMs)
                .append(" ms, so that no request competes with the pool's refill or the previous sandbox's "
                        + "clean-up. Wall-clock time from sending the request to having read the whole response. "
                        + "Nearest-rank percentiles.\n");
        md.append("- **Baseline:** raw `bwrap` started from Java with AgentKernel's own arguments for the same "
                        + "profile (the ").append(rawArgs)
                .append(" arguments of the backend's `IsolationBackend.commandLine`, seccomp filter on fd 3), but "
                        + "without network: a bare bwrap has no network wiring, so the cold `/run` pays for its "
                        + "network on top (see the breakdown).\n");
        if (options.note != null) {
            md.append("- **Note:** ").append(options.note).append('\n');
        }
        md.append(String.format(Locale.ROOT, "- **Targets:** warm `/run` p50 ≤ %s ms and p99 ≤ %s ms; ≥ %s isolated "
                        + "runs/s sustained on this %s-CPU machine.%n", num(ApiBench.WARM_P50_TARGET_MS),
                num(ApiBench.WARM_P99_TARGET_MS), num(ApiBench.RUNS_PER_SECOND_TARGET), machine.cpus()));
    }

    private void latencyTable(StringBuilder md) {
        Stats base = raw.stats();
        md.append("| Variant (`echo hi`) | n | p50 (ms) | p90 (ms) | p99 (ms) | min (ms) | max (ms) | p50 / raw p50 "
                + "| p99 / raw p99 | Target |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        row(md, raw.name, raw.stats(), failures(raw), base, "baseline");
        row(md, warm.name, warm.stats(), failures(warm), base, warmTarget(warm.stats()));
        row(md, warmLean.name, warmLean.stats(), failures(warmLean), base, warmTarget(warmLean.stats()));
        if (backToBack != null) {
            BackToBack b = backToBack;
            String errs = b.errors().count > 0 ? " (" + b.errors().count + " failed)" : "";
            row(md, "`POST /run` `\"fast\": true`, back to back, no pause: all (pool served " + b.served()
                    + ", missed " + b.missed() + ")", b.all().stats(), errs, base, warmTarget(b.all().stats()));
            row(md, "… of which served by the pool", b.hit().stats(), "", base, "—");
            row(md, "… of which found the pool empty (cold path)", b.miss().stats(), "", base, "—");
        }
        row(md, cold.name, cold.stats(), failures(cold), base, "— (reported)");
        List<String> errors = new ArrayList<>();
        for (Variant v : variants()) {
            if (v.failures() > 0) {
                errors.add("*" + v.shortName + "*: " + v.failures() + " failed, last: `" + v.lastError() + "`");
            }
        }
        if (backToBack != null && backToBack.errors().count > 0) {
            errors.add("*back to back*: " + backToBack.errors().count + " failed, first: `" + backToBack.errors().first
                    + "`");
        }
        md.append('\n').append("**Errors:** ").append(errors.isEmpty() ? "none (every response checked)."
                : String.join("; ", errors) + ".").append('\n');
        if (backToBack != null) {
            BackToBack b = backToBack;
            md.append(String.format(Locale.ROOT, "%n**Back to back:** %d sequential requests in %.2f s = %.1f runs/s "
                            + "on one connection; the pool (%d ready at the start, refilled %d at a time) served %d and "
                            + "missed %d (`GET /status` counters).%n", options.backToBack, b.wallNanos() / 1e9,
                    b.all().count() / (b.wallNanos() / 1e9), config.poolSize(),
                    Runtime.getRuntime().availableProcessors(), b.served(), b.missed()));
        }
    }

    private void breakdownTable(StringBuilder md) {
        md.append("| Part | n | p50 (ms) | p90 (ms) | p99 (ms) | min (ms) | max (ms) | Δ p50 |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        part(md, health.name, health.stats(), failures(health), "(itself)");
        part(md, refused.name, refused.stats(), failures(refused), vs(refused));
        part(md, contended.name, contended.stats(), failures(contended), vs(contended));
        part(md, "server-side `duration_ms` of the warm `/run` responses (`RunService.run`, whole ms)",
                serverWarm.stats(), "", "");
        part(md, inWarm.name, inWarm.stats(), failures(inWarm), vs(inWarm));
        part(md, agent.name, agent.stats(), failures(agent), vs(agent));
        part(md, "pool full again after a warm run, counted from its response (the refill began at the pool take; "
                + "waited for, not part of any request)", refill.stats(), "", "");
        part(md, launch.name, launch.stats(), failures(launch), vs(launch));
        part(md, "server-side `duration_ms` of the cold `/run` responses (whole ms)", serverCold.stats(), "", "");
        part(md, inCold.name, inCold.stats(), failures(inCold), vs(inCold));
        part(md, startNet.name, startNet.stats(), failures(startNet), vs(startNet));
        part(md, startNoNet.name, startNoNet.stats(), failures(startNoNet), vs(startNoNet) + "; "
                + Report.delta(p50(startNoNet) - p50(raw)) + " vs raw bwrap");
    }

    private void estimate(StringBuilder md) {
        double w = p50(warm);
        double s = p50(inWarm);
        double a = p50(agent);
        double h = p50(health);
        double contention = p50(contended) - h;
        md.append(String.format(Locale.ROOT, """
                **Warm path at p50.** `/run` with `fast` = **%s ms** (target ≤ %s ms: %s). In process the same run \
                takes %s ms: the agent's exec round trip (fork+exec of `echo` inside the sandbox, output and exit \
                status back over its pipes) %s ms, and `RunService` around it (spec resolution, image detection, run \
                slot, pool take, output collection) %s. The remaining %s are the HTTP exchange: an empty \
                `GET /health` round trip costs %s ms and a refused `POST /run` (body read, JSON parsed) %s ms when \
                nothing else runs, but right after a warm run the same `GET /health` costs %s ms (%s): the pool tears \
                the used sandbox down and starts its replacement in the background on the same %s CPUs while the \
                response is being written and read.
                """, Report.ms(w), num(ApiBench.WARM_P50_TARGET_MS), verdict(w, ApiBench.WARM_P50_TARGET_MS),
                Report.ms(s), Report.ms(a), est(s - a), est(w - s), Report.ms(h), Report.ms(p50(refused)),
                Report.ms(p50(contended)), Report.delta(contention), machine.cpus()));
        md.append(String.format(Locale.ROOT, """

                **Warm path at p99.** %s ms (target ≤ %s ms: %s); in process %s ms, agent exec alone %s ms. For \
                scale, in the same rounds: raw bwrap's p99 %s ms against its p50 %s ms, an empty `GET /health`'s p99 \
                %s ms.
                """, Report.ms(warm.stats().p99()), num(ApiBench.WARM_P99_TARGET_MS),
                verdict(warm.stats().p99(), ApiBench.WARM_P99_TARGET_MS), Report.ms(inWarm.stats().p99()),
                Report.ms(agent.stats().p99()), Report.ms(raw.stats().p99()), Report.ms(raw.stats().p50()),
                Report.ms(health.stats().p99())));
        double c = p50(cold);
        double sc = p50(inCold);
        double bn = p50(startNet);
        double bnn = p50(startNoNet);
        double r = p50(raw);
        md.append(String.format(Locale.ROOT, """

                **Cold path at p50.** `/run` without `fast` = **%s ms** = %s raw bwrap: HTTP + JSON %s; \
                `RunService` around the backend %s; network (%s) %s; cgroup, \
                launcher and supervision %s; raw bwrap itself %s ms.
                """, Report.ms(c), ratio(c / r), est(c - sc), est(sc - bn), network, est(bn - bnn), est(bnn - r),
                Report.ms(r)));
        double launchMs = p50(launch);
        int parallel = Runtime.getRuntime().availableProcessors();
        md.append(String.format(Locale.ROOT, """

                **Pool capacity.** Starting one pool sandbox (bwrap, network, agent handshake) takes %s ms at \
                p50 (measured alone, between requests), %d at a time: the pool can refill at most about %s \
                sandboxes/s, so any sustained rate above that takes the cold path (less in practice: the refills \
                compete with the requests for the same %d CPUs).
                """, Report.ms(launchMs), parallel, rate(parallel * 1000.0 / launchMs), parallel));
    }

    private void throughputTable(StringBuilder md) {
        double ceiling = throughput.stream().filter(t -> !t.pool).mapToDouble(Throughput::medianRate).findFirst()
                .orElse(Double.NaN);
        md.append("| Scenario | commands per repeat | repeats | runs/s (median) | runs/s (min–max) | ÷ raw bwrap "
                + "runs/s | wall p50 (s) | errors | pool served / missed | Target |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        List<String> notes = new ArrayList<>();
        for (Throughput t : throughput) {
            double[] rates = t.rates();
            long[] walls = t.walls.stream().mapToLong(Long::longValue).sorted().toArray();
            double wallP50 = walls.length == 0 ? Double.NaN : walls[(walls.length - 1) / 2] / 1e9;
            String name = t.name;
            if (t.split != null) {
                name += " — sent as " + t.split.length + " concurrent requests of " + joinSizes(t.split);
            }
            String target = t.target != null ? t.target
                    : "≥ " + num(ApiBench.RUNS_PER_SECOND_TARGET) + " runs/s: " + rateVerdict(t.medianRate());
            md.append("| ").append(name).append(" | ").append(t.commands).append(" | ").append(t.walls.size())
                    .append(" | ").append(rate(t.medianRate())).append(" | ")
                    .append(rates.length == 0 ? "—" : rate(rates[0]) + "–" + rate(rates[rates.length - 1]))
                    .append(" | ").append(ratio(t.medianRate() / ceiling)).append(" | ").append(String.format(Locale.ROOT, "%.2f", wallP50)).append(" | ")
                    .append(t.errors.count).append(" | ").append(t.pool ? t.served + " / " + t.missed : "—")
                    .append(" | ").append(target).append(" |\n");
            if (t.refused != null) {
                notes.add(t.refused + " (the API's cap), so it ran as " + t.split.length + " concurrent requests");
            }
            if (t.errors.count > 0) {
                notes.add("*" + t.name + "*: " + t.errors.count + " wrong results, first: `" + t.errors.first + "`");
            }
            if (t.latency.count() > 0) {
                Stats s = t.latency.stats();
                notes.add(String.format(Locale.ROOT, "*%s*: per request p50 %s ms, p90 %s ms, p99 %s ms, max %s ms",
                        t.name, Report.ms(s.p50()), Report.ms(s.p90()), Report.ms(s.p99()), Report.ms(s.max())));
            }
        }
        md.append('\n');
        md.append("Runs/s = commands ÷ wall time of a repeat (from sending the first request to the last response). "
                + "Before each repeat the pool is full (").append(config.poolSize())
                .append(" ready) and the machine idle; the pool serves what it holds and refills in the background "
                        + "while the rest take the cold path. A batch runs its commands at most ")
                .append(Math.max(1, config.maxSandboxes() / 2)).append(" at a time (half the sandbox limit).\n");
        double best = throughput.stream().filter(t -> t.pool).mapToDouble(Throughput::medianRate).max()
                .orElse(Double.NaN);
        if (!Double.isNaN(ceiling) && !Double.isNaN(best)) {
            md.append(String.format(Locale.ROOT, "%nThe raw bwrap row is the ceiling of this isolation on this "
                            + "machine: the same sandbox flags, without cgroup, network, agent or HTTP, as many at "
                            + "once. AgentKernel's best rate here is %s runs/s = %s of it; the target of %s runs/s is "
                            + "%s that ceiling.", rate(best), ratio(best / ceiling),
                    num(ApiBench.RUNS_PER_SECOND_TARGET), ratio(ApiBench.RUNS_PER_SECOND_TARGET / ceiling)));
            throughput.stream().filter(t -> "diagnostic".equals(t.target)).findFirst().ifPresent(d -> md.append(
                    String.format(Locale.ROOT, " Without the single `/etc` mounts the same raw bwrap reaches %s "
                            + "runs/s (%s the ceiling): every extra mount is set up and torn down per sandbox.",
                            rate(d.medianRate()), ratio(d.medianRate() / ceiling))));
            md.append('\n');
        }
        for (String n : notes) {
            md.append("\n- ").append(n);
        }
        if (!notes.isEmpty()) {
            md.append('\n');
        }
    }

    // ---------------------------------------------------------------- helpers

    private List<Variant> variants() {
        return Arrays.asList(raw, warm, warmLean, cold, health, refused, contended, inWarm, agent, inCold, startNet, startNoNet, launch).stream()
                .filter(v -> v != null).toList();
    }

    private static void row(StringBuilder md, String name, Stats s, String failures, Stats base, String target) {
        md.append("| ").append(name).append(" | ").append(s.n()).append(failures).append(" | ")
                .append(Report.ms(s.p50())).append(" | ").append(Report.ms(s.p90())).append(" | ")
                .append(Report.ms(s.p99())).append(" | ").append(Report.ms(s.min())).append(" | ")
                .append(Report.ms(s.max())).append(" | ").append(s.n() == 0 ? "—" : ratio(s.p50() / base.p50()))
                .append(" | ").append(s.n() == 0 ? "—" : ratio(s.p99() / base.p99())).append(" | ").append(target)
                .append(" |\n");
    }

    private static void part(StringBuilder md, String name, Stats s, String failures, String delta) {
        md.append("| ").append(name).append(" | ").append(s.n()).append(failures).append(" | ")
                .append(Report.ms(s.p50())).append(" | ").append(Report.ms(s.p90())).append(" | ")
                .append(Report.ms(s.p99())).append(" | ").append(Report.ms(s.min())).append(" | ")
                .append(Report.ms(s.max())).append(" | ").append(delta.isEmpty() ? "—" : delta).append(" |\n");
    }

    private static String failures(Variant v) {
        return v.failures() == 0 ? "" : " (" + v.failures() + " failed" + (v.disabled() ? ", dropped" : "") + ")";
    }

    private static String vs(Variant v) {
        return Report.delta(p50(v) - p50(v.reference)) + " vs " + v.reference.shortName;
    }

    private static double p50(Variant v) {
        return v.stats().p50();
    }

    private static String warmTarget(Stats s) {
        if (s.n() == 0) {
            return "no data";
        }
        return "p50 ≤ " + num(ApiBench.WARM_P50_TARGET_MS) + " ms: " + verdict(s.p50(), ApiBench.WARM_P50_TARGET_MS)
                + "; p99 ≤ " + num(ApiBench.WARM_P99_TARGET_MS) + " ms: " + verdict(s.p99(), ApiBench.WARM_P99_TARGET_MS);
    }

    /** "**met**" or "**missed** by X ms (Y×)". */
    private static String verdict(double value, double target) {
        if (Double.isNaN(value)) {
            return "no data";
        }
        return value <= target ? "**met**" : "**missed** by " + Report.ms(value - target) + " ms (" + ratio(value / target)
                + " the target)";
    }

    private static String rateVerdict(double rate) {
        if (Double.isNaN(rate)) {
            return "no data";
        }
        double target = ApiBench.RUNS_PER_SECOND_TARGET;
        return rate >= target ? "**met**" : String.format(Locale.ROOT, "**missed** by %.0f runs/s (%.0f%% of it)",
                target - rate, 100 * rate / target);
    }

    /** A difference of medians; a negative one is within the noise of its parts. */
    private static String est(double value) {
        return Report.ms(value) + " ms" + (value < 0 ? " (negative: within the noise)" : "");
    }

    private static String joinSizes(int[] sizes) {
        return String.join(" + ", Arrays.stream(sizes).mapToObj(Integer::toString).toList());
    }

    private static String ratio(double value) {
        return Report.ratio(value);
    }

    private static String rate(double value) {
        return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String num(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
