package dev.agentkernel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.pool.WarmPool;
import dev.agentkernel.core.session.DriverConnection;
import dev.agentkernel.core.session.DriverFiles;
import dev.agentkernel.core.session.DriverResult;
import dev.agentkernel.core.session.ExecuteRequest;
import dev.agentkernel.core.session.ExecuteResult;
import dev.agentkernel.core.session.Interpreter;
import dev.agentkernel.core.session.InterpreterKey;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.core.session.SessionManager;
import dev.agentkernel.server.Daemon;
import dev.agentkernel.server.DaemonConfig;
import dev.agentkernel.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Benchmark of stateful code sessions through a real daemon in this process (bwrap backend),
 * interleaved round by round with baselines measured in the same run:
 * <ul>
 *   <li>a warm round trip, {@code x += 1} in one Python session: over HTTP (a curl-like client),
 *       through the {@link SessionManager} directly (no HTTP), and to a Python driver running
 *       as a plain local process (no sandbox, no agent);</li>
 *   <li>the first execution in a new session: served by the interpreter pool, started cold (a
 *       session with its own volume is never served from the pool), and a plain local driver
 *       started and asked once.</li>
 * </ul>
 * Writes the section {@code sessions} of BENCHMARKS.md. Run as root. Usage:
 * {@code scripts/bench.sh --only sessions [--rounds N] [--first-rounds N]}.
 */
public final class SessionBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POOL_WAIT = Duration.ofSeconds(60);
    private static final String USAGE = """
            usage: SessionBench [--rounds N] [--first-rounds N] [--markdown FILE] [--root DIR]
              --rounds N        measured warm round trips per variant (default 1000, after 100 warm-up)
              --first-rounds N  measured first executions per variant (default 60, after 5 warm-up)
              --markdown FILE   rewrite the 'sessions' section of this file (BENCHMARKS.md)""";

    private int rounds = 1000;
    private int firstRounds = 60;
    private Path markdown;
    private LeanHttpClient http;
    private SessionManager sessions;
    private Path shared;

    private SessionBench() {
    }

    /** Entry point; see {@code --help}. */
    public static void main(String[] args) throws Exception {
        SessionBench bench = new SessionBench();
        BenchArgs options = new BenchArgs(USAGE)
                .number("--rounds", v -> bench.rounds = v)
                .number("--first-rounds", v -> bench.firstRounds = v);
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
        Path dir = Files.createTempDirectory("ak-sessionbench-");
        try {
            HostContext host = HostContext.current().withDirs(Files.createDirectories(dir.resolve("state")),
                    Files.createDirectories(dir.resolve("runtime")));
            shared = Files.createDirectories(dir.resolve("shared"));
            DaemonConfig config = DaemonConfig.defaults(new ServerConfig("127.0.0.1", 0, List.of(), 16L << 20))
                    .withBackend(Optional.of("bwrap")).withPoolSize(0).withAllowedDirs(List.of(shared));
            config = config.withSessions(config.sessions().withMaxSessions(64).withPoolPerTemplate(1));
            try (Daemon daemon = Daemon.start(config, host);
                 LeanHttpClient client = new LeanHttpClient("127.0.0.1", daemon.port())) {
                http = client;
                sessions = daemon.sessions();
                WarmPool<InterpreterKey, Interpreter> pool = sessions.pool().orElseThrow();
                if (!pool.awaitWarm(POOL_WAIT)) {
                    throw new IllegalStateException("the interpreter pool did not fill: " + pool.stats());
                }
                Path drivers = DriverFiles.extractTo(dir.resolve("drivers"));
                String load = Machine.loadAverage();
                List<Row> warm = warmRoundTrips(drivers);
                List<Row> first = firstExecutions(drivers, pool);
                String md = markdown(warm, first, load, Machine.loadAverage());
                System.out.println(md);
                if (markdown != null) {
                    Report.updateSection(markdown, "sessions", md);
                    System.err.println("bench: updated section 'sessions' of " + markdown);
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

    // ---------------------------------------------------------------- warm round trip

    private List<Row> warmRoundTrips(Path drivers) throws Exception {
        Row overHttp = new Row("`x += 1` over HTTP (POST /execute, curl-like client)", 2);
        Row direct = new Row("`x += 1` through SessionManager (no HTTP)");
        Row local = new Row("baseline: `x += 1` to a local python3 driver (no sandbox)");
        Row node = new Row("`n += 1` over HTTP, node session");
        Row bash = new Row("`N=$((N+1))` over HTTP, bash session");
        String python = created(Map.of("template", "python", "code", "x = 0"));
        String nodeSession = created(Map.of("template", "node", "code", "var n = 0"));
        String bashSession = created(Map.of("template", "bash", "code", "N=0"));
        long increments = 0;
        Process process = new ProcessBuilder(InterpreterTemplate.PYTHON.commandInDirectory(drivers.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (DriverConnection raw = DriverConnection.forProcess(InterpreterTemplate.PYTHON, process)) {
            raw.execute("x = 0");
            List<Runnable> variants = List.of(
                    () -> time(overHttp, () -> requireOk(post(Map.of("session_id", python, "code", "x += 1")))),
                    () -> time(direct, () -> requireOk(sessions.execute(ExecuteRequest.inSession(python, "x += 1")))),
                    () -> time(local, () -> requireOk(raw.execute("x += 1"))),
                    () -> time(node, () -> requireOk(post(Map.of("session_id", nodeSession, "code", "n += 1; undefined")))),
                    () -> time(bash, () -> requireOk(post(Map.of("session_id", bashSession, "code", "N=$((N+1))")))));
            int warmUp = 100;
            for (int round = 0; round < warmUp + rounds; round++) {
                for (int k = 0; k < variants.size(); k++) {
                    variants.get((round + k) % variants.size()).run();
                }
                increments += 2;
                if (round == warmUp - 1) {
                    for (Row r : List.of(overHttp, direct, local, node, bash)) {
                        r.samples().clear();
                    }
                }
            }
            String x = post(Map.of("session_id", python, "code", "x")).path("stdout").asText().strip();
            if (!x.equals(Long.toString(increments))) {
                throw new IllegalStateException("the session counted " + x + " increments, expected " + increments);
            }
        } finally {
            process.destroyForcibly();
        }
        for (String id : List.of(python, nodeSession, bashSession)) {
            http.delete("/sessions/" + id);
        }
        return List.of(overHttp, direct, local, node, bash);
    }

    // ---------------------------------------------------------------- first execution

    private List<Row> firstExecutions(Path drivers, WarmPool<InterpreterKey, Interpreter> pool) throws Exception {
        Row pooled = new Row("first execution in a new session, pooled interpreter (HTTP)", 20);
        Row cold = new Row("first execution in a new session, cold start (with a volume: not pooled; HTTP)");
        Row local = new Row("baseline: start a local python3 driver and run once (no sandbox)");
        int warmUp = 5;
        for (int round = 0; round < warmUp + firstRounds; round++) {
            if (!pool.awaitWarm(POOL_WAIT)) {
                throw new IllegalStateException("the interpreter pool did not refill: " + pool.stats());
            }
            Thread.sleep(50); // let the refill's teardown settle
            long served = pool.stats().served();
            String id = firstExec(pooled, Map.of("code", "print(1)"));
            if (pool.stats().served() != served + 1) {
                throw new IllegalStateException("the pooled round was not served by the pool");
            }
            http.delete("/sessions/" + id);
            http.delete("/sessions/" + firstExec(cold, Map.of("code", "print(1)", "volumes", List.of(shared + ":/data:ro"))));
            time(local, () -> {
                try {
                    Process p = new ProcessBuilder(InterpreterTemplate.PYTHON.commandInDirectory(drivers.toString()))
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    try (DriverConnection c = DriverConnection.forProcess(InterpreterTemplate.PYTHON, p)) {
                        requireOk(c.execute("print(1)"));
                    } finally {
                        p.destroyForcibly();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
            if (round == warmUp - 1) {
                for (Row r : List.of(pooled, cold, local)) {
                    r.samples().clear();
                }
            }
        }
        return List.of(pooled, cold, local);
    }

    private String firstExec(Row row, Map<String, ?> body) {
        JsonNode[] data = new JsonNode[1];
        time(row, () -> data[0] = requireOk(post(body)));
        if (!data[0].path("stdout").asText().equals("1\n") || !data[0].path("session_created").asBoolean()) {
            throw new IllegalStateException("unexpected first execution: " + data[0]);
        }
        return data[0].path("session_id").asText();
    }

    // ---------------------------------------------------------------- helpers

    private static void time(Row row, Supplier<?> action) {
        long t0 = System.nanoTime();
        action.get();
        row.samples().add(System.nanoTime() - t0);
    }

    private String created(Map<String, ?> body) {
        return requireOk(post(body)).path("session_id").asText();
    }

    private JsonNode post(Map<String, ?> body) {
        try {
            LeanHttpClient.Response r = http.post("/execute", JSON.writeValueAsString(new LinkedHashMap<>(body)));
            JsonNode json = JSON.readTree(r.body());
            if (r.status() != 200) {
                throw new IllegalStateException("POST /execute answered " + r.status() + ": " + r.text());
            }
            return json.path("data");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode requireOk(JsonNode data) {
        if (!data.path("success").asBoolean()) {
            throw new IllegalStateException("execution failed: " + data);
        }
        return data;
    }

    private static ExecuteResult requireOk(ExecuteResult r) {
        if (!r.success()) {
            throw new IllegalStateException("execution failed: " + r);
        }
        return r;
    }

    private static DriverResult requireOk(DriverResult r) {
        if (!r.success()) {
            throw new IllegalStateException("execution failed: " + r);
        }
        return r;
    }

    private String markdown(List<Row> warm, List<Row> first, String loadBefore, String loadAfter) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Code sessions\n\n");
        sb.append(String.format(Locale.ROOT, "Measured %s UTC with `scripts/bench.sh --only sessions` (harness "
                        + "`dev.agentkernel.bench.SessionBench`): a real daemon in process (bwrap backend, interpreter pool "
                        + "of 1 per template), variants interleaved round by round; load average %s before, %s after.%n%n",
                ZonedDateTime.now(ZoneOffset.UTC).toLocalDateTime().withNano(0), loadBefore, loadAfter));
        sb.append("Warm round trip in an existing session (").append(rounds).append(" rounds each after 100 warm-up):\n\n");
        table(sb, warm);
        sb.append("\nFirst execution in a new session, `print(1)` (").append(firstRounds)
                .append(" rounds each after 5 warm-up; the pool is refilled between rounds):\n\n");
        table(sb, first);
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
