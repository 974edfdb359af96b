package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.HostProcesses;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Streaming exec ({@code POST /sandboxes/{name}/exec/stream}) and interactive sessions over
 * HTTP ({@code /sandboxes/{name}/attach}, {@code /attach/{id}/...}) on real sandboxes.
 */
class InteractiveIT extends SandboxTestBase {

    record Event(String type, JsonNode data, long atNanos) {
    }

    private List<Event> readEvents(InputStream body, String last) throws Exception {
        List<Event> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String type = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    events.add(new Event(type, ServerFixture.JSON.readTree(line.substring(6)), System.nanoTime()));
                    if (type.equals(last) || type.equals("error")) {
                        break;
                    }
                }
            }
        }
        return events;
    }

    @Test
    void execStreamSendsOutputAsItIsProducedAndTheExitCode() throws Exception {
        api.createOk("it-stream");
        HttpRequest request = fx.request("/sandboxes/it-stream/exec/stream").setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(SandboxApi.json(Map.of("command",
                        List.of("sh", "-c", "echo first; sleep 2; echo second >&2; exit 4"))))).build();
        long begin = System.nanoTime();
        HttpResponse<InputStream> response = fx.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        List<Event> events = readEvents(response.body(), "done");
        long end = System.nanoTime();
        assertThat(events).extracting(Event::type).containsExactly("started", "progress", "output", "output", "done");
        assertThat(events.get(0).data().path("sandbox").asText()).isEqualTo("it-stream");
        Event first = events.get(2);
        assertThat(first.data().path("content").asText()).isEqualTo("first\n");
        assertThat(first.data().path("stream").asText()).isEqualTo("stdout");
        assertThat(Duration.ofNanos(first.atNanos() - begin)).as("first output long before the end")
                .isLessThan(Duration.ofNanos(end - begin).minusMillis(1500));
        assertThat(events.get(3).data().path("stream").asText()).isEqualTo("stderr");
        assertThat(events.get(4).data().path("exit_code").asInt()).isEqualTo(4);
    }

    @Test
    void execStreamOfAnUnknownSandboxIs404() {
        ServerFixture.Response r = fx.post("/sandboxes/it-nope/exec/stream", "{\"command\": [\"true\"]}");
        assertThat(ServerTestBase.assertErrorEnvelope(r, 404).path("code").asText()).isEqualTo("not_found");
    }

    @Test
    void attachRunsAShellOnATerminalWithResizeAndExitCode() throws Exception {
        api.createOk("it-attach");
        ServerFixture.Response opened = fx.post("/sandboxes/it-attach/attach", "{\"rows\": 30, \"cols\": 100}");
        assertThat(opened.status()).as("%s", opened).isEqualTo(201);
        String id = opened.data().path("session").asText();
        var events = fx.http.sendAsync(fx.request("/attach/" + id + "/events").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> stream = events.get(10, TimeUnit.SECONDS);
        assertThat(stream.statusCode()).isEqualTo(200);
        StringBuffer screen = new StringBuffer();
        List<Event> all = java.util.Collections.synchronizedList(new ArrayList<>());
        var collected = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String type = null;
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("event: ")) {
                        type = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        JsonNode data = ServerFixture.JSON.readTree(line.substring(6));
                        all.add(new Event(type, data, System.nanoTime()));
                        if (type.equals("output")) {
                            screen.append(new String(Base64.getDecoder().decode(data.path("b64").asText()),
                                    StandardCharsets.UTF_8));
                        }
                        if (type.equals("exit")) {
                            return;
                        }
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        input(id, "stty size; echo sum=$((40+2))\n");
        awaitScreen(screen, "sum=42");
        assertThat(screen.toString()).contains("30 100");
        ServerFixture.Response resized = fx.post("/attach/" + id + "/resize", "{\"rows\": 40, \"cols\": 120}");
        assertThat(resized.status()).isEqualTo(204);
        input(id, "stty size; exit 7\n");
        collected.get(20, TimeUnit.SECONDS);
        assertThat(screen.toString()).contains("40 120");
        assertThat(all.getLast().type()).isEqualTo("exit");
        assertThat(all.getLast().data().path("exit_code").asInt()).isEqualTo(7);
        assertThat(api.logs("it-attach").data().toString()).contains("session_attached");
        // The session is gone once it ended (the server forgets it right after sending its exit).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int status;
        while ((status = fx.post("/attach/" + id + "/input", "x").status()) != 404 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(status).isEqualTo(404);
    }

    @Test
    void aReaderThatLeavesKillsTheSession() throws Exception {
        api.createOk("it-leave");
        String id = fx.post("/sandboxes/it-leave/attach", "{\"command\": [\"sleep\", \"321.5\"]}").data().path("session").asText();
        HttpResponse<InputStream> stream = fx.http.send(fx.request("/attach/" + id + "/events").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(HostProcesses.mentioning("321.5")).isNotEmpty();
        stream.body().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!HostProcesses.mentioning("321.5").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(HostProcesses.mentioning("321.5")).as("the session's command after its reader left").isEmpty();
    }

    @Test
    void attachErrors() {
        ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/it-none/attach", "{}"), 404);
        api.createOk("it-attach-err");
        ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/it-attach-err/attach", "{\"rows\": 0}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/it-attach-err/attach", "{\"cols\": \"wide\"}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.post("/attach/00000000-0000-0000-0000-000000000000/input", "x"), 404);
        ServerTestBase.assertErrorEnvelope(fx.post("/attach/../../etc/input", "x"), 404);
        api.stop("it-attach-err");
        assertThat(ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/it-attach-err/attach", "{}"), 409)
                .path("code").asText()).isEqualTo("conflict");
        assertThat(ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/it-attach-err/attach", "{\"rows\": 0}"), 400)
                .path("code").asText()).isEqualTo("invalid_request");
    }

    private static void awaitScreen(StringBuffer screen, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!screen.toString().contains(text)) {
            assertThat(System.nanoTime()).as("waiting for '%s' on the terminal: %s", text, screen).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void input(String id, String text) {
        ServerFixture.Response r = fx.send(fx.request("/attach/" + id + "/input")
                .setHeader("Content-Type", "application/octet-stream") // what the Java SDK sends
                .POST(HttpRequest.BodyPublishers.ofString(text)).build());
        assertThat(r.status()).as("%s", r).isEqualTo(204);
    }
}
