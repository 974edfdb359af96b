package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.core.audit.RequestId;
import dev.agentkernel.testing.SandboxHost;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} and request ids against a real daemon (a fresh one per test, so that counts
 * start at zero): after a known sequence of requests the scrape, parsed by the official Prometheus
 * Python client's text-format parser ({@code prometheus_client.parser}, Debian's
 * {@code python3-prometheus-client}), holds exactly the counts that sequence makes; without the
 * key it is 401. Every request gets an id (its own when well-formed) in {@code X-Request-Id}, on
 * its access log line and in the audit events it causes.
 */
class MetricsIT {

    static final String KEY = "metrics-it-key-5c1e";
    static final String PARSER = "/usr/bin/python3";
    static final Path SCRIPT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .resolve("src/test/python/parse_metrics.py");

    ServerFixture fx;
    /** Held strongly: java.util.logging keeps loggers only weakly, and with them their handlers. */
    final Logger accessLogger = Logger.getLogger(AccessLog.LOGGER);
    final List<Access> accessLines = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            Object[] params = record.getParameters();
            if (params != null && params.length == 1 && params[0] instanceof Map<?, ?> fields) {
                // published on the request's thread: the id bound there is the one every line of it carries
                Map<String, Object> copy = new LinkedHashMap<>();
                fields.forEach((k, v) -> copy.put(String.valueOf(k), v));
                accessLines.add(new Access(copy, RequestId.current().orElse(null)));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    record Access(Map<String, Object> fields, String requestId) {
    }

    @BeforeEach
    void start() throws IOException {
        ServerFixture.assumeSandboxHost();
        SandboxHost.require(Files.isExecutable(Path.of(PARSER)) && parserInstalled(),
                "MetricsIT parses the scrape with the Prometheus Python client's parser: apt-get install "
                        + "python3-prometheus-client; skipped");
        fx = ServerFixture.start(8, List.of(KEY));
        accessLogger.addHandler(capture);
    }

    @AfterEach
    void stop() throws IOException {
        accessLogger.removeHandler(capture);
        if (fx != null) {
            try {
                fx.awaitNothingLeftBehind(Duration.ofSeconds(5));
            } finally {
                fx.close();
                fx = null;
            }
        }
    }

    @Test
    void aKnownSequenceOfRequestsGivesExactCounts() throws Exception {
        ServerFixture.Response refused = fx.send(HttpRequest.newBuilder(fx.uri("/metrics")).GET().build());
        assertThat(refused.status()).as("/metrics without the key: %s", refused).isEqualTo(401);
        for (int i = 0; i < 3; i++) {
            ServerFixture.Response run = fx.run(List.of("echo", "run " + i), Map.of());
            assertThat(run.status()).as("%s", run).isEqualTo(200);
        }
        ServerFixture.Response bad = fx.post("/run", "{\"command\": []}");
        assertThat(bad.status()).as("%s", bad).isEqualTo(400);
        ServerFixture.Response created = fx.post("/sandboxes", "{\"name\": \"metrics-box\"}");
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        ServerFixture.Response removed = fx.send(fx.request("/sandboxes/metrics-box").DELETE().build());
        assertThat(removed.status()).as("%s", removed).isEqualTo(200);
        ServerFixture.Response executed = fx.post("/execute", "{\"code\": \"print(6 * 7)\"}");
        assertThat(executed.status()).as("%s", executed).isEqualTo(200);
        assertThat(executed.data().path("stdout").asText()).contains("42");
        ServerFixture.Response ended = fx.send(fx.request("/sessions/" + executed.data().path("session_id").asText())
                .DELETE().build());
        assertThat(ended.status()).as("%s", ended).isEqualTo(200);
        ServerFixture.Response nowhere = fx.get("/no/such/route");
        assertThat(nowhere.status()).isEqualTo(404);
        int auditEvents = fx.get("/audit").data().size();

        // a request is counted once its answer is sent: wait for the last one, then read exact counts
        Scrape s = scrapeUntil(x -> x.count("agentkernel_http_requests_seconds", "GET", "/audit", "200") == 1);
        Map<List<String>, Double> http = s.byLabels("agentkernel_http_requests_seconds_count", "method", "route", "status");
        assertThat(http).as("HTTP requests by method, route template and status")
                .containsEntry(List.of("GET", "/metrics", "401"), 1.0)
                .containsEntry(List.of("POST", "/run", "200"), 3.0)
                .containsEntry(List.of("POST", "/run", "400"), 1.0)
                .containsEntry(List.of("POST", "/sandboxes", "201"), 1.0)
                .containsEntry(List.of("DELETE", "/sandboxes/{name}", "200"), 1.0)
                .containsEntry(List.of("POST", "/execute", "200"), 1.0)
                .containsEntry(List.of("DELETE", "/sessions/{id}", "200"), 1.0)
                .containsEntry(List.of("GET", "unmatched", "404"), 1.0)
                .containsEntry(List.of("GET", "/audit", "200"), 1.0);
        assertThat(http.keySet()).as("only route templates, never raw paths")
                .noneMatch(k -> k.get(1).contains("metrics-box"));
        Map<List<String>, Double> starts = s.byLabels("agentkernel_sandbox_start_seconds_count",
                "kind", "path", "backend", "outcome");
        assertThat(starts).as("sandbox starts").isEqualTo(Map.of(
                List.of("run", "cold", "bwrap", "ok"), 3.0,
                List.of("sandbox", "cold", "bwrap", "ok"), 1.0,
                List.of("session", "cold", "bwrap", "ok"), 1.0));
        assertThat(s.value("agentkernel_sandbox_start_seconds_bucket", Map.of("kind", "run", "path", "cold",
                "backend", "bwrap", "outcome", "ok", "le", "+Inf"))).isEqualTo(3.0);
        assertThat(s.byLabels("agentkernel_code_executions_seconds_count", "outcome"))
                .isEqualTo(Map.of(List.of("ok"), 1.0));
        Map<List<String>, Double> audit = s.byLabels("agentkernel_audit_events_total", "type");
        assertThat(audit).containsEntry(List.of("sandbox_created"), 1.0)
                .containsEntry(List.of("sandbox_started"), 1.0)
                .containsEntry(List.of("sandbox_removed"), 1.0);
        assertThat(audit.values().stream().mapToDouble(Double::doubleValue).sum())
                .as("audit events counted: as many as the audit log holds %s", audit).isEqualTo(auditEvents);
        Map<List<String>, Double> sandboxes = s.byLabels("agentkernel_sandboxes", "state", "backend");
        assertThat(sandboxes).isEqualTo(Map.of(List.of("running", "bwrap"), 0.0, List.of("stopped", "bwrap"), 0.0,
                List.of("paused", "bwrap"), 0.0));
        assertThat(s.byLabels("agentkernel_tasks", "state")).isEqualTo(Map.of(List.of("running"), 0.0,
                List.of("completed"), 0.0, List.of("failed"), 0.0, List.of("timeout"), 0.0, List.of("cancelled"), 0.0));
        assertThat(s.value("agentkernel_code_sessions", Map.of())).isEqualTo(0.0);
        assertThat(s.value("agentkernel_pool_served_total", Map.of())).isEqualTo(0.0);
        assertThat(s.value("agentkernel_pool_misses_total", Map.of())).isEqualTo(0.0);
        assertThat(s.byLabels("agentkernel_pool_sandboxes", "state"))
                .isEqualTo(Map.of(List.of("ready"), 0.0, List.of("starting"), 0.0));
        assertThat(s.value("agentkernel_pool_interpreters_served_total", Map.of())).isEqualTo(0.0);
        assertThat(s.value("agentkernel_pool_interpreters_misses_total", Map.of())).isEqualTo(0.0);
        assertThat(s.byLabels("agentkernel_pool_interpreters", "state"))
                .isEqualTo(Map.of(List.of("ready"), 0.0, List.of("starting"), 0.0));
        assertThat(s.types()).containsEntry("agentkernel_http_requests_seconds", "histogram")
                .containsEntry("agentkernel_audit_events", "counter")
                .containsEntry("agentkernel_sandboxes", "gauge");

        // a gauge follows the state: a running sandbox is counted while it runs
        assertThat(fx.post("/sandboxes", "{\"name\": \"metrics-gauge\"}").status()).isEqualTo(201);
        try {
            Scrape running = scrape();
            assertThat(running.byLabels("agentkernel_sandboxes", "state", "backend"))
                    .containsEntry(List.of("running", "bwrap"), 1.0);
        } finally {
            assertThat(fx.send(fx.request("/sandboxes/metrics-gauge").DELETE().build()).status()).isEqualTo(200);
        }
    }

    @Test
    void everyRequestHasAnIdInItsAnswerItsLogLineAndItsAuditEvents() throws Exception {
        ServerFixture.Response created = fx.send(fx.request("/sandboxes").header("X-Request-Id", "it-create-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"ids-box\"}")).build());
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.raw().headers().firstValue("X-Request-Id")).as("a well-formed id is kept").hasValue("it-create-1");
        // a background process's end, recorded later on another thread, carries the id of the request that started it
        ServerFixture.Response detached = fx.send(fx.request("/sandboxes/ids-box/exec/detach").header("X-Request-Id", "it-bg-1")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"sh\", \"-c\", \"sleep 0.2\"]}")).build());
        assertThat(detached.status()).as("%s", detached).isIn(200, 201, 202);
        long ends = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fx.get("/audit").data().findValues("event").stream().noneMatch(e -> e.asText().equals("background_exited"))
                && System.nanoTime() < ends) {
            Thread.sleep(50);
        }
        ServerFixture.Response removed = fx.send(fx.request("/sandboxes/ids-box").header("X-Request-Id", "x".repeat(200))
                .DELETE().build());
        assertThat(removed.status()).isEqualTo(200);
        String removeId = removed.raw().headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(removeId).as("a too long id is replaced").matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        ServerFixture.Response plain = fx.get("/health");
        String healthId = plain.raw().headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(healthId).as("no id: one is made").isNotBlank().isNotEqualTo(removeId);
        ServerFixture.Response refused = fx.send(HttpRequest.newBuilder(fx.uri("/sandboxes")).header("X-Request-Id", "it-refused")
                .GET().build());
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.raw().headers().firstValue("X-Request-Id")).as("refused requests have their id too").hasValue("it-refused");

        Map<String, String> idByEvent = new LinkedHashMap<>();
        for (JsonNode e : fx.get("/audit").data()) {
            if ("ids-box".equals(e.path("sandbox").asText())) {
                idByEvent.put(e.path("event").asText(), e.path("request_id").asText(null)); // details are fields of the event
            }
        }
        assertThat(idByEvent).as("audit events of ids-box and their request ids")
                .containsEntry("sandbox_created", "it-create-1")
                .containsEntry("sandbox_started", "it-create-1")
                .containsEntry("background_started", "it-bg-1")
                .containsEntry("background_exited", "it-bg-1")
                .containsEntry("sandbox_removed", removeId);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (accessLines.stream().noneMatch(a -> "it-refused".equals(a.requestId())) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<Access> lines = new ArrayList<>(accessLines);
        assertThat(lines).as("access log lines").anySatisfy(a -> {
            assertThat(a.requestId()).isEqualTo("it-create-1");
            assertThat(a.fields()).containsEntry("method", "POST").containsEntry("route", "/sandboxes")
                    .containsEntry("status", 201).containsEntry("path", "/sandboxes");
        }).anySatisfy(a -> {
            assertThat(a.requestId()).isEqualTo(removeId);
            assertThat(a.fields()).containsEntry("route", "/sandboxes/{name}").containsEntry("status", 200);
        }).anySatisfy(a -> {
            assertThat(a.requestId()).isEqualTo("it-refused");
            assertThat(a.fields()).containsEntry("status", 401);
        });
        assertThat(lines).as("one line per request, each with its id").allSatisfy(a -> assertThat(a.requestId()).isNotBlank());
    }

    // ---- the scrape ---------------------------------------------------------------------------

    private Scrape scrape() throws Exception {
        ServerFixture.Response r = fx.get("/metrics");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo(PrometheusMetrics.CONTENT_TYPE);
        Path text = Files.createTempFile("metrics-it-", ".txt");
        try {
            Files.writeString(text, r.body());
            ProcessBuilder pb = new ProcessBuilder(PARSER, SCRIPT.toString()).redirectInput(text.toFile())
                    .redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("the parser refused the scrape: %s%n%s", out, r.body()).isZero();
            return new Scrape(ServerFixture.JSON.readTree(out), r.body());
        } finally {
            Files.deleteIfExists(text);
        }
    }

    private Scrape scrapeUntil(java.util.function.Predicate<Scrape> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Scrape s = scrape();
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            s = scrape();
        }
        return s;
    }

    private static boolean parserInstalled() {
        try {
            Process p = new ProcessBuilder(PARSER, "-c", "import prometheus_client.parser").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The parser's samples. */
    record Scrape(JsonNode samples, String text) {

        /** The value of the sample {@code name} with exactly {@code labels}; fails if absent. */
        double value(String name, Map<String, String> labels) {
            for (JsonNode s : samples) {
                if (s.path("name").asText().equals(name) && labels(s).equals(labels)) {
                    return s.path("value").asDouble();
                }
            }
            throw new AssertionError("no sample " + name + labels + " in:\n" + text);
        }

        /** Every sample {@code name}, by the values of {@code keys} (which must be all its labels). */
        Map<List<String>, Double> byLabels(String name, String... keys) {
            Map<List<String>, Double> out = new LinkedHashMap<>();
            for (JsonNode s : samples) {
                if (s.path("name").asText().equals(name)) {
                    Map<String, String> labels = labels(s);
                    assertThat(labels.keySet()).as("labels of %s", name).containsExactlyInAnyOrder(keys);
                    List<String> values = new ArrayList<>();
                    for (String k : keys) {
                        values.add(labels.get(k));
                    }
                    out.put(values, s.path("value").asDouble());
                }
            }
            return out;
        }

        /** The {@code _count} of a histogram's label set, 0 when absent. */
        double count(String family, String method, String route, String status) {
            return byLabels(family + "_count", "method", "route", "status")
                    .getOrDefault(List.of(method, route, status), 0.0);
        }

        /** Each family's type. */
        Map<String, String> types() {
            Map<String, String> out = new LinkedHashMap<>();
            samples.forEach(s -> out.put(s.path("family").asText(), s.path("type").asText()));
            return out;
        }

        private static Map<String, String> labels(JsonNode sample) {
            Map<String, String> labels = new LinkedHashMap<>();
            sample.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            return labels;
        }
    }
}
