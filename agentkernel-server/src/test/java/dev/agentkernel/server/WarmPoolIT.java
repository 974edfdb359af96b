package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.HostProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The warm pool (2 sandboxes per key) behind {@code /run} and {@code /run/stream}: it warms up,
 * serves {@code fast} requests with the same results as the cold path, gives every request a
 * sandbox of its own (never reused), honours profile, env and timeout, and leaves nothing
 * behind when the daemon closes.
 */
class WarmPoolIT {

    static final int POOL_SIZE = 2;
    static final Duration WARM_LIMIT = Duration.ofSeconds(30);
    /**
     * The pool key of shell commands: the tests run with {@code AGENTKERNEL_DEFAULT_IMAGE=host}
     * (the parent POM), which also turns image detection off, so every request that names no
     * image is on the host's {@code /usr} and shares the key of the pool's default.
     */
    static final String SHELL_IMAGE = "host";
    static ServerFixture fx;

    @BeforeAll
    static void startDaemonWithPool() throws IOException {
        ServerFixture.assumeSandboxHost();
        fx = ServerFixture.start(8, List.of(), POOL_SIZE);
    }

    @AfterAll
    static void closeDaemon() {
        if (fx == null) {
            return;
        }
        try {
            fx.close();
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            fx = null;
        }
        SandboxTestBase.assertNothingOfThisJvmLeft();
    }

    // ---- status -------------------------------------------------------------------------------

    @Test
    void statusShowsThePoolWarmForTheDefaultKey() {
        JsonNode key = awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
        assertThat(key.path("image").asText()).isEqualTo(SHELL_IMAGE);
        assertThat(key.path("ready").asInt()).isEqualTo(POOL_SIZE);
        JsonNode pool = status().path("pool");
        assertThat(pool.path("enabled").asBoolean()).as("%s", pool).isTrue();
        assertThat(pool.path("target_per_key").asInt()).isEqualTo(POOL_SIZE);
        assertThat(pool.path("served").isIntegralNumber()).isTrue();
        assertThat(pool.path("missed").isIntegralNumber()).isTrue();
    }

    // ---- /run through the pool ----------------------------------------------------------------

    @Test
    void aPooledRunIsTheUnprivilegedUserUnlessItAsksForRoot() {
        for (boolean sudo : new boolean[] {false, true}) {
            awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
            long served = served();
            ServerFixture.Response r = fx.run(List.of("id", "-u"), Map.of("sudo", sudo));
            assertThat(r.data().path("stdout").asText()).as("sudo %s: %s", sudo, r).isEqualTo(sudo ? "0\n" : "1000\n");
            assertThat(served()).as("served from the pool").isEqualTo(served + 1);
        }
    }

    @Test
    void fastRunIsServedFromThePoolWithOutputAndExitCode() {
        awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
        long served = served();
        ServerFixture.Response r = fx.run(List.of("sh", "-c", "echo out; echo err >&2; exit 7"), Map.of());
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode data = r.data();
        assertThat(data.path("exit_code").asInt(-1)).as("%s", r).isEqualTo(7);
        assertThat(data.path("stdout").asText()).isEqualTo("out\n");
        assertThat(data.path("stderr").asText()).isEqualTo("err\n");
        assertThat(data.path("output").asText()).contains("out\n", "err\n").hasSize(8);
        assertThat(served()).as("served from the pool").isEqualTo(served + 1);

        // a command of no detected language: the default key, warmed at daemon start
        awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
        served = served();
        ServerFixture.Response argv = fx.run(List.of("printf", "[%s]", "a b", "$HOME", "c;d"), Map.of("fast", true));
        assertThat(argv.data().path("output").asText()).as("%s", argv).isEqualTo("[a b][$HOME][c;d]");
        assertThat(argv.data().path("exit_code").asInt(-1)).isZero();
        assertThat(served()).as("served from the default key").isEqualTo(served + 1);

        ServerFixture.Response python = fx.run(List.of("python3", "-c", "print(1+1)"), Map.of());
        assertThat(python.data().path("output").asText()).as("%s", python).isEqualTo("2\n");
    }

    @Test
    void anImageHasAKeyOfItsOwnAndItsPooledSandboxesRunOnIt() throws Exception {
        dev.agentkernel.image.TestImages images = dev.agentkernel.image.TestImages.get();
        String derived = images.ref(images.plain, "test/derived:1");
        awaitReady(derived, "moderate", POOL_SIZE);
        long served = served();
        ServerFixture.Response r = fx.run(List.of("sh", "-c", "cat /app/hello.txt; grep ^ID= /etc/os-release"),
                Map.of("image", derived, "fast", true));
        assertThat(r.data().path("output").asText()).as("%s", r).isEqualTo("hello from derived\nID=akbusybox\n");
        assertThat(served()).as("served from the image's key").isEqualTo(served + 1);
        // the host's key is another one
        awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
        ServerFixture.Response host = fx.run(List.of("sh", "-c", "test -e /app/hello.txt || echo host"),
                Map.of("fast", true));
        assertThat(host.data().path("output").asText()).as("%s", host).isEqualTo("host\n");
    }

    @Test
    void eachPooledSandboxServesExactlyOneRequest() {
        List<String> marker = List.of("sh", "-c", "cat /tmp/marker 2>/dev/null; echo x > /tmp/marker; "
                + "cat /workspace/marker 2>/dev/null; echo y > /workspace/marker");
        Set<String> sandboxes = new HashSet<>();
        long served = served();
        for (int i = 0; i < 4; i++) {
            awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
            ServerFixture.Response r = fx.run(marker, Map.of());
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(r.data().path("output").asText()).as("run %d saw an earlier request's files: %s", i, r).isEmpty();
            assertThat(r.data().path("exit_code").asInt(-1)).isZero();
            sandboxes.add(r.data().path("sandbox").asText());
        }
        assertThat(served()).as("all four served from the pool").isEqualTo(served + 4);
        assertThat(sandboxes).as("sandbox of each request").hasSize(4);
        // without waiting for the pool either
        for (int i = 0; i < 4; i++) {
            ServerFixture.Response r = fx.run(marker, Map.of());
            assertThat(r.data().path("output").asText()).as("quick run %d: %s", i, r).isEmpty();
        }
    }

    @Test
    void fastFalseTakesTheColdPath() {
        awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
        JsonNode before = status().path("pool");
        ServerFixture.Response r = fx.run(List.of("sh", "-c", "echo cold; exit 3"), Map.of("fast", false));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.data().path("output").asText()).isEqualTo("cold\n");
        assertThat(r.data().path("exit_code").asInt(-1)).isEqualTo(3);
        JsonNode after = status().path("pool");
        assertThat(after.path("served").asLong()).as("served").isEqualTo(before.path("served").asLong());
        assertThat(after.path("missed").asLong()).as("missed").isEqualTo(before.path("missed").asLong());
        assertThat(readyOf(SHELL_IMAGE, "moderate")).as("the pool is untouched by a cold run").isEqualTo(POOL_SIZE);
    }

    @Test
    void restrictiveRequestGetsARestrictiveSandbox() {
        List<String> probe = List.of("sh", "-c", "ip -o link; " + RunApiIT.ROOT_MOUNT_MODE);
        awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
        ServerFixture.Response moderate = fx.run(probe, Map.of());
        assertThat(moderate.data().path("output").asText()).as("moderate, the pool's default: %s", moderate)
                .endsWith("rw\n");
        assertThat(moderate.data().path("output").asText().lines().count()).as("moderate has a network: %s", moderate)
                .isGreaterThan(2);

        for (int i = 0; i < 3; i++) {
            if (i > 0) {
                awaitReady(SHELL_IMAGE, "restrictive", 1); // from the second request on, served by restrictive warm sandboxes
            }
            long served = served();
            ServerFixture.Response r = fx.run(probe, Map.of("profile", "restrictive"));
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            List<String> lines = r.data().path("output").asText().lines().toList();
            assertThat(lines).as("restrictive run %d: %s", i, r).hasSize(2);
            assertThat(lines.get(0)).as("only loopback: %s", r).contains(": lo:");
            assertThat(lines.get(1)).as("read-only root: %s", r).isEqualTo("ro");
            if (i > 0) {
                assertThat(served()).as("restrictive run %d served from the pool", i).isEqualTo(served + 1);
            }
        }
        assertThat(readyOf(SHELL_IMAGE, "moderate")).isLessThanOrEqualTo(POOL_SIZE);
    }

    @Test
    void envAndTimeoutAreHonouredOnTheWarmPath() {
        awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
        long served = served();
        ServerFixture.Response env = fx.run(List.of("sh", "-c", "printf '%s|%s' \"$FOO\" \"$BAR\""),
                Map.of("env", List.of("FOO=bar baz", "BAR=a=b")));
        assertThat(env.data().path("output").asText()).as("%s", env).isEqualTo("bar baz|a=b");
        assertThat(served()).isEqualTo(served + 1);

        awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
        served = served();
        long start = System.nanoTime();
        ServerFixture.Response slow = fx.run(List.of("sleep", "30"), Map.of("timeout", 1));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(slow.status()).as("%s", slow).isEqualTo(200);
        assertThat(slow.data().path("exit_code").asInt(-1)).as("%s", slow).isEqualTo(124);
        assertThat(millis).as("a run with timeout 1 took %d ms", millis).isLessThan(10_000);
        assertThat(served()).isEqualTo(served + 1);

        // the next one does not inherit the environment
        awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
        ServerFixture.Response next = fx.run(List.of("sh", "-c", "printf '%s' \"${FOO-unset}\""), Map.of());
        assertThat(next.data().path("output").asText()).isEqualTo("unset");
    }

    @Test
    void runReturnsWhenTheCommandEndsEvenIfABackgroundChildKeepsItsOutputOpen() {
        List<String> slow = new java.util.ArrayList<>();
        for (boolean fast : List.of(true, false)) {
            if (fast) {
                awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
            }
            long start = System.nanoTime();
            ServerFixture.Response r = fx.run(List.of("sh", "-c", "echo before; sleep 1000.8181 &"),
                    Map.of("timeout", 8, "fast", fast));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(r.data().path("output").asText()).isEqualTo("before\n");
            if (r.data().path("exit_code").asInt(-1) != 0 || millis >= 5_000) {
                slow.add("fast " + fast + ": " + millis + " ms, " + r);
            }
        }
        assertThat(slow).as("runs of 'sh -c \"echo before; sleep 1000 &\"' (exits at once) that did not end with "
                + "exit code 0 within 5 s").isEmpty();
        awaitNoHostProcess("1000.8181");
    }

    // ---- /run/stream through the pool ----------------------------------------------------------

    @Test
    void streamIsServedFromThePoolWithStdoutAndStderrApart() throws Exception {
        awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
        long served = served();
        HttpRequest request = fx.request("/run/stream").setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"command\": [\"sh\", \"-c\", \"echo one; echo two >&2; echo three; exit 4\"]}")).build();
        HttpResponse<InputStream> response = fx.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            try (InputStream in = response.body()) {
                fail("stream answered " + response.statusCode() + ": " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        List<StreamIT.Frame> frames;
        try (StreamIT.Events events = new StreamIT.Events(response)) {
            frames = events.all();
        }
        List<String> types = frames.stream().map(StreamIT.Frame::event).toList();
        assertThat(types.getFirst()).as("%s", frames).isEqualTo("started");
        assertThat(frames.getFirst().data().path("sandbox").asText()).isNotEmpty();
        assertThat(frames.stream().filter(f -> f.event().equals("progress")).map(f -> f.data().path("stage").asText()))
                .containsExactly("creating", "starting", "executing");
        assertThat(types.getLast()).as("%s", frames).isEqualTo("done");
        assertThat(frames.getLast().data().path("exit_code").asInt(-1)).isEqualTo(4);
        assertThat(types).doesNotContain("error");
        assertThat(text(frames, "stdout")).isEqualTo("one\nthree\n");
        assertThat(text(frames, "stderr")).isEqualTo("two\n");
        for (StreamIT.Frame f : frames) {
            if (f.event().equals("output")) {
                assertThat(f.data().path("data").asText()).isEqualTo(f.data().path("content").asText());
            }
        }
        assertThat(served()).as("served from the pool").isEqualTo(served + 1);
    }

    // ---- many runs ------------------------------------------------------------------------------

    @Test
    void thirtySequentialRunsAllSucceed() {
        awaitReady(SHELL_IMAGE, "moderate", POOL_SIZE);
        JsonNode before = status().path("pool");
        for (int i = 0; i < 30; i++) {
            ServerFixture.Response r = fx.run(List.of("sh", "-c", "echo run-$0; exit $(( $0 % 3 ))", Integer.toString(i)),
                    Map.of());
            assertThat(r.status()).as("run %d: %s", i, r).isEqualTo(200);
            assertThat(r.data().path("output").asText()).as("run %d", i).isEqualTo("run-" + i + "\n");
            assertThat(r.data().path("exit_code").asInt(-1)).as("run %d", i).isEqualTo(i % 3);
        }
        JsonNode after = status().path("pool");
        long served = after.path("served").asLong() - before.path("served").asLong();
        long missed = after.path("missed").asLong() - before.path("missed").asLong();
        assertThat(served + missed).as("requests that asked the pool (served %d, missed %d)", served, missed).isEqualTo(30);
        assertThat(served).as("served from the pool of 30").isGreaterThanOrEqualTo(POOL_SIZE);
        assertThat(status().path("runs").path("running").asInt()).isZero();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static JsonNode status() {
        ServerFixture.Response r = fx.get("/status");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.data();
    }

    private static long served() {
        return status().path("pool").path("served").asLong();
    }

    private static Optional<JsonNode> key(JsonNode status, String image, String profile) {
        for (JsonNode key : status.path("pool").path("keys")) {
            if (key.path("image").asText().equals(image) && key.path("profile").asText().equals(profile)) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
    }

    private static int readyOf(String image, String profile) {
        return key(status(), image, profile).map(k -> k.path("ready").asInt()).orElse(0);
    }

    /**
     * Polls {@code /status} until the key {@code image}/{@code profile} has {@code ready}
     * sandboxes. A key the pool does not know yet is made known first by one request for it
     * (which takes the cold path).
     */
    private static JsonNode awaitReady(String image, String profile, int ready) {
        if (key(status(), image, profile).isEmpty()) {
            List<String> argv = image.equals(SHELL_IMAGE) ? List.of("sh", "-c", "true") : List.of("true");
            ServerFixture.Response r = fx.run(argv, image.equals(SHELL_IMAGE) ? Map.of("profile", profile)
                    : Map.of("profile", profile, "image", image, "fast", true));
            assertThat(r.status()).as("priming the pool for %s/%s: %s", image, profile, r).isEqualTo(200);
        }
        long deadline = System.nanoTime() + WARM_LIMIT.toNanos();
        JsonNode status = status();
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> key = key(status, image, profile);
            if (key.isPresent() && key.get().path("ready").asInt() >= ready) {
                return key.get();
            }
            ServerFixture.sleep(50);
            status = status();
        }
        throw new AssertionError("the pool did not get " + ready + " ready sandboxes for " + image + "/" + profile
                + " within " + WARM_LIMIT.toSeconds() + " s: " + status.path("pool"));
    }

    private static String text(List<StreamIT.Frame> frames, String stream) {
        StringBuilder b = new StringBuilder();
        for (StreamIT.Frame f : frames) {
            if (f.event().equals("output") && f.data().path("stream").asText().equals(stream)) {
                b.append(f.data().path("content").asText());
            }
        }
        return b.toString();
    }

    private static void awaitNoHostProcess(String marker) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!HostProcesses.mentioning(marker).isEmpty() && System.nanoTime() < deadline) {
            ServerFixture.sleep(50);
        }
        assertThat(HostProcesses.mentioning(marker)).as("processes of 'sleep %s' after the run", marker)
                .isEmpty();
    }
}
