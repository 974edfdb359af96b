package dev.agentkernel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.sandbox.PauseSettings;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.sandbox.SandboxState;
import dev.agentkernel.server.Daemon;
import dev.agentkernel.server.DaemonConfig;
import dev.agentkernel.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Benchmark of pausing and resuming persistent sandboxes through a real daemon in this process
 * (bwrap backend, the host's cgroup freezer), variants interleaved round by round:
 * <ul>
 *   <li>pause and resume latency of an idle sandbox (its agent only) and of a busy one (a shell
 *       loop using its CPU), over HTTP ({@code POST /sandboxes/NAME/pause|resume}) and through
 *       {@link SandboxManager} directly (no HTTP);</li>
 *   <li>an exec ({@code true}) on a running sandbox against the first exec after an automatic
 *       (idle) pause, which resumes it, and after a pause by its owner.</li>
 * </ul>
 * Writes the section {@code pause} of BENCHMARKS.md. Run as root. Usage:
 * {@code scripts/bench.sh --only pause [--rounds N] [--idle-rounds N]}.
 */
public final class PauseBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUSY_LOOP = "setsid sh -c 'while :; do :; done' </dev/null >/dev/null 2>&1 &";
    private static final String USAGE = """
            usage: PauseBench [--rounds N] [--idle-rounds N] [--markdown FILE] [--root DIR]
              --rounds N       measured pause/resume pairs and execs per variant (default 300, after 30 warm-up)
              --idle-rounds N  measured first execs after an automatic pause (default 20, after 2 warm-up;
                               each waits the idle time, 1 s, and the pauser's tick)
              --markdown FILE  rewrite the 'pause' section of this file (BENCHMARKS.md)""";

    private int rounds = 300;
    private int idleRounds = 20;
    private Path markdown;
    private LeanHttpClient http;
    private SandboxManager sandboxes;

    private PauseBench() {
    }

    /** Entry point; see {@code --help}. */
    public static void main(String[] args) throws Exception {
        PauseBench bench = new PauseBench();
        BenchArgs options = new BenchArgs(USAGE)
                .number("--rounds", v -> bench.rounds = v)
                .number("--idle-rounds", v -> bench.idleRounds = v);
        if (!options.parse(args)) {
            return;
        }
        bench.markdown = options.markdown().orElse(null);
        bench.run();
        System.exit(0);
    }

    /** One measured variant. */
    private record Row(String name, Samples samples, double targetP50Ms) {
        Row(String name, double targetP50Ms) {
            this(name, new Samples(), targetP50Ms);
        }

        Row(String name) {
            this(name, Double.NaN);
        }
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("ak-pausebench-");
        try {
            HostContext host = HostContext.current().withDirs(Files.createDirectories(dir.resolve("state")),
                    Files.createDirectories(dir.resolve("runtime")));
            DaemonConfig config = DaemonConfig.defaults(new ServerConfig("127.0.0.1", 0, List.of(), 16L << 20))
                    .withBackend(Optional.of("bwrap")).withPoolSize(0)
                    .withPausing(new PauseSettings(true, Optional.of(PauseSettings.MIN_IDLE)));
            config = config.withSessions(config.sessions().withPoolPerTemplate(0));
            try (Daemon daemon = Daemon.start(config, host);
                 LeanHttpClient client = new LeanHttpClient("127.0.0.1", daemon.port())) {
                http = client;
                sandboxes = daemon.sandboxes();
                for (String name : List.of("bench-idle", "bench-busy")) {
                    requireStatus(post("/sandboxes", "{\"name\": \"" + name + "\", \"network\": false, \"image\": \"host\"}"), 201);
                }
                exec("bench-busy", List.of("sh", "-c", BUSY_LOOP));
                String load = Machine.loadAverage();
                List<Row> latency = pauseAndResume();
                List<Row> execs = execs();
                String md = markdown(latency, execs, load, Machine.loadAverage());
                System.out.println(md);
                if (markdown != null) {
                    Report.updateSection(markdown, "pause", md);
                    System.err.println("bench: updated section 'pause' of " + markdown);
                }
                for (String name : List.of("bench-idle", "bench-busy")) {
                    http.delete("/sandboxes/" + name);
                }
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    // ---------------------------------------------------------------- pause and resume

    private List<Row> pauseAndResume() throws IOException {
        Row pauseHttp = new Row("pause, idle sandbox, over HTTP", 10);
        Row resumeHttp = new Row("resume, idle sandbox, over HTTP", 10);
        Row pauseDirect = new Row("pause, idle sandbox, SandboxManager (no HTTP)");
        Row resumeDirect = new Row("resume, idle sandbox, SandboxManager (no HTTP)");
        Row pauseBusy = new Row("pause, sandbox running a busy loop, over HTTP", 10);
        Row resumeBusy = new Row("resume, sandbox running a busy loop, over HTTP", 10);
        List<Row> all = List.of(pauseHttp, resumeHttp, pauseDirect, resumeDirect, pauseBusy, resumeBusy);
        int warmUp = 30;
        for (int round = 0; round < warmUp + rounds; round++) {
            timeHttp(pauseHttp, "/sandboxes/bench-idle/pause", "paused");
            timeHttp(resumeHttp, "/sandboxes/bench-idle/resume", "running");
            time(pauseDirect, () -> require(sandboxes.pause("bench-idle").status(), SandboxState.PAUSED));
            time(resumeDirect, () -> require(sandboxes.resume("bench-idle").status(), SandboxState.RUNNING));
            timeHttp(pauseBusy, "/sandboxes/bench-busy/pause", "paused");
            timeHttp(resumeBusy, "/sandboxes/bench-busy/resume", "running");
            if (round == warmUp - 1) {
                all.forEach(r -> r.samples().clear());
            }
        }
        return all;
    }

    // ---------------------------------------------------------------- first exec after a pause

    private List<Row> execs() throws Exception {
        Row running = new Row("exec `true` on a running sandbox (HTTP)");
        Row afterOwnerPause = new Row("first exec `true` after a pause by its owner (resumes it; HTTP)");
        Row afterIdlePause = new Row("first exec `true` after an automatic pause (idle 1 s; resumes it; HTTP)");
        int warmUp = 30;
        for (int round = 0; round < warmUp + rounds; round++) {
            time(running, () -> exec("bench-idle", List.of("true")));
            post("/sandboxes/bench-idle/pause", "");
            time(afterOwnerPause, () -> exec("bench-idle", List.of("true")));
            if (round == warmUp - 1) {
                running.samples().clear();
                afterOwnerPause.samples().clear();
            }
        }
        for (int round = 0; round < 2 + idleRounds; round++) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (sandboxes.get("bench-idle").status() != SandboxState.PAUSED) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("bench-idle did not pause itself within 30 s");
                }
                Thread.sleep(5);
            }
            time(afterIdlePause, () -> exec("bench-idle", List.of("true")));
            if (round == 1) {
                afterIdlePause.samples().clear();
            }
        }
        return List.of(running, afterOwnerPause, afterIdlePause);
    }

    // ---------------------------------------------------------------- helpers

    private interface Action {
        void run() throws Exception;
    }

    private static void time(Row row, Action action) {
        long t0 = System.nanoTime();
        try {
            action.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        row.samples().add(System.nanoTime() - t0);
    }

    private void timeHttp(Row row, String path, String status) {
        time(row, () -> {
            String got = requireStatus(post(path, ""), 200).path("data").path("status").asText();
            if (!got.equals(status)) {
                throw new IllegalStateException(path + " answered status " + got + ", expected " + status);
            }
        });
    }

    private static void require(SandboxState got, SandboxState wanted) {
        if (got != wanted) {
            throw new IllegalStateException("status " + got + ", expected " + wanted);
        }
    }

    private LeanHttpClient.Response post(String path, String json) throws IOException {
        return http.post(path, json);
    }

    private void exec(String name, List<String> argv) throws IOException {
        JsonNode data = requireStatus(post("/sandboxes/" + name + "/exec",
                JSON.writeValueAsString(java.util.Map.of("command", argv))), 200).path("data");
        if (data.path("exit_code").asInt(-1) != 0) {
            throw new IllegalStateException("exec " + argv + " failed: " + data);
        }
    }

    private static JsonNode requireStatus(LeanHttpClient.Response r, int status) throws IOException {
        if (r.status() != status) {
            throw new IllegalStateException("HTTP " + r.status() + " (expected " + status + "): " + r.text());
        }
        return JSON.readTree(r.body());
    }

    private String markdown(List<Row> latency, List<Row> execs, String loadBefore, String loadAfter) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Pause and resume\n\n");
        sb.append(String.format(Locale.ROOT, "Measured %s UTC with `scripts/bench.sh --only pause` (harness "
                        + "`dev.agentkernel.bench.PauseBench`): a real daemon in process (bwrap backend, %s, the sandbox's "
                        + "cgroup frozen and thawed; idle pause after 1 s), variants interleaved round by round; load "
                        + "average %s before, %s after. Each pause returns once the kernel reports the group frozen.%n%n",
                ZonedDateTime.now(ZoneOffset.UTC).toLocalDateTime().withNano(0), Machine.cgroupMode(), loadBefore,
                loadAfter));
        sb.append("Pause and resume latency (").append(rounds).append(" rounds each after 30 warm-up):\n\n");
        table(sb, latency);
        sb.append("\nExec on a running sandbox against the first exec after a pause (").append(rounds)
                .append(" rounds; after an automatic pause ").append(idleRounds)
                .append(" rounds, each after waiting for the idle pause):\n\n");
        table(sb, execs);
        return sb.toString();
    }

    private static void table(StringBuilder sb, List<Row> rows) {
        sb.append("| Variant | n | p50 (ms) | p90 (ms) | p99 (ms) | mean (ms) | Target |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---|\n");
        for (Row row : rows) {
            Stats s = row.samples().stats();
            sb.append("| ").append(row.name()).append(" | ").append(s.n()).append(" | ").append(Report.ms(s.p50()))
                    .append(" | ").append(Report.ms(s.p90())).append(" | ").append(Report.ms(s.p99())).append(" | ")
                    .append(Report.ms(s.mean())).append(" | ").append(Double.isNaN(row.targetP50Ms()) ? ""
                            : String.format(Locale.ROOT, "p50 ≤ %.0f ms %s", row.targetP50Ms(),
                                    s.p50() <= row.targetP50Ms() ? "✓" : "✗")).append(" |\n");
        }
    }
}
