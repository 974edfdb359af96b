package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.core.run.RunService;
import dev.agentkernel.testing.HostProcesses;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Daemon#close()} while requests run: requests that end within the grace period finish
 * normally; the sandboxes of the others are killed and none outlives the daemon.
 */
class ShutdownIT extends ServerTestBase {

    @Test
    void closingTheServerKillsTheSandboxesOfRunningRequests() throws Exception {
        ServerFixture daemon = ServerFixture.start(4, List.of());
        RunService runs = daemon.runs;
        var server = daemon.server;
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            CompletableFuture<HttpResponse<String>> run = http.sendAsync(
                    HttpRequest.newBuilder(ServerFixture.uri(server.port(), "/run")).setHeader("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"sleep\", \"100.321\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> stream = http.sendAsync(
                    HttpRequest.newBuilder(ServerFixture.uri(server.port(), "/run/stream")).setHeader("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"sleep\", \"100.654\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((HostProcesses.mentioning("100.321").isEmpty()
                    || HostProcesses.mentioning("100.654").isEmpty()) && System.nanoTime() < deadline) {
                ServerFixture.sleep(20);
            }
            assertThat(runs.running()).isEqualTo(2);

            CompletableFuture<HttpResponse<String>> quick = http.sendAsync(
                    HttpRequest.newBuilder(ServerFixture.uri(server.port(), "/run")).setHeader("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"sh\", \"-c\", \"sleep 0.789; echo finished\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            // Close only once the short command runs: it must then finish within the grace period.
            long running = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (HostProcesses.mentioning("0.789").isEmpty() && System.nanoTime() < running) {
                ServerFixture.sleep(10);
            }
            long closing = System.nanoTime();
            daemon.close();
            long closeMillis = (System.nanoTime() - closing) / 1_000_000;

            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<String> left = sandboxProcesses();
            while ((!left.isEmpty() || runs.running() > 0) && System.nanoTime() < deadline) {
                ServerFixture.sleep(50);
                left = sandboxProcesses();
            }
            assertThat(left).as("sandboxes of running requests after close() took %d ms", closeMillis).isEmpty();
            assertThat(runs.running()).as("runs still counted after close()").isZero();
            HttpResponse<String> finished = quick.get(10, TimeUnit.SECONDS);
            assertThat(finished.statusCode()).as("a run shorter than the grace period").isEqualTo(200);
            assertThat(finished.body()).contains("finished");
            run.handle((r, e) -> null).get(10, TimeUnit.SECONDS);
            stream.handle((r, e) -> null).get(10, TimeUnit.SECONDS);
        } finally {
            daemon.close();
        }
    }

    private static List<String> sandboxProcesses() {
        List<String> all = new java.util.ArrayList<>(HostProcesses.mentioning("100.321"));
        all.addAll(HostProcesses.mentioning("100.654"));
        return all;
    }
}
