package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.HostProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stateful code sessions over HTTP with real interpreters in real sandboxes: state kept across
 * calls, isolation between sessions, every template, errors with tracebacks, timeouts, dying
 * interpreters, volumes, parallel sessions and bad input.
 */
class SessionsApiIT {

    @RegisterExtension
    static final DaemonHome HOME = new DaemonHome("ak-sessions-it-");
    static Path shared;
    static ServerFixture fx;

    @BeforeAll
    static void start() throws IOException {
        shared = HOME.createDirectories("shared");
        Files.writeString(shared.resolve("input.txt"), "from the host\n");
        fx = HOME.start(8, List.of(), 0,
                c -> c.withAllowedDirs(List.of(shared)).withSessions(c.sessions().withMaxSessions(16)));
    }

    static ServerFixture.Response execute(Map<String, ?> body) {
        return fx.postJson("/execute", body);
    }

    static JsonNode executeOk(Map<String, ?> body) {
        ServerFixture.Response r = execute(body);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.data();
    }

    static JsonNode run(String template, String code) {
        return executeOk(Map.of("template", template, "code", code));
    }

    static JsonNode in(String session, String code) {
        return executeOk(Map.of("session_id", session, "code", code));
    }

    static void delete(String session) {
        ServerFixture.Response r = fx.send(fx.request("/sessions/" + session).DELETE().build());
        assertThat(r.status()).as("%s", r).isEqualTo(200);
    }

    @Test
    void pythonKeepsVariablesFunctionsImportsAndTheWorkingDirectory() {
        JsonNode first = run("python", "x = 42\ndef double(v):\n    return v * 2\nimport json\nimport os\nos.chdir('/tmp')");
        assertThat(first.path("success").asBoolean()).as("%s", first).isTrue();
        assertThat(first.path("session_created").asBoolean()).isTrue();
        assertThat(first.path("template").asText()).isEqualTo("python");
        assertThat(first.path("flavor").asText()).isEqualTo("small");
        String id = first.path("session_id").asText();
        assertThat(id).startsWith("ses-");
        JsonNode second = in(id, "print(double(x), json.dumps({'a': 1}), os.getcwd())");
        assertThat(second.path("stdout").asText()).isEqualTo("84 {\"a\": 1} /tmp\n");
        assertThat(second.path("session_created").asBoolean()).isFalse();
        assertThat(second.path("state_lost").asBoolean()).isFalse();
        assertThat(second.path("execution_time_ms").isIntegralNumber()).isTrue();
        assertThat(in(id, "x").path("stdout").asText()).as("a final expression is shown").isEqualTo("42\n");
        delete(id);
    }

    /** A new session under a network policy: its DNS is answered by the policy's resolver; a later call may not change it. */
    @Test
    void aNewSessionRunsUnderItsNetworkPolicy() {
        String code = dev.agentkernel.testing.DnsProbe.query("10.0.2.3", "deb.debian.org");
        ServerFixture.Response r = fx.postJson("/execute", Map.of("code", code, "template", "python", "network_policy",
                Map.of("allow_domains", List.of("allowed.example"))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.data().path("stdout").asText()).as(r.toString()).isEqualTo("rcode 5\n");
        String id = r.data().path("session_id").asText();
        ServerFixture.Response later = fx.postJson("/execute", Map.of("code", "print(1)", "session_id", id,
                "network_policy", Map.of("allow_domains", List.of("other.example"))));
        assertThat(later.status()).as(later.toString()).isEqualTo(400);
        assertThat(later.body()).contains("network_policy");
        // a session made from its files runs under its policy too (it used to run without one)
        ServerFixture.Response copy = fx.post("/sessions", "{\"from_session\": \"" + id + "\"}");
        assertThat(copy.status()).as("%s", copy).isEqualTo(201);
        ServerFixture.Response inCopy = fx.postJson("/execute", Map.of("code", code, "session_id",
                copy.data().path("session_id").asText()));
        assertThat(inCopy.data().path("stdout").asText()).as(inCopy.toString()).isEqualTo("rcode 5\n");
    }

    @Test
    void filesWrittenByOneCallAreReadByTheNext() {
        String id = run("python", "open('data.txt', 'w').write('kept\\n')").path("session_id").asText();
        assertThat(in(id, "print(open('/workspace/data.txt').read(), end='')").path("stdout").asText()).isEqualTo("kept\n");
        delete(id);
    }

    @Test
    void aSessionMadeFromAnotherStartsWithItsFilesButNotItsMemory() {
        String source = run("python", "secret = 'in memory'\nimport os\nos.makedirs('/workspace/pkg', exist_ok=True)\n"
                + "open('/workspace/pkg/mod.py', 'w').write('VALUE = 7\\n')\nos.symlink('pkg/mod.py', '/workspace/link.py')")
                .path("session_id").asText();
        ServerFixture.Response made = fx.post("/sessions", "{\"from_session\": \"" + source + "\"}");
        assertThat(made.status()).as("%s", made).isEqualTo(201);
        String copy = made.data().path("session_id").asText();
        assertThat(copy).isNotEqualTo(source);
        assertThat(made.data().path("from_session").asText()).isEqualTo(source);
        assertThat(made.data().path("template").asText()).isEqualTo("python");
        assertThat(made.data().path("note").asText()).contains("were not").contains("checkpoint");
        assertThat(in(copy, "import sys\nsys.path.insert(0, '/workspace/pkg')\nimport mod\nimport os\n"
                + "print(mod.VALUE, os.readlink('/workspace/link.py'))").path("stdout").asText()).isEqualTo("7 pkg/mod.py\n");
        JsonNode memory = in(copy, "secret");
        assertThat(memory.path("error").path("type").asText()).as("memory is not copied").isEqualTo("NameError");
        in(copy, "open('/workspace/only-copy.txt', 'w').write('x')");
        assertThat(in(source, "import os\nprint(os.path.exists('/workspace/only-copy.txt'))").path("stdout").asText())
                .isEqualTo("False\n");
        ServerTestBase.assertErrorEnvelope(fx.post("/sessions", "{\"from_session\": \"ses-0000000000000000\"}"), 404);
        delete(copy);
        delete(source);
    }

    @Test
    void sessionsNeverSeeEachOthersState() {
        String a = run("python", "secret = 'a-only'\nopen('/workspace/a.txt', 'w').write('a')").path("session_id").asText();
        String b = run("python", "import os\nprint(os.listdir('/workspace'))").path("session_id").asText();
        JsonNode inB = in(b, "secret");
        assertThat(inB.path("success").asBoolean()).isFalse();
        assertThat(inB.path("error").path("type").asText()).isEqualTo("NameError");
        assertThat(in(b, "import os\nprint(os.path.exists('/workspace/a.txt'))").path("stdout").asText()).isEqualTo("False\n");
        assertThat(in(a, "print(secret)").path("stdout").asText()).isEqualTo("a-only\n");
        delete(a);
        delete(b);
    }

    @Test
    void nodeKeepsState() {
        JsonNode first = run("node", "let count = 5;\nfunction inc() { return ++count; }\nconst os = require('os');");
        assertThat(first.path("success").asBoolean()).as("%s", first).isTrue();
        String id = first.path("session_id").asText();
        assertThat(in(id, "inc(); console.log(count, typeof os.hostname)").path("stdout").asText()).isEqualTo("6 function\n");
        assertThat(in(id, "count * 2").path("stdout").asText()).isEqualTo("12\n");
        JsonNode thrown = in(id, "throw new Error('boom')");
        assertThat(thrown.path("success").asBoolean()).isFalse();
        assertThat(thrown.path("error").path("message").asText()).contains("boom");
        assertThat(thrown.path("error").path("traceback").asText()).contains("Error");
        delete(id);
    }

    @Test
    void bashKeepsVariablesFunctionsAndTheWorkingDirectory() {
        JsonNode first = run("bash", "X=7\ngreet() { echo \"hi $1\"; }\ncd /tmp");
        assertThat(first.path("success").asBoolean()).as("%s", first).isTrue();
        String id = first.path("session_id").asText();
        assertThat(in(id, "echo $X; greet you; pwd").path("stdout").asText()).isEqualTo("7\nhi you\n/tmp\n");
        JsonNode failed = in(id, "false");
        assertThat(failed.path("success").asBoolean()).isFalse();
        delete(id);
    }

    @Test
    void pythonErrorsCarryTypeMessageAndTraceback() {
        JsonNode r = run("python", "def f():\n    return 1 / 0\nf()");
        assertThat(r.path("success").asBoolean()).isFalse();
        JsonNode error = r.path("error");
        assertThat(error.path("type").asText()).isEqualTo("ZeroDivisionError");
        assertThat(error.path("message").asText()).contains("division by zero");
        assertThat(error.path("traceback").asText()).contains("Traceback").contains("line 2").contains("ZeroDivisionError");
        JsonNode syntax = in(r.path("session_id").asText(), "def broken(:");
        assertThat(syntax.path("error").path("type").asText()).isEqualTo("SyntaxError");
        delete(r.path("session_id").asText());
    }

    @Test
    void unicodeAndOutputWithoutNewlineArriveUnchanged() {
        JsonNode r = run("python", "import sys\nprint('héllo ✓ 世界', end='')\n_ = sys.stderr.write('warn')");
        assertThat(r.path("stdout").asText()).isEqualTo("héllo ✓ 世界");
        assertThat(r.path("stderr").asText()).isEqualTo("warn");
        delete(r.path("session_id").asText());
    }

    @Test
    void anInfiniteLoopIsInterruptedAtItsTimeoutAndTheSessionKeepsItsState() {
        String id = run("python", "x = 1").path("session_id").asText();
        long begin = System.nanoTime();
        JsonNode r = executeOk(Map.of("session_id", id, "code", "while True:\n    pass", "timeout", 1));
        long ms = (System.nanoTime() - begin) / 1_000_000;
        assertThat(r.path("success").asBoolean()).isFalse();
        assertThat(r.path("error").path("type").asText()).isEqualTo("Timeout");
        assertThat(r.path("state_lost").asBoolean()).isFalse();
        assertThat(ms).isLessThan(5000);
        assertThat(in(id, "x + 1").path("stdout").asText()).isEqualTo("2\n");
        delete(id);
    }

    @Test
    void codeThatBlocksTheInterruptsIsStoppedAndTheInterpreterReplaced() {
        String id = run("python", "x = 1\nopen('kept.txt', 'w').write('yes')").path("session_id").asText();
        JsonNode r = executeOk(Map.of("session_id", id, "timeout", 1, "code",
                "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                        + "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT})\nwhile True:\n    pass"));
        assertThat(r.path("success").asBoolean()).isFalse();
        assertThat(r.path("error").path("type").asText()).isEqualTo("Timeout");
        assertThat(r.path("error").path("message").asText()).contains("restarted");
        assertThat(r.path("state_lost").asBoolean()).isTrue();
        JsonNode after = in(id, "print(open('kept.txt').read())\nprint('x' in globals())");
        assertThat(after.path("stdout").asText()).isEqualTo("yes\nFalse\n");
        delete(id);
    }

    @Test
    void anInterpreterThatExitsIsReplacedAndTheCallerIsToldItsStateWasLost() {
        String id = run("python", "x = 1\nopen('kept.txt', 'w').write('yes')").path("session_id").asText();
        JsonNode r = in(id, "import os\nos._exit(3)");
        assertThat(r.path("success").asBoolean()).isFalse();
        assertThat(r.path("error").path("type").asText()).isEqualTo("InterpreterDied");
        assertThat(r.path("error").path("message").asText()).contains("status 3").contains("lost");
        assertThat(r.path("state_lost").asBoolean()).isTrue();
        JsonNode after = in(id, "print(open('kept.txt').read())\nprint('x' in globals())");
        assertThat(after.path("stdout").asText()).isEqualTo("yes\nFalse\n");
        assertThat(after.path("state_lost").asBoolean()).isFalse();
        JsonNode node = run("node", "process.exit(4)");
        assertThat(node.path("error").path("type").asText()).isEqualTo("InterpreterDied");
        JsonNode bash = run("bash", "exit 5");
        assertThat(bash.path("error").path("type").asText()).as("%s", bash).isEqualTo("InterpreterDied");
        delete(id);
        delete(node.path("session_id").asText());
        delete(bash.path("session_id").asText());
    }

    @Test
    void volumesAreMountedWhereAllowedAndRefusedElsewhere() throws IOException {
        JsonNode r = executeOk(Map.of("code", "print(open('/data/input.txt').read(), end='')",
                "volumes", List.of(shared + ":/data:ro")));
        assertThat(r.path("stdout").asText()).isEqualTo("from the host\n");
        String id = r.path("session_id").asText();
        JsonNode write = in(id, "open('/data/new.txt', 'w').write('no')");
        assertThat(write.path("success").asBoolean()).isFalse();
        assertThat(write.path("error").path("type").asText()).isEqualTo("OSError");
        assertThat(Files.exists(shared.resolve("new.txt"))).isFalse();
        assertThat(fx.get("/sessions/" + id).data().path("volumes").get(0).asText()).isEqualTo(shared.toRealPath() + ":/data:ro");
        ServerFixture.Response again = execute(Map.of("session_id", id, "code", "1", "volumes", List.of(shared + ":/x")));
        assertThat(again.status()).isEqualTo(400);
        delete(id);

        JsonNode rw = executeOk(Map.of("code", "open('/data/out.txt', 'w').write('written')", "volumes",
                List.of(shared + ":/data")));
        assertThat(rw.path("success").asBoolean()).as("%s", rw).isTrue();
        assertThat(Files.readString(shared.resolve("out.txt"))).isEqualTo("written");
        delete(rw.path("session_id").asText());

        ServerFixture.Response notAllowed = execute(Map.of("code", "1", "volumes", List.of(HOME.dir() + ":/data")));
        assertThat(notAllowed.status()).as("%s", notAllowed).isEqualTo(403);
        assertThat(notAllowed.json().path("code").asText()).isEqualTo("permission_denied");
        ServerFixture.Response system = execute(Map.of("code", "1", "volumes", List.of(shared + ":/etc")));
        assertThat(system.status()).as("%s", system).isEqualTo(403);
        ServerFixture.Response systemHost = execute(Map.of("code", "1", "volumes", List.of("/etc:/data")));
        assertThat(systemHost.status()).as("%s", systemHost).isEqualTo(403);
        ServerFixture.Response missing = execute(Map.of("code", "1", "volumes", List.of(shared.resolve("nope") + ":/data")));
        assertThat(missing.status()).as("%s", missing).isEqualTo(400);
        ServerFixture.Response shape = execute(Map.of("code", "1", "volumes", List.of("just-a-path")));
        assertThat(shape.status()).as("%s", shape).isEqualTo(400);
    }

    @Test
    void manySessionsRunInParallelWithUncrossedResults() throws Exception {
        int n = 6;
        List<String> ids = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<JsonNode>> created = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int v = i;
                created.add(pool.submit(() -> run("python", "me = " + v)));
            }
            for (Future<JsonNode> f : created) {
                ids.add(f.get().path("session_id").asText());
            }
            List<Future<String>> answers = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < n; i++) {
                    String id = ids.get(i);
                    int r = round;
                    expected.add(i + ":" + r + "\n");
                    answers.add(pool.submit(() -> in(id, "print(f'{me}:" + r + "')").path("stdout").asText()));
                }
            }
            List<String> got = new ArrayList<>();
            for (Future<String> f : answers) {
                got.add(f.get());
            }
            assertThat(got).containsExactlyElementsOf(expected);
        }
        ids.forEach(SessionsApiIT::delete);
    }

    @Test
    void sessionsAreListedShownCountedAndDeleted() {
        String id = run("bash", "Y=1").path("session_id").asText();
        JsonNode listed = fx.get("/sessions").data().path("sessions");
        List<String> ids = new ArrayList<>();
        listed.forEach(s -> ids.add(s.path("session_id").asText()));
        assertThat(ids).contains(id);
        JsonNode one = fx.get("/sessions/" + id).data();
        assertThat(one.path("template").asText()).isEqualTo("bash");
        assertThat(one.path("flavor").asText()).isEqualTo("small");
        assertThat(one.path("cpus").asInt()).isEqualTo(1);
        assertThat(one.path("memory_mb").asInt()).isEqualTo(1024);
        assertThat(one.path("state").asText()).isEqualTo("ready");
        assertThat(one.path("executions").asInt()).isEqualTo(1);
        assertThat(one.path("created_at").asText()).endsWith("Z");
        JsonNode stats = fx.get("/stats").data();
        assertThat(stats.path("active_sessions").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(stats.path("max_sessions").asInt()).isEqualTo(16);
        assertThat(stats.path("memory_allocated_mb").asInt()).isGreaterThanOrEqualTo(1024);
        assertThat(stats.path("by_template").path("bash").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(stats.path("maintenance").path("paused").asBoolean()).isFalse();
        delete(id);
        ServerFixture.Response gone = fx.get("/sessions/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("code").asText()).isEqualTo("session_not_found");
        assertThat(gone.json().path("error").asText()).contains(id).contains("deleted");
        ServerFixture.Response again = execute(Map.of("session_id", id, "code", "echo"));
        assertThat(again.status()).isEqualTo(404);
        assertThat(HostProcesses.mentioning("bash_driver.sh").stream()
                .filter(p -> !p.contains("java")).toList()).as("no driver of a deleted session is left").isEmpty();
    }

    @Test
    void theSessionsTmpIsASizeLimitedTmpfsNotTheHostDisk() {
        JsonNode r = run("python", "import errno\nmb = 0\ntry:\n    with open('/tmp/fill', 'wb', buffering=0) as f:\n"
                + "        while mb < 4096:\n            f.write(b'x' * (1 << 20))\n            mb += 1\n"
                + "except OSError as e:\n    full = e.errno == errno.ENOSPC\n");
        String id = r.path("session_id").asText();
        // The captured output lives in /tmp too: free it before printing.
        JsonNode after = in(id, "import os\nos.remove('/tmp/fill')\nprint('stopped', mb < 4096, full)");
        assertThat(after.path("stdout").asText()).as("%s", after).isEqualTo("stopped True True\n");
        delete(id);
    }

    @Test
    void aSessionCanBeCreatedBeforeItsFirstExecution() {
        ServerFixture.Response created = fx.postJson("/sessions", Map.of("template", "node", "flavor", "small"));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        String id = created.data().path("session_id").asText();
        assertThat(created.data().path("template").asText()).isEqualTo("node");
        assertThat(created.data().path("executions").asInt()).isZero();
        assertThat(in(id, "1 + 1").path("stdout").asText()).isEqualTo("2\n");
        assertThat(fx.postJson("/sessions", Map.of("template", "cobol")).status()).isEqualTo(400);
        assertThat(fx.post("/sessions", "").status()).isEqualTo(201);
        delete(id);
    }

    @Test
    void badRequestsGetClearErrors() {
        record Case(Map<String, ?> body, int status, String code, String says) {
        }
        String id = run("python", "pass").path("session_id").asText();
        Map<String, Object> withNulls = new LinkedHashMap<>();
        withNulls.put("code", null);
        List<Case> cases = List.of(
                new Case(Map.of(), 400, "invalid_request", "code is required"),
                new Case(withNulls, 400, "invalid_request", "code is required"),
                new Case(Map.of("code", 42), 400, "invalid_request", "code must be a string"),
                new Case(Map.of("code", ""), 400, "invalid_request", "must not be empty"),
                new Case(Map.of("code", "1", "template", "cobol"), 400, "invalid_request", "unknown template"),
                new Case(Map.of("code", "1", "flavor", "huge"), 400, "invalid_request", "unknown flavor"),
                new Case(Map.of("code", "1", "timeout", -1), 400, "invalid_request", "timeout"),
                new Case(Map.of("code", "1", "timeout", 99999), 400, "invalid_request", "at most 3600"),
                new Case(Map.of("code", "1", "timeout", "soon"), 400, "invalid_request", "timeout"),
                new Case(Map.of("code", "1", "volumes", "x:y"), 400, "invalid_request", "volumes must be an array"),
                new Case(Map.of("code", "1", "session_id", "ses-0000000000000000"), 404, "session_not_found", "not found"),
                new Case(Map.of("code", "1", "session_id", "../../etc"), 404, "session_not_found", "invalid id"),
                new Case(Map.of("code", "1", "session_id", id, "template", "node"), 409, "conflict", "runs python"),
                new Case(Map.of("code", "1", "session_id", id, "flavor", "medium"), 409, "conflict", "cannot change"));
        for (Case c : cases) {
            ServerFixture.Response r = execute(c.body());
            assertThat(r.status()).as("%s -> %s", c.body(), r).isEqualTo(c.status());
            assertThat(r.json().path("success").asBoolean(true)).isFalse();
            assertThat(r.json().path("code").asText()).as("%s", r).isEqualTo(c.code());
            assertThat(r.json().path("error").asText()).as("%s", r).contains(c.says());
        }
        ServerFixture.Response notJson = fx.post("/execute", "{code: 1");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(fx.get("/sessions/nope").status()).isEqualTo(404);
        assertThat(fx.send(fx.request("/sessions/nope").DELETE().build()).status()).isEqualTo(404);
        delete(id);
    }

    @Test
    void aFlavorLargerThanTheHostIsRefusedNotShrunk() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() < 4,
                "this host can give 4 CPUs");
        ServerFixture.Response r = execute(Map.of("code", "1", "flavor", "large"));
        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(r.json().path("error").asText()).contains("flavor large needs 4 CPUs").contains("this host has");
    }

    @Test
    void theFlavorsMemoryIsEnforcedAndRunningOutIsReported() {
        String grow = "data = b'x' * (1300 * 1024 * 1024)\nprint(len(data) // (1024 * 1024))";
        JsonNode medium = executeOk(Map.of("flavor", "medium", "code", grow));
        assertThat(medium.path("flavor").asText()).isEqualTo("medium");
        assertThat(medium.path("stdout").asText()).as("%s", medium).isEqualTo("1300\n");
        delete(medium.path("session_id").asText());
        JsonNode small = executeOk(Map.of("code", "x = 1\n" + grow));
        assertThat(small.path("success").asBoolean()).isFalse();
        String type = small.path("error").path("type").asText();
        if (type.equals("MemoryError")) {
            assertThat(small.path("state_lost").asBoolean()).isFalse();
        } else {
            assertThat(type).as("%s", small).isEqualTo("InterpreterDied");
            assertThat(small.path("error").path("message").asText()).contains("out of memory").contains("1024 MB");
            assertThat(small.path("state_lost").asBoolean()).isTrue();
        }
        assertThat(in(small.path("session_id").asText(), "print('alive')").path("stdout").asText()).isEqualTo("alive\n");
        delete(small.path("session_id").asText());
    }
}
