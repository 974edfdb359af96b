package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.HostProcesses;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Background processes of persistent sandboxes over HTTP ({@code /sandboxes/NAME/exec/detach},
 * {@code /exec/detached...}) against real sandboxes: output followed live while the process runs, a kill
 * that takes its children with it, status and exit codes, bounded logs, the end of every process with its
 * sandbox, the cap per sandbox, audit events, and every refusal.
 */
class BackgroundProcessesIT extends SandboxTestBase {

    // ---- start, status, logs, follow ---------------------------------------------------------

    @Test
    void outputIsFollowedLiveWhileTheProcessRunsThenItsEndAndStatus() throws Exception {
        api.createOk("bg-follow");
        Instant before = Instant.now().minusSeconds(2);
        JsonNode started = detachOk("bg-follow", List.of("sh", "-c",
                "for i in 1 2 3 4 5; do echo line$i; sleep 0.4; done; echo oops >&2; exit 3"));
        String id = started.path("id").asText();
        assertThat(id).isNotBlank();
        assertThat(started.path("sandbox").asText()).isEqualTo("bg-follow");
        assertThat(started.path("command").get(0).asText()).isEqualTo("sh");
        assertThat(started.path("pid").asLong()).as("%s", started).isPositive();
        assertThat(started.path("status").asText()).isEqualTo("running");
        assertThat(started.has("exit_code") && started.get("exit_code").isNull()).as("exit_code null: %s", started).isTrue();
        assertThat(Instant.parse(started.path("started_at").asText())).isBetween(before, Instant.now().plusSeconds(2));

        try (StreamIT.Events events = follow("bg-follow", id, "?follow=true", false)) {
            StreamIT.Frame first = events.next();
            assertThat(first.event()).isEqualTo("started");
            StreamIT.Frame output;
            do {
                output = events.next();
                assertThat(output).as("frames so far: %s", events.frames).isNotNull();
            } while (!output.event().equals("output"));
            // the first line is here while the process still runs: live, not at its end
            assertThat(output.text()).startsWith("line1");
            assertThat(status("bg-follow", id).path("status").asText()).as("status when the first output arrived")
                    .isEqualTo("running");
            List<StreamIT.Frame> all = events.all();
            StreamIT.Frame done = all.getLast();
            assertThat(done.event()).as("%s", all).isEqualTo("done");
            assertThat(done.data().path("exit_code").asInt()).isEqualTo(3);
            assertThat(done.nanos() - output.nanos()).as("the end came well after the first output")
                    .isGreaterThan(Duration.ofMillis(1000).toNanos());
            StringBuilder stdout = new StringBuilder();
            StringBuilder stderr = new StringBuilder();
            for (StreamIT.Frame f : all) {
                if (f.event().equals("output")) {
                    (f.data().path("stream").asText().equals("stdout") ? stdout : stderr).append(f.text());
                }
            }
            assertThat(stdout.toString()).as("every frame of the stream").isEqualTo("line1\nline2\nline3\nline4\nline5\n");
            assertThat(stderr.toString()).isEqualTo("oops\n");
        }

        JsonNode ended = status("bg-follow", id);
        assertThat(ended.path("status").asText()).isEqualTo("failed");
        assertThat(ended.path("exit_code").asInt()).isEqualTo(3);
        assertThat(ended.has("signal")).as("%s", ended).isFalse();
        assertThat(Instant.parse(ended.path("ended_at").asText())).isAfter(Instant.parse(ended.path("started_at").asText()));

        JsonNode logs = ok(fx.get(detached("bg-follow", id) + "/logs"));
        assertThat(logs.path("stdout").asText()).isEqualTo("line1\nline2\nline3\nline4\nline5\n");
        assertThat(logs.path("stderr").asText()).isEqualTo("oops\n");
        assertThat(logs.has("stdout_dropped")).isFalse();
        JsonNode onlyErr = ok(fx.get(detached("bg-follow", id) + "/logs?stream=stderr"));
        assertThat(onlyErr.has("stdout")).as("%s", onlyErr).isFalse();
        assertThat(onlyErr.path("stderr").asText()).isEqualTo("oops\n");
        JsonNode onlyOut = ok(fx.get(detached("bg-follow", id) + "/logs?stream=stdout"));
        assertThat(onlyOut.has("stderr")).as("%s", onlyOut).isFalse();

        // following an ended process (asked by Accept): what was kept, then done at once
        try (StreamIT.Events events = follow("bg-follow", id, "?stream=stderr", true)) {
            List<StreamIT.Frame> all = events.all();
            assertThat(all).extracting(StreamIT.Frame::event).containsExactly("started", "progress", "output", "done");
            assertThat(all.get(2).text()).isEqualTo("oops\n");
            assertThat(all.get(3).data().path("exit_code").asInt()).isEqualTo(3);
        }

        JsonNode ok = detachOk("bg-follow", List.of("sh", "-c", "echo \"$GREETING from $(pwd) as $(id -u)\""),
                Map.of("env", List.of("GREETING=hello"), "workdir", "/tmp", "sudo", true));
        JsonNode completed = awaitEnd("bg-follow", ok.path("id").asText());
        assertThat(completed.path("status").asText()).isEqualTo("completed");
        assertThat(completed.path("exit_code").asInt()).isZero();
        assertThat(ok(fx.get(detached("bg-follow", ok.path("id").asText()) + "/logs")).path("stdout").asText())
                .isEqualTo("hello from /tmp as 0\n");

        JsonNode missing = detachOk("bg-follow", List.of("no-such-program-bg"));
        JsonNode failed = awaitEnd("bg-follow", missing.path("id").asText());
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("exit_code").asInt()).isEqualTo(127);
        assertThat(ok(fx.get(detached("bg-follow", missing.path("id").asText()) + "/logs")).path("stderr").asText())
                .contains("no-such-program-bg");

        JsonNode list = ok(fx.get("/sandboxes/bg-follow/exec/detached"));
        assertThat(list.isArray()).isTrue();
        List<String> ids = new ArrayList<>();
        list.forEach(p -> ids.add(p.path("id").asText()));
        assertThat(ids).containsExactly(id, ok.path("id").asText(), missing.path("id").asText());

        List<String> audited = new ArrayList<>();
        api.logs("bg-follow").data().forEach(e -> audited.add(e.toString()));
        assertThat(String.join(",", audited)).contains("background_started", "background_exited");
    }

    @Test
    void killEndsTheProcessWithEveryChildAndIsAudited() throws Exception {
        api.createOk("bg-kill");
        // two children in the group, one that left it (setsid), and one whose parent left the group and ended
        JsonNode started = detachOk("bg-kill", List.of("sh", "-c", "sleep 1001 & sleep 1001 & setsid sleep 1001 & "
                + "setsid sh -c 'sleep 1001 & exit' & sleep 0.3; echo ready; wait"));
        String id = started.path("id").asText();
        awaitOutput("bg-kill", id, "ready");
        assertThat(sleepers("bg-kill")).as("the shell and its four sleeping descendants").isEqualTo(5);

        CompletableFuture<List<StreamIT.Frame>> follower = CompletableFuture.supplyAsync(() -> {
            try (StreamIT.Events events = follow("bg-kill", id, "?follow=1", false)) {
                return events.all();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(follower).as("the follower waits while the process runs").isNotDone();

        ServerFixture.Response killed = fx.send(fx.request(detached("bg-kill", id)).DELETE().build());
        assertThat(killed.status()).as("%s", killed).isEqualTo(200);
        assertThat(killed.data().isTextual()).as("a message, as the published clients expect: %s", killed).isTrue();
        assertThat(killed.data().asText()).contains(id);

        JsonNode after = status("bg-kill", id);
        assertThat(after.path("status").asText()).isEqualTo("failed");
        assertThat(after.path("signal").asInt()).isEqualTo(9);
        assertThat(after.path("exit_code").asInt()).isEqualTo(137);
        assertThat(after.path("reason").asText()).contains("killed on request");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (sleepers("bg-kill") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(sleepers("bg-kill")).as("processes of the killed group left in the sandbox").isZero();

        List<StreamIT.Frame> frames = follower.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(frames.getLast().event()).as("%s", frames).isEqualTo("done");
        assertThat(frames.getLast().data().path("exit_code").asInt()).isEqualTo(137);

        ServerFixture.Response again = fx.send(fx.request(detached("bg-kill", id)).DELETE().build());
        assertThat(again.status()).as("%s", again).isEqualTo(200);
        assertThat(again.data().asText()).contains("already ended");

        List<String> audited = new ArrayList<>();
        api.logs("bg-kill").data().forEach(e -> audited.add(e.toString()));
        assertThat(String.join("\n", audited)).contains("background_started", "background_killed", "background_exited");
    }

    @Test
    void logsKeepOnlyTheLastMebibytesAndSayWhatWasDropped() throws Exception {
        api.createOk("bg-flood");
        JsonNode started = detachOk("bg-flood", List.of("sh", "-c",
                "head -c 6000000 /dev/zero | tr '\\0' a; echo; echo END; head -c 3000000 /dev/zero | tr '\\0' b >&2"));
        awaitEnd("bg-flood", started.path("id").asText());
        JsonNode logs = ok(fx.get(detached("bg-flood", started.path("id").asText()) + "/logs"));
        String stdout = logs.path("stdout").asText();
        assertThat(stdout.length()).as("kept stdout").isLessThanOrEqualTo(2 << 20).isGreaterThan(1 << 20);
        assertThat(stdout).endsWith("a\nEND\n");
        assertThat(logs.path("stdout_dropped").asLong()).isEqualTo(6_000_000 + 5 - stdout.length());
        assertThat(logs.path("stderr").asText().length()).isLessThanOrEqualTo(2 << 20);
        assertThat(logs.path("stderr_dropped").asLong()).isEqualTo(3_000_000 - logs.path("stderr").asText().length());
    }

    @Test
    void processesEndWithTheirSandbox() throws Exception {
        api.createOk("bg-stop");
        String marker = "sleep 1002";
        JsonNode started = detachOk("bg-stop", List.of("sh", "-c", marker + " & " + marker + "; wait"));
        String id = started.path("id").asText();
        assertThat(HostProcesses.awaitOneMentioning(marker, Duration.ofSeconds(10))).isTrue();
        CompletableFuture<List<StreamIT.Frame>> follower = CompletableFuture.supplyAsync(() -> {
            try (StreamIT.Events events = follow("bg-stop", id, "?follow=true", false)) {
                return events.all();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(api.stop("bg-stop").status()).isEqualTo(200);
        List<StreamIT.Frame> frames = follower.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(frames.getLast().event()).as("%s", frames).isEqualTo("done");
        assertThat(frames.getLast().data().path("exit_code").asInt()).isEqualTo(137);
        assertThat(HostProcesses.awaitNoneMentioning(marker, Duration.ofSeconds(10))).as("host processes").isEmpty();
        assertErrorEnvelope(fx.get("/sandboxes/bg-stop/exec/detached"), 409);
        assertErrorEnvelope(fx.get(detached("bg-stop", id)), 409);
        assertErrorEnvelope(detach("bg-stop", List.of("true"), Map.of()), 409);
        assertThat(api.start("bg-stop").status()).isEqualTo(200);
        assertThat(ok(fx.get("/sandboxes/bg-stop/exec/detached")).size()).as("a new start has none").isZero();
        assertErrorEnvelope(fx.get(detached("bg-stop", id)), 404);

        JsonNode again = detachOk("bg-stop", List.of("sh", "-c", marker + "; true"));
        assertThat(HostProcesses.awaitOneMentioning(marker, Duration.ofSeconds(10))).isTrue();
        assertThat(api.delete("bg-stop").status()).isEqualTo(200);
        assertThat(HostProcesses.awaitNoneMentioning(marker, Duration.ofSeconds(10))).as("after remove").isEmpty();
        assertThat(again.path("id").asText()).isNotBlank();
    }

    @Test
    void aDaemonShutdownEndsFollowersAtOnceAndKillsTheProcesses() throws Exception {
        // a long grace: a follower that held up the drain would make close() take it
        ServerFixture own = ServerFixture.startIn(java.nio.file.Files.createTempDirectory("ak-server-it-"), 2, List.of(), 0,
                c -> c.withShutdownGrace(Duration.ofSeconds(30)));
        String marker = "sleep 1009";
        java.net.http.HttpClient followers = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        try {
            assertThat(own.post("/sandboxes", "{\"name\": \"bg-shutdown\"}").status()).isEqualTo(201);
            ServerFixture.Response started = own.post("/sandboxes/bg-shutdown/exec/detach",
                    "{\"command\": [\"sh\", \"-c\", \"" + marker + " & " + marker + "; wait\"]}");
            assertThat(started.status()).as("%s", started).isEqualTo(200);
            String id = started.data().path("id").asText();
            assertThat(HostProcesses.awaitOneMentioning(marker, Duration.ofSeconds(10))).isTrue();
            HttpRequest follow = own.request("/sandboxes/bg-shutdown/exec/detached/" + id + "/logs?follow=true")
                    .timeout(Duration.ofSeconds(60)).GET().build();
            CompletableFuture<List<StreamIT.Frame>> follower = CompletableFuture.supplyAsync(() -> {
                try (StreamIT.Events events = new StreamIT.Events(followers.send(follow,
                        HttpResponse.BodyHandlers.ofInputStream()))) {
                    return events.all();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            long closing = System.nanoTime();
            own.close();
            long closeMillis = (System.nanoTime() - closing) / 1_000_000;
            List<StreamIT.Frame> frames = follower.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(frames.getLast().event()).as("%s", frames).isEqualTo("error");
            assertThat(frames.getLast().data().path("message").asText()).contains("shutting down");
            assertThat(closeMillis).as("a follower does not hold up the drain").isLessThan(5000);
            assertThat(HostProcesses.awaitNoneMentioning(marker, Duration.ofSeconds(10))).as("after shutdown").isEmpty();
        } finally {
            followers.shutdownNow();
            own.close();
        }
    }

    @Test
    void badInputIsRefusedAndRunningProcessesAreCapped() throws Exception {
        assertErrorEnvelope(detach("bg-nobody", List.of("true"), Map.of()), 404);
        assertErrorEnvelope(fx.get("/sandboxes/bg-nobody/exec/detached"), 404);
        assertErrorEnvelope(fx.get("/sandboxes/bg-nobody/exec/detached/x"), 404);
        assertErrorEnvelope(fx.get("/sandboxes/bg-nobody/exec/detached/x/logs"), 404);
        assertErrorEnvelope(fx.send(fx.request("/sandboxes/bg-nobody/exec/detached/x").DELETE().build()), 404);
        assertErrorEnvelope(detach("-bad-", List.of("true"), Map.of()), 400);

        api.createOk("bg-bad");
        assertErrorEnvelope(fx.get("/sandboxes/bg-bad/exec/detached/bg-000000000000"), 404);
        assertErrorEnvelope(fx.get("/sandboxes/bg-bad/exec/detached/nope/logs"), 404);
        assertErrorEnvelope(fx.send(fx.request("/sandboxes/bg-bad/exec/detached/nope").DELETE().build()), 404);
        assertErrorEnvelope(fx.post("/sandboxes/bg-bad/exec/detach", "{}"), 400);
        assertErrorEnvelope(fx.post("/sandboxes/bg-bad/exec/detach", "{\"command\": []}"), 400);
        assertErrorEnvelope(fx.post("/sandboxes/bg-bad/exec/detach", "{\"command\": \"ls\"}"), 400);
        assertErrorEnvelope(fx.post("/sandboxes/bg-bad/exec/detach", "not json"), 400);
        assertErrorEnvelope(detach("bg-bad", List.of("true"), Map.of("env", List.of("NOEQUALS"))), 400);
        assertErrorEnvelope(detach("bg-bad", List.of("true"), Map.of("workdir", "relative")), 400);
        assertErrorEnvelope(detach("bg-bad", List.of("true"), Map.of("workdir", "/no/such/dir")), 400);
        String id = detachOk("bg-bad", List.of("true")).path("id").asText();
        assertErrorEnvelope(fx.get(detached("bg-bad", id) + "/logs?stream=both"), 400);
        assertErrorEnvelope(fx.get(detached("bg-bad", id) + "/logs?follow=maybe"), 400);

        List<String> sleepers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            sleepers.add(detachOk("bg-bad", List.of("sleep", "1003")).path("id").asText());
        }
        assertErrorEnvelope(detach("bg-bad", List.of("sleep", "1003")), 429);
        assertThat(fx.send(fx.request(detached("bg-bad", sleepers.getFirst())).DELETE().build()).status()).isEqualTo(200);
        assertThat(detach("bg-bad", List.of("true"), Map.of()).status()).as("room again after a kill").isEqualTo(200);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static String detached(String name, String id) {
        return "/sandboxes/" + name + "/exec/detached/" + id;
    }

    private static ServerFixture.Response detach(String name, List<String> argv) {
        return detach(name, argv, Map.of());
    }

    private static ServerFixture.Response detach(String name, List<String> argv, Map<String, ?> extra) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(extra);
        body.put("command", argv);
        return fx.post("/sandboxes/" + name + "/exec/detach", SandboxApi.json(body));
    }

    private static JsonNode detachOk(String name, List<String> argv) {
        return detachOk(name, argv, Map.of());
    }

    private static JsonNode detachOk(String name, List<String> argv, Map<String, ?> extra) {
        return ok(detach(name, argv, extra));
    }

    private static JsonNode ok(ServerFixture.Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.data();
    }

    private static JsonNode status(String name, String id) {
        return ok(fx.get(detached(name, id)));
    }

    private static JsonNode awaitEnd(String name, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode s = status(name, id);
        while (s.path("status").asText().equals("running") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            s = status(name, id);
        }
        return s;
    }

    private static void awaitOutput(String name, String id, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!ok(fx.get(detached(name, id) + "/logs")).path("stdout").asText().contains(text)
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Processes in the sandbox whose command line has {@code sleep 1001}, found through /proc by an exec. */
    private static int sleepers(String name) {
        String out = api.sh(name, "n=0; for p in /proc/[0-9]*; do "
                + "if tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q 'sleep 100[1]'; then n=$((n+1)); fi; done; echo $n");
        return Integer.parseInt(out.strip());
    }

    private static StreamIT.Events follow(String name, String id, String query, boolean byAccept) throws Exception {
        HttpRequest.Builder b = fx.request(detached(name, id) + "/logs" + query).timeout(Duration.ofSeconds(60)).GET();
        if (byAccept) {
            b.setHeader("Accept", "text/event-stream");
        }
        HttpResponse<InputStream> r = fx.http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        return new StreamIT.Events(r);
    }

    private static JsonNode assertErrorEnvelope(ServerFixture.Response r, int status) {
        return ServerTestBase.assertErrorEnvelope(r, status);
    }
}
