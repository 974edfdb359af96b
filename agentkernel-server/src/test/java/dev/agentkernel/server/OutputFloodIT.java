package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output floods do not grow the daemon: 8 concurrent {@code POST /run} printing 100 MB each
 * (answers keep 16 MiB) raise the VmHWM of a daemon in its own process by less than
 * {@link #MAX_GROWTH_MIB}. Before output was bounded as it arrived, the same floods took it up by
 * about 1.5 GiB.
 */
class OutputFloodIT {

    static final int FLOODS = 8;
    static final long BYTES = 100_000_000L;
    static final long MAX_GROWTH_MIB = 400;

    @TempDir
    Path dir;

    @BeforeAll
    static void host() {
        ServerFixture.assumeSandboxHost();
    }

    @Test
    void concurrentFloodsKeepTheDaemonsMemoryBounded() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process daemon = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xss512k", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), FloodDaemon.class.getName(),
                dir.resolve("state").toString(), dir.resolve("run").toString())
                .redirectError(dir.resolve("daemon.log").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("the daemon's first line (log: %s)", dir.resolve("daemon.log")).startsWith("port ");
            URI base = URI.create("http://127.0.0.1:" + line.substring(5).trim());
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            assertThat(run(http, base, "echo warm").body()).contains("warm");
            long before = vm(daemon.pid(), "VmHWM");

            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < FLOODS; i++) {
                    answers.add(pool.submit(() -> run(http, base, "head -c " + BYTES + " /dev/zero | tr '\\0' a")));
                }
            }
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                assertThat(response.statusCode()).isEqualTo(200);
                String body = response.body();
                assertThat(body).contains("\"truncated\":true").contains("\"exit_code\":0");
                assertThat(body.length()).isBetween(2 * CollectedOutputLimits.MAX_BYTES, 2 * CollectedOutputLimits.MAX_BYTES + 4096);
            }
            long growth = (vm(daemon.pid(), "VmHWM") - before) / 1024;
            System.out.printf("OutputFloodIT: %d floods of %d bytes raised the daemon's VmHWM by %d MiB (from %d MiB)%n",
                    FLOODS, BYTES, growth, before / 1024);
            assertThat(growth).as("VmHWM growth in MiB").isLessThan(MAX_GROWTH_MIB);
        } finally {
            daemon.getOutputStream().close();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static HttpResponse<String> run(HttpClient http, URI base, String shell) throws IOException, InterruptedException {
        String body = ServerFixture.JSON.writeValueAsString(java.util.Map.of("command", List.of("sh", "-c", shell),
                "timeout", 300));
        return http.send(HttpRequest.newBuilder(base.resolve("/run")).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A field of /proc/PID/status in KiB. */
    private static long vm(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    /** The answer's cap (CollectedOutput is package-private and differs between versions; the value does not). */
    static final class CollectedOutputLimits {
        static final int MAX_BYTES = 16 * 1024 * 1024;
    }
}
