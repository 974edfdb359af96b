package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.HostProcesses;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Persistent sandboxes over HTTP: create, get, list, exec (env, workdir, exit codes, argv),
 * stop and start with files kept, delete, every error of these routes, the running-sandbox
 * limit, and isolation between sandboxes and from the host's process table.
 */
class SandboxApiIT extends SandboxTestBase {

    // ---- create, get, list ------------------------------------------------------------------

    @Test
    void createAnswers201WithTheSandboxInfo() {
        Instant before = Instant.now().minusSeconds(2);
        ServerFixture.Response r = api.create("api-create", Map.of("vcpus", 2, "memory_mb", 256, "profile", "moderate"));
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode data = r.data();
        assertThat(data.path("name").asText()).isEqualTo("api-create");
        assertThat(data.path("status").asText()).isEqualTo("running");
        assertThat(data.path("backend").asText()).isEqualTo("bwrap");
        assertThat(data.path("vcpus").isNumber()).as("vcpus is a number in %s", data).isTrue();
        assertThat(data.path("vcpus").asDouble()).isEqualTo(2.0);
        assertThat(data.path("memory_mb").isIntegralNumber()).as("memory_mb is an integer in %s", data).isTrue();
        assertThat(data.path("memory_mb").asLong()).isEqualTo(256);
        assertThat(data.path("profile").asText()).isEqualTo("moderate");
        Instant created = Instant.parse(data.path("created_at").asText());
        assertThat(created).isBetween(before, Instant.now().plusSeconds(2));

        JsonNode got = api.get("api-create").data();
        for (String field : List.of("name", "status", "backend", "vcpus", "memory_mb", "profile", "created_at")) {
            assertThat(got.get(field)).as("GET field %s: %s vs %s", field, got, data).isEqualTo(data.get(field));
        }
        JsonNode listed = findInList("api-create");
        assertThat(listed.path("status").asText()).isEqualTo("running");
        assertThat(listed.path("backend").asText()).isEqualTo("bwrap");

        // it really runs, with the limits asked for
        assertThat(api.sh("api-create", "echo alive")).isEqualTo("alive\n");
    }

    @Test
    void createWithoutOptionsUsesTheDocumentedDefaults() {
        JsonNode data = api.createOk("api-defaults");
        assertThat(data.path("vcpus").asDouble()).as("%s", data).isEqualTo(1.0);
        assertThat(data.path("memory_mb").asLong()).as("%s", data).isEqualTo(512);
        assertThat(data.path("profile").asText()).as("%s", data).isEqualTo("moderate");
        assertThat(data.path("status").asText()).isEqualTo("running");
    }

    @Test
    void aNameOfExactly63CharactersIsAccepted() {
        String name = "n" + "0123456789".repeat(6) + "ab";
        assertThat(name).hasSize(63);
        JsonNode data = api.createOk(name);
        assertThat(data.path("name").asText()).isEqualTo(name);
        assertThat(api.get(name).status()).isEqualTo(200);
        assertThat(api.sh(name, "echo ok")).isEqualTo("ok\n");
    }

    @Test
    void unknownFieldsAreIgnored() {
        // source_url/source_ref: known now (GitSourceIT), volumes too (VolumesIT)
        ServerFixture.Response r = api.createRaw("{\"name\": \"api-unknown\", \"labels\": {\"team\": \"a\"},"
                + " \"agent\": \"claude\", \"secrets\": [], \"secret_files\": null,"
                + " \"uuid\": \"x\", \"nested\": {\"a\": [1, 2, {\"b\": null}]}}");
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        ServerFixture.Response exec = api.execRaw("api-unknown",
                "{\"command\": [\"echo\", \"hi\"], \"sudo\": false, \"detach\": false, \"extra\": {\"x\": 1}}");
        assertThat(exec.status()).as("%s", exec).isEqualTo(200);
        assertThat(exec.data().path("output").asText()).isEqualTo("hi\n");
    }

    // ---- exec ---------------------------------------------------------------------------------

    @Test
    void execPassesEnvAndWorkdir() {
        api.createOk("api-env");
        JsonNode env = api.execOk("api-env", List.of("sh", "-c", "printf '%s|%s|%s|%s' \"$K\" \"$SPACED\" \"$EQ\" \"$EMPTY\""),
                Map.of("env", List.of("K=V", "SPACED=a b", "EQ=x=y", "EMPTY=")));
        assertThat(env.path("output").asText()).as("%s", env).isEqualTo("V|a b|x=y|");
        assertThat(env.path("exit_code").asInt(-1)).isZero();

        assertThat(api.sh("api-env", "pwd")).as("default working directory").isEqualTo("/workspace\n");
        api.sh("api-env", "mkdir -p /workspace/sub/dir /tmp/elsewhere");
        assertThat(api.execOk("api-env", List.of("pwd"), Map.of("workdir", "/workspace/sub/dir")).path("output").asText())
                .isEqualTo("/workspace/sub/dir\n");
        assertThat(api.execOk("api-env", List.of("sh", "-c", "pwd; echo made > here.txt"), Map.of("workdir", "/tmp/elsewhere"))
                .path("output").asText()).isEqualTo("/tmp/elsewhere\n");
        assertThat(api.sh("api-env", "cat /tmp/elsewhere/here.txt")).isEqualTo("made\n");

        // the environment of one exec does not leak into the next
        assertThat(api.sh("api-env", "printf '%s' \"${K-unset}\"")).isEqualTo("unset");
    }

    @Test
    void execKeepsExitCodesAndOutputExactly() {
        api.createOk("api-exit");
        JsonNode three = api.execOk("api-exit", List.of("sh", "-c", "exit 3"));
        assertThat(three.path("exit_code").asInt(-1)).as("%s", three).isEqualTo(3);
        JsonNode out = api.execOk("api-exit", List.of("sh", "-c", "echo out; echo err >&2; exit 42"));
        assertThat(out.path("exit_code").asInt(-1)).as("%s", out).isEqualTo(42);
        assertThat(out.path("stdout").asText()).isEqualTo("out\n");
        assertThat(out.path("stderr").asText()).isEqualTo("err\n");
        assertThat(out.path("output").asText()).contains("out\n").contains("err\n").hasSize(8);

        JsonNode python = api.execOk("api-exit", List.of("python3", "-c", "print(1+1)"));
        assertThat(python.path("output").asText()).as("not trimmed: %s", python).isEqualTo("2\n");
        assertThat(python.path("exit_code").asInt(-1)).isZero();

        JsonNode whitespace = api.execOk("api-exit", List.of("printf", "\\n  two\\t\\n\\n"));
        assertThat(whitespace.path("output").asText()).isEqualTo("\n  two\t\n\n");
    }

    @Test
    void execArgvIsNotJoinedIntoAShellString() {
        api.createOk("api-argv");
        JsonNode data = api.execOk("api-argv", List.of("printf", "[%s]", "a b", "c;d", "$HOME", "`id`", "e'f\"g", "*"));
        assertThat(data.path("output").asText()).as("%s", data).isEqualTo("[a b][c;d][$HOME][`id`][e'f\"g][*]");
        JsonNode python = api.execOk("api-argv", List.of("python3", "-c", "import sys; print(sys.argv[1:])", "x y", ""));
        assertThat(python.path("output").asText()).isEqualTo("['x y', '']\n");
    }

    @Test
    void execOfAMissingProgramSaysSoClearly() {
        api.createOk("api-missing");
        for (String program : List.of("no-such-program-4711", "/nonexistent/bin/tool")) {
            ServerFixture.Response r = api.exec("api-missing", List.of(program, "arg"), Map.of());
            System.out.println("exec of a missing program " + program + ": " + r);
            assertThat(r.status()).as("exec of %s: %s", program, r).isNotEqualTo(500).isLessThan(500);
            if (r.status() == 200) {
                JsonNode data = r.data();
                assertThat(data.path("exit_code").asInt(-1)).as("%s", r).isEqualTo(127);
                assertThat(data.path("output").asText()).as("%s", r).contains(program);
            } else {
                JsonNode json = ServerTestBase.assertErrorEnvelope(r, r.status());
                assertThat(json.path("error").asText()).as("%s", r).contains(program);
            }
        }
        // the sandbox is fine afterwards
        assertThat(api.sh("api-missing", "echo still here")).isEqualTo("still here\n");
    }

    @Test
    void execTimeoutEndsTheCommandWith124() {
        api.createOk("api-timeout");
        long start = System.nanoTime();
        JsonNode data = api.execOk("api-timeout", List.of("sleep", "30"), Map.of("timeout", 1));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(data.path("exit_code").asInt(-1)).as("%s", data).isEqualTo(124);
        assertThat(millis).as("exec with timeout 1 took %d ms", millis).isLessThan(10_000);
        assertThat(api.sh("api-timeout", "echo next")).isEqualTo("next\n");
    }

    @Test
    void execWithInvalidFieldsIs400() {
        api.createOk("api-badexec");
        for (String body : List.of("{\"command\": [\"echo\"", "{}", "{\"command\": []}", "{\"command\": \"echo hi\"}",
                "{\"command\": [\"echo\", 1]}", "{\"command\": [\"true\"], \"env\": [\"NOEQUALS\"]}",
                "{\"command\": [\"true\"], \"env\": \"K=V\"}", "{\"command\": [\"true\"], \"workdir\": \"relative/dir\"}",
                "{\"command\": [\"true\"], \"workdir\": 7}", "{\"command\": [\"true\"], \"timeout\": -1}")) {
            ServerTestBase.assertErrorEnvelope(api.execRaw("api-badexec", body), 400);
        }
    }

    @Test
    void execInAMissingWorkdirIsAClearClientError() {
        api.createOk("api-workdir");
        ServerFixture.Response missing = api.exec("api-workdir", List.of("pwd"), Map.of("workdir", "/workspace/no/such/dir"));
        assertThat(missing.status()).as("%s", missing).isIn(400, 404);
        assertThat(ServerTestBase.assertErrorEnvelope(missing, missing.status()).path("error").asText())
                .as("%s", missing).contains("/workspace/no/such/dir");
        ServerFixture.Response system = api.exec("api-workdir", List.of("pwd"), Map.of("workdir", "/etc"));
        ServerTestBase.assertErrorEnvelope(system, 400);
        assertThat(api.sh("api-workdir", "echo ok")).isEqualTo("ok\n");
    }

    @Test
    void memoryLimitApplies() {
        api.createOk("api-memory", Map.of("memory_mb", 64));
        JsonNode small = api.execOk("api-memory", List.of("python3", "-c", "b = bytearray(8 * 1024 * 1024); print('small')"));
        assertThat(small.path("output").asText()).as("%s", small).isEqualTo("small\n");
        JsonNode big = api.execOk("api-memory", List.of("python3", "-c",
                "b = bytearray(400 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint('allocated')"));
        assertThat(big.path("exit_code").asInt(0)).as("a command over the sandbox's 64 MiB: %s", big).isNotZero();
        assertThat(big.path("output").asText()).as("%s", big).doesNotContain("allocated");
        assertThat(api.sh("api-memory", "echo survived")).isEqualTo("survived\n");
    }

    @Test
    void stopWhileAnExecRunsEndsTheExec() throws Exception {
        api.createOk("api-stopexec");
        var running = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> api.exec("api-stopexec", List.of("sleep", "1000.6161"), Map.of()));
        awaitHostProcess("1000.6161", true);
        long start = System.nanoTime();
        assertThat(api.stop("api-stopexec").status()).isEqualTo(200);
        ServerFixture.Response r = running.get(20, java.util.concurrent.TimeUnit.SECONDS);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).as("exec answered %d ms after the stop", millis).isLessThan(10_000);
        assertThat(r.status()).as("the exec whose sandbox was stopped: %s", r).isNotEqualTo(500).isNotEqualTo(200);
        ServerTestBase.assertErrorEnvelope(r, r.status());
        awaitHostProcess("1000.6161", false);
        assertThat(api.get("api-stopexec").data().path("status").asText()).isEqualTo("stopped");
    }

    // ---- stop, start, delete ------------------------------------------------------------------

    @Test
    void stoppedSandboxRefusesExecWith409AndStartKeepsItsFiles() {
        api.createOk("api-stop");
        api.sh("api-stop", "echo kept-workspace > /workspace/w.txt; echo kept-tmp > /tmp/t.txt; "
                + "echo kept-vartmp > /var/tmp/v.txt; mkdir -p /workspace/d/e && printf 'deep' > /workspace/d/e/f");

        ServerFixture.Response stop = api.stop("api-stop");
        assertThat(stop.status()).as("%s", stop).isEqualTo(200);
        assertThat(stop.data().path("status").asText()).isEqualTo("stopped");
        assertThat(api.get("api-stop").data().path("status").asText()).isEqualTo("stopped");
        assertThat(findInList("api-stop").path("status").asText()).isEqualTo("stopped");

        ServerFixture.Response exec = api.exec("api-stop", List.of("echo", "x"), Map.of());
        JsonNode error = ServerTestBase.assertErrorEnvelope(exec, 409);
        assertThat(error.path("error").asText()).as("%s", exec).contains("api-stop").containsIgnoringCase("stopped");
        ServerFixture.Response read = api.read("api-stop", "/workspace/w.txt");
        assertThat(ServerTestBase.assertErrorEnvelope(read, 409).path("error").asText()).containsIgnoringCase("stopped");

        ServerFixture.Response again = api.stop("api-stop");
        assertThat(again.status()).as("stopping a stopped sandbox: %s", again).isEqualTo(200);
        assertThat(again.data().path("status").asText()).isEqualTo("stopped");

        ServerFixture.Response start = api.start("api-stop");
        assertThat(start.status()).as("%s", start).isEqualTo(200);
        assertThat(start.data().path("status").asText()).isEqualTo("running");
        assertThat(api.get("api-stop").data().path("status").asText()).isEqualTo("running");
        assertThat(api.sh("api-stop", "cat /workspace/w.txt /tmp/t.txt /var/tmp/v.txt /workspace/d/e/f"))
                .isEqualTo("kept-workspace\nkept-tmp\nkept-vartmp\ndeep");
        assertThat(api.read("api-stop", "/tmp/t.txt").data().path("content").asText()).isEqualTo("kept-tmp\n");

        ServerFixture.Response startAgain = api.start("api-stop");
        assertThat(startAgain.status()).as("starting a running sandbox: %s", startAgain).isEqualTo(200);
        assertThat(api.sh("api-stop", "cat /tmp/t.txt")).isEqualTo("kept-tmp\n");
    }

    @Test
    void deleteRemovesTheSandboxAndItsFiles() {
        api.createOk("api-delete");
        api.sh("api-delete", "echo gone > /workspace/file; echo gone > /tmp/file");
        assertThat(Files.isDirectory(api.hostDir("api-delete"))).as("host directory %s", api.hostDir("api-delete")).isTrue();

        ServerFixture.Response delete = api.delete("api-delete");
        assertThat(delete.status()).as("%s", delete).isEqualTo(200);
        assertThat(delete.json().path("success").asBoolean()).isTrue();

        ServerTestBase.assertErrorEnvelope(api.get("api-delete"), 404);
        assertThat(names(api.list().data())).doesNotContain("api-delete");
        assertThat(api.hostDir("api-delete")).as("the sandbox's directory under the state directory").doesNotExist();
        ServerTestBase.assertErrorEnvelope(api.delete("api-delete"), 404);

        // the name is free again, and the new sandbox starts empty
        api.createOk("api-delete");
        assertThat(api.sh("api-delete", "ls -A /workspace /tmp")).doesNotContain("file");
    }

    @Test
    void deleteOfAStoppedSandboxWorks() {
        api.createOk("api-delstopped");
        assertThat(api.stop("api-delstopped").status()).isEqualTo(200);
        assertThat(api.delete("api-delstopped").status()).isEqualTo(200);
        ServerTestBase.assertErrorEnvelope(api.get("api-delstopped"), 404);
        assertThat(api.hostDir("api-delstopped")).doesNotExist();
    }

    // ---- errors -------------------------------------------------------------------------------

    static Stream<Arguments> invalidCreateBodies() {
        return Stream.of(
                Arguments.of("invalid JSON", "{\"name\": \"x\""),
                Arguments.of("not JSON", "name=x"),
                Arguments.of("empty body", ""),
                Arguments.of("array body", "[\"x\"]"),
                Arguments.of("missing name", "{}"),
                Arguments.of("missing name, other fields", "{\"image\": \"alpine:3.20\"}"),
                Arguments.of("name null", "{\"name\": null}"),
                Arguments.of("name a number", "{\"name\": 7}"),
                Arguments.of("name empty", "{\"name\": \"\"}"),
                Arguments.of("name with a space", "{\"name\": \"my box\"}"),
                Arguments.of("name with a slash", "{\"name\": \"a/b\"}"),
                Arguments.of("name ..", "{\"name\": \"..\"}"),
                Arguments.of("name with ..", "{\"name\": \"../evil\"}"),
                Arguments.of("name .", "{\"name\": \".\"}"),
                Arguments.of("name of 64 characters", "{\"name\": \"" + "a".repeat(64) + "\"}"),
                Arguments.of("name unicode", "{\"name\": \"b\u00f6x\"}"),
                Arguments.of("name emoji", "{\"name\": \"box\uD83D\uDE00\"}"),
                Arguments.of("name with NUL", "{\"name\": \"a\\u0000b\"}"),
                Arguments.of("name with newline", "{\"name\": \"a\\nb\"}"),
                Arguments.of("name starting with -", "{\"name\": \"-rf\"}"),
                Arguments.of("unknown profile", "{\"name\": \"ok-name\", \"profile\": \"paranoid\"}"),
                Arguments.of("profile a number", "{\"name\": \"ok-name\", \"profile\": 1}"),
                Arguments.of("memory_mb 0", "{\"name\": \"ok-name\", \"memory_mb\": 0}"),
                Arguments.of("memory_mb negative", "{\"name\": \"ok-name\", \"memory_mb\": -512}"),
                Arguments.of("memory_mb a string", "{\"name\": \"ok-name\", \"memory_mb\": \"512\"}"),
                Arguments.of("memory_mb fractional", "{\"name\": \"ok-name\", \"memory_mb\": 1.5}"),
                Arguments.of("vcpus 0", "{\"name\": \"ok-name\", \"vcpus\": 0}"),
                Arguments.of("vcpus negative", "{\"name\": \"ok-name\", \"vcpus\": -1}"),
                Arguments.of("vcpus a string", "{\"name\": \"ok-name\", \"vcpus\": \"2\"}"),
                // the published clients type vcpus as an integer; the Python client cannot list a fraction
                Arguments.of("vcpus fractional", "{\"name\": \"ok-name\", \"vcpus\": 0.5}"),
                Arguments.of("image not a string", "{\"name\": \"ok-name\", \"image\": 3}"));
    }

    @ParameterizedTest(name = "POST /sandboxes: {0} → 400")
    @MethodSource("invalidCreateBodies")
    void invalidCreateIs400AndCreatesNothing(String what, String body) {
        ServerFixture.Response r = api.createRaw(body);
        ServerTestBase.assertErrorEnvelope(r, 400);
        assertThat(api.list().data()).as("sandboxes after a refused create (%s)", what).isEmpty();
        assertThat(Files.exists(fx.stateDir().resolve("sandboxes").resolve("ok-name"))).isFalse();
    }

    @Test
    void errorMessagesNameTheProblem() {
        assertThat(ServerTestBase.assertErrorEnvelope(api.createRaw("{}"), 400).path("error").asText()).contains("name");
        assertThat(ServerTestBase.assertErrorEnvelope(api.createRaw("{\"name\": \"" + "a".repeat(64) + "\"}"), 400)
                .path("error").asText()).contains("63");
        assertThat(ServerTestBase.assertErrorEnvelope(api.createRaw("{\"name\": \"ok\", \"profile\": \"paranoid\"}"), 400)
                .path("error").asText()).contains("paranoid");
        assertThat(ServerTestBase.assertErrorEnvelope(api.createRaw("{\"name\": \"ok\", \"memory_mb\": 0}"), 400)
                .path("error").asText()).contains("memory_mb");
        assertThat(ServerTestBase.assertErrorEnvelope(api.createRaw("{\"name\": "), 400).path("error").asText())
                .containsIgnoringCase("json");
    }

    @Test
    void duplicateNameIs409AndLeavesTheFirstAlone() {
        api.createOk("api-dup");
        api.sh("api-dup", "echo first > /workspace/mark");
        ServerFixture.Response dup = api.create("api-dup", Map.of("profile", "restrictive"));
        JsonNode error = ServerTestBase.assertErrorEnvelope(dup, 409);
        assertThat(error.path("error").asText()).as("%s", dup).contains("api-dup");
        JsonNode info = api.get("api-dup").data();
        assertThat(info.path("status").asText()).isEqualTo("running");
        assertThat(info.path("profile").asText()).isEqualTo("moderate");
        assertThat(api.sh("api-dup", "cat /workspace/mark")).isEqualTo("first\n");
        // also while stopped
        assertThat(api.stop("api-dup").status()).isEqualTo(200);
        ServerTestBase.assertErrorEnvelope(api.create("api-dup", Map.of()), 409);
        assertThat(api.start("api-dup").status()).isEqualTo(200);
        assertThat(api.sh("api-dup", "cat /workspace/mark")).isEqualTo("first\n");
    }

    @Test
    void unknownSandboxIs404OnEveryRoute() {
        String name = "no-such-sandbox";
        List<ServerFixture.Response> responses = new ArrayList<>();
        responses.add(api.get(name));
        responses.add(api.exec(name, List.of("echo", "x"), Map.of()));
        responses.add(api.stop(name));
        responses.add(api.start(name));
        responses.add(api.delete(name));
        responses.add(api.logs(name));
        responses.add(api.read(name, "/workspace/x"));
        responses.add(api.writeText(name, "/workspace/x", "data"));
        responses.add(api.deleteFile(name, "/workspace/x"));
        for (ServerFixture.Response r : responses) {
            JsonNode error = ServerTestBase.assertErrorEnvelope(r, 404);
            assertThat(error.path("error").asText()).as("%s", r).contains(name);
        }
        assertThat(api.list().data()).isEmpty();
        assertThat(fx.stateDir().resolve("sandboxes").resolve(name)).doesNotExist();
    }

    @Test
    void invalidNameInTheUrlIs400() {
        for (String path : List.of("/sandboxes/bad%20name", "/sandboxes/" + "a".repeat(64), "/sandboxes/%2e%2e",
                "/sandboxes/b%C3%B6x")) {
            ServerFixture.Response r = fx.get(path);
            assertThat(r.status()).as("GET %s: %s", path, r).isIn(400, 404);
            ServerTestBase.assertErrorEnvelope(r, r.status());
        }
    }

    @Test
    void oversizedBodiesAre413() {
        api.createOk("api-big");
        byte[] body = new byte[(int) ServerFixture.MAX_BODY + 4096];
        Arrays.fill(body, (byte) 'a');
        byte[] head = "{\"name\": \"api-big2\", \"x\": \"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, body, 0, head.length);
        byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tail, 0, body, body.length - tail.length, tail.length);
        ServerFixture.Response create = fx.send(fx.request("/sandboxes").setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        ServerTestBase.assertErrorEnvelope(create, 413);
        assertThat(api.get("api-big2").status()).isEqualTo(404);

        byte[] exec = body.clone();
        byte[] execHead = "{\"command\": [\"echo\", \"".getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(exec, 0, head.length, (byte) 'a');
        System.arraycopy(execHead, 0, exec, 0, execHead.length);
        byte[] execTail = "\"]}".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(execTail, 0, exec, exec.length - execTail.length, execTail.length);
        ServerFixture.Response r = fx.send(fx.request("/sandboxes/api-big/exec").setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(exec)).build());
        ServerTestBase.assertErrorEnvelope(r, 413);
        assertThat(api.sh("api-big", "echo fine")).isEqualTo("fine\n");
    }

    @Test
    void tooManyRunningSandboxesIs429() throws IOException {
        try (ServerFixture small = ServerFixture.start(2, List.of())) {
            SandboxApi two = new SandboxApi(small);
            try {
                two.createOk("limit-a");
                two.createOk("limit-b");
                ServerFixture.Response third = two.create("limit-c", Map.of());
                JsonNode error = ServerTestBase.assertErrorEnvelope(third, 429);
                assertThat(error.path("error").asText()).as("%s", third).containsIgnoringCase("too many");
                ServerTestBase.assertErrorEnvelope(two.get("limit-c"), 404);
                assertThat(small.stateDir().resolve("sandboxes/limit-c")).doesNotExist();

                // a stopped sandbox frees its place; starting it again while the others run is refused
                assertThat(two.stop("limit-a").status()).isEqualTo(200);
                two.createOk("limit-c");
                ServerTestBase.assertErrorEnvelope(two.start("limit-a"), 429);
                assertThat(two.get("limit-a").data().path("status").asText()).isEqualTo("stopped");
                assertThat(two.delete("limit-c").status()).isEqualTo(200);
                ServerFixture.Response start = two.start("limit-a");
                assertThat(start.status()).as("%s", start).isEqualTo(200);
                assertThat(two.sh("limit-a", "echo back")).isEqualTo("back\n");
            } finally {
                assertThat(two.removeAll()).isEmpty();
            }
            small.awaitNothingLeftBehind(Duration.ofSeconds(10));
        }
    }

    // ---- isolation ----------------------------------------------------------------------------

    @Test
    void sandboxesCannotSeeEachOthersFilesOrProcesses() {
        api.createOk("iso-a");
        api.createOk("iso-b");
        api.sh("iso-a", "echo secret-of-a > /tmp/secret-a; echo secret-of-a > /workspace/secret-a; "
                + "echo secret-of-a > /var/tmp/secret-a");
        api.sh("iso-a", "sleep 1000.4242 >/dev/null 2>&1 &");
        awaitHostProcess("1000.4242", true);

        JsonNode look = api.execOk("iso-b", List.of("sh", "-c",
                "ls -A /tmp /workspace /var/tmp; cat /tmp/secret-a /workspace/secret-a /var/tmp/secret-a; "
                        + "cat /proc/[0-9]*/cmdline | tr '\\0' ' '; true"));
        assertThat(look.path("output").asText()).as("what sandbox b sees: %s", look)
                .doesNotContain("secret-of-a").doesNotContain("1000.4242");
        assertThat(api.read("iso-b", "/tmp/secret-a").status()).isEqualTo(404);
        assertThat(api.sh("iso-a", "cat /tmp/secret-a")).isEqualTo("secret-of-a\n");

        // a's processes are not even visible to a by host pid: its own pid namespace
        String pids = api.sh("iso-a", "ls /proc | grep -c '^[0-9]'").strip();
        assertThat(Integer.parseInt(pids)).as("processes visible in sandbox a").isLessThan(20);
        assertThat(api.stop("iso-a").status()).isEqualTo(200);
        awaitHostProcess("1000.4242", false);
    }

    @Test
    void backgroundProcessesAreGoneAfterStop() {
        api.createOk("api-bg");
        long start = System.nanoTime();
        JsonNode detached = api.execOk("api-bg", List.of("sh", "-c", "sleep 1000.9191 >/dev/null 2>&1 & echo started"));
        assertThat(detached.path("output").asText()).isEqualTo("started\n");
        assertThat(detached.path("exit_code").asInt(-1)).isZero();
        assertThat((System.nanoTime() - start) / 1_000_000).as("exec returns when its command ends").isLessThan(10_000);
        // in a session and process group of its own, out of reach of a signal to the command's group
        api.sh("api-bg", "setsid sleep 1000.9393 </dev/null >/dev/null 2>&1 &");
        awaitHostProcess("1000.9191", true);
        awaitHostProcess("1000.9393", true);

        assertThat(api.stop("api-bg").status()).isEqualTo(200);
        awaitHostProcess("1000.9191", false);
        awaitHostProcess("1000.9393", false);
        assertThat(api.start("api-bg").status()).isEqualTo(200);
        assertThat(api.sh("api-bg", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '")).doesNotContain("1000.9");
    }

    @Test
    void execReturnsWhenTheCommandEndsEvenIfABackgroundChildKeepsItsOutputOpen() {
        api.createOk("api-held");
        long start = System.nanoTime();
        // 'sleep 1000 &' inherits the command's stdout and stderr and keeps them open
        ServerFixture.Response held = api.exec("api-held", List.of("sh", "-c", "echo before; sleep 1000.9292 &"),
                Map.of("timeout", 8));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(held.status()).as("%s", held).isEqualTo(200);
        assertThat(held.data().path("output").asText()).as("%s", held).isEqualTo("before\n");
        assertThat(held.data().path("exit_code").asInt(-1))
                .as("exit code of 'sh -c \"sleep 1000 &\"', which exits at once (%d ms): %s", millis, held).isZero();
        assertThat(millis).as("exec of 'sleep 1000 &' took %d ms: %s", millis, held).isLessThan(5_000);
        awaitHostProcess("1000.9292", true);
        assertThat(api.stop("api-held").status()).isEqualTo(200);
        awaitHostProcess("1000.9292", false);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static void awaitHostProcess(String marker, boolean present) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> found = HostProcesses.mentioning(marker);
        while (found.isEmpty() == present && System.nanoTime() < deadline) {
            ServerFixture.sleep(50);
            found = HostProcesses.mentioning(marker);
        }
        if (present) {
            assertThat(found).as("host processes running 'sleep %s'", marker).isNotEmpty();
        } else {
            assertThat(found).as("host processes running 'sleep %s' after the sandbox stopped", marker).isEmpty();
        }
    }

    private static JsonNode findInList(String name) {
        JsonNode list = api.list().data();
        assertThat(list.isArray()).as("list: %s", list).isTrue();
        for (JsonNode item : list) {
            if (item.path("name").asText().equals(name)) {
                return item;
            }
        }
        throw new AssertionError(name + " is not in the list " + list);
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(n -> names.add(n.path("name").asText()));
        return names;
    }
}
