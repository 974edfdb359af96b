package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.image.TestImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshots with real sandboxes on a real image (pulled from a registry on loopback): what a
 * sandbox installed into its image and wrote into {@code /workspace} is kept by a snapshot,
 * sandboxes made from it each start with exactly those files and do not see each other's later
 * writes, a restore brings back exactly the snapshot's files, a fork makes several at once; bad
 * requests are 400/404/409/429, never a 500.
 */
class SnapshotIT extends SandboxTestBase {

    static String base;

    @BeforeAll
    static void images() throws Exception {
        TestImages images = TestImages.get();
        base = images.ref(images.plain, "test/base:1");
    }

    @AfterEach
    void deleteSnapshots() {
        api.removeAll();
        for (JsonNode s : fx.get("/snapshots").data()) {
            ServerFixture.Response r = fx.send(fx.request("/snapshots/" + s.path("name").asText()).DELETE().build());
            assertThat(r.status()).as("%s", r).isEqualTo(200);
        }
    }

    private JsonNode snapshot(String sandbox, String name) {
        ServerFixture.Response r = fx.post("/snapshots", SandboxApi.json(Map.of("sandbox", sandbox, "name", name)));
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r.data();
    }

    private void install(String sandbox) {
        sudo(sandbox, "mkdir -p /usr/local/bin && printf '#!/bin/sh\\necho tool works\\n' > /usr/local/bin/tool && "
                + "chmod 755 /usr/local/bin/tool && rm /etc/motd");
        api.sh(sandbox, "echo data > /workspace/data.txt && mkdir -p /workspace/src && echo code > /workspace/src/a.py");
    }

    private static void sudo(String sandbox, String script) {
        JsonNode data = api.execOk(sandbox, List.of("sh", "-c", script), Map.of("sudo", true));
        assertThat(data.path("exit_code").asInt(-1)).as("sudo sh -c '%s' in %s: %s", script, sandbox, data).isZero();
    }

    private static final String CHECK = "tool; test -e /etc/motd && echo motd || echo no-motd; cat /workspace/data.txt "
            + "/workspace/src/a.py; stat -c %u /workspace/data.txt; grep ^ID= /etc/os-release";
    private static final String AS_TAKEN = "tool works\nno-motd\ndata\ncode\n1000\nID=akbusybox\n";

    @Test
    void sandboxesFromASnapshotStartWithItsFilesAndDoNotSeeEachOther() {
        api.createOk("snap-src", Map.of("image", base));
        install("snap-src");
        JsonNode taken = snapshot("snap-src", "installed");
        assertThat(taken.path("sandbox").asText()).isEqualTo("snap-src");
        assertThat(taken.path("image_tag").asText()).startsWith("agentkernel.local/snapshots:installed@sha256:");
        assertThat(taken.path("base_image").asText()).contains("test/base");
        assertThat(taken.path("size_bytes").asLong()).isPositive();
        assertThat(fx.get("/snapshots/installed").data().path("image_tag").asText())
                .isEqualTo(taken.path("image_tag").asText());
        api.sh("snap-src", "echo later > /workspace/later.txt");

        List<String> children = List.of("child-1", "child-2", "child-3");
        for (String child : children) {
            JsonNode made = api.createOk(child, Map.of("snapshot", "installed"));
            assertThat(made.path("image").asText()).isEqualTo(taken.path("image_tag").asText());
            assertThat(api.sh(child, CHECK)).as(child).isEqualTo(AS_TAKEN);
            assertThat(api.sh(child, "test -e /workspace/later.txt && echo seen || echo unseen"))
                    .as("a write after the snapshot").isEqualTo("unseen\n");
        }
        api.sh("child-1", "echo mine > /workspace/mine.txt");
        sudo("child-1", "echo x > /usr/local/bin/only-one");
        for (String other : List.of("child-2", "child-3", "snap-src")) {
            assertThat(api.sh(other, "ls /workspace /usr/local/bin")).as(other).doesNotContain("mine.txt")
                    .doesNotContain("only-one");
        }
        // a sandbox made from a snapshot survives a stop and start on it
        api.stop("child-2");
        api.start("child-2");
        assertThat(api.sh("child-2", CHECK)).isEqualTo(AS_TAKEN);

        ServerFixture.Response inUse = fx.send(fx.request("/snapshots/installed").DELETE().build());
        assertThat(ServerTestBase.assertErrorEnvelope(inUse, 409).path("error").asText()).contains("child-1");
    }

    @Test
    void aRestoreBringsBackExactlyTheSnapshotsFilesAndAStoppedSandboxCanBeSnapshotted() {
        api.createOk("restore-me", Map.of("image", base));
        install("restore-me");
        api.stop("restore-me");
        snapshot("restore-me", "before");
        api.start("restore-me");
        sudo("restore-me", "echo extra > /usr/local/bin/extra && echo back > /etc/motd");
        api.sh("restore-me", "echo changed > /workspace/data.txt && rm -r /workspace/src && echo new > /workspace/new");

        ServerFixture.Response restored = fx.post("/snapshots/before/restore", "");
        assertThat(restored.status()).as("%s", restored).isEqualTo(200);
        assertThat(restored.data().path("status").asText()).isEqualTo("running");
        assertThat(api.sh("restore-me", CHECK)).isEqualTo(AS_TAKEN);
        assertThat(api.sh("restore-me", "ls /usr/local/bin /workspace")).doesNotContain("extra").doesNotContain("new");

        // restoring a sandbox that is gone makes it again from the snapshot
        assertThat(api.delete("restore-me").status()).isEqualTo(200);
        ServerFixture.Response again = fx.post("/snapshots/before/restore", "{}");
        assertThat(again.status()).as("%s", again).isEqualTo(200);
        api.remember("restore-me");
        assertThat(api.sh("restore-me", CHECK)).isEqualTo(AS_TAKEN);
        // and into another sandbox
        api.createOk("other", Map.of("image", base));
        assertThat(fx.post("/snapshots/before/restore", "{\"sandbox\": \"other\"}").status()).isEqualTo(200);
        assertThat(api.sh("other", CHECK)).isEqualTo(AS_TAKEN);
    }

    @Test
    void aForkMakesSeveralSandboxesFromOneAtOnce() {
        api.createOk("forked", Map.of("image", base));
        install("forked");
        ServerFixture.Response r = fx.post("/sandboxes/forked/fork", "{\"count\": 3}");
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        List<String> names = new ArrayList<>();
        r.data().path("sandboxes").forEach(s -> names.add(s.path("name").asText()));
        names.forEach(api::remember);
        assertThat(names).containsExactly("forked-1", "forked-2", "forked-3");
        for (String name : names) {
            assertThat(api.sh(name, CHECK)).as(name).isEqualTo(AS_TAKEN);
        }
        String snapshotName = r.data().path("snapshot").path("name").asText();
        assertThat(snapshotName).startsWith("forked-fork-");
        assertThat(fx.get("/snapshots").data().findValuesAsText("name")).contains(snapshotName);

        ServerFixture.Response named = fx.post("/sandboxes/forked/fork", "{\"names\": [\"left\", \"right\"]}");
        assertThat(named.status()).as("%s", named).isEqualTo(201);
        api.remember("left");
        api.remember("right");
        assertThat(api.sh("right", "cat /workspace/data.txt")).isEqualTo("data\n");

        assertThat(ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/forked/fork", "{\"count\": 17}"), 429)
                .path("error").asText()).contains("16");
        assertThat(ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/forked/fork", "{\"names\": [\"x1\", \"x2\", "
                + "\"x3\"]}"), 429)
                .path("error").asText()).as("8 may run; 6 do").contains("2 more");
        assertThat(ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/forked/fork", "{\"count\": 2}"), 409)
                .path("error").asText()).contains("forked-1, forked-2 are taken");
        assertThat(ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/forked/fork", "{\"names\": [\"left\"]}"),
                409).path("error").asText()).contains("left");
        ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/forked/fork", "{\"count\": 0}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/forked/fork", "{\"names\": [\"a\", \"a\"]}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/forked/fork", "{\"names\": [\"bad name\"]}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/nobody/fork", "{}"), 404);
    }

    /**
     * A copy never reaches more than its original: forks and sandboxes made from a snapshot keep the
     * sandbox's network policy (before, they ran without one), unless the request gives its own.
     */
    @Test
    void forksAndSandboxesFromASnapshotKeepTheNetworkPolicy() {
        api.createOk("fenced", Map.of("image", base, "network_policy", Map.of("allow_domains", List.of("allowed.example"))));
        String probe = "nslookup deb.debian.org 10.0.2.3 2>&1; true";
        assertThat(api.sh("fenced", probe)).as("the original's resolver refuses a name off its allow-list").contains("REFUSED");
        ServerFixture.Response fork = fx.post("/sandboxes/fenced/fork", "{\"count\": 1}");
        assertThat(fork.status()).as("%s", fork).isEqualTo(201);
        api.remember("fenced-1");
        assertThat(api.sh("fenced-1", probe)).as("the fork's").contains("REFUSED");
        snapshot("fenced", "fenced-snap");
        ServerFixture.Response made = fx.post("/sandboxes", SandboxApi.json(Map.of("name", "from-fenced", "snapshot",
                "fenced-snap")));
        assertThat(made.status()).as("%s", made).isEqualTo(201);
        api.remember("from-fenced");
        assertThat(api.sh("from-fenced", probe)).as("a sandbox made from its snapshot").contains("REFUSED");
        ServerFixture.Response own = fx.post("/sandboxes", SandboxApi.json(Map.of("name", "own-policy", "snapshot",
                "fenced-snap", "network_policy", Map.of("allow_domains", List.of("deb.debian.org")))));
        assertThat(own.status()).as("%s", own).isEqualTo(201);
        api.remember("own-policy");
        assertThat(api.sh("own-policy", probe)).as("a request's own policy replaces the snapshot's")
                .doesNotContain("REFUSED");
        assertThat(api.sh("own-policy", "nslookup other.example 10.0.2.3 2>&1; true")).contains("REFUSED");
    }

    @Test
    void badRequestsAreClearErrors() {
        ServerTestBase.assertErrorEnvelope(fx.post("/snapshots", "{\"sandbox\": \"nobody\"}"), 404);
        ServerTestBase.assertErrorEnvelope(fx.post("/snapshots", "{}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.post("/snapshots", "{\"sandbox\": \"x\", \"name\": \"bad name\"}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.get("/snapshots/nothing"), 404);
        ServerTestBase.assertErrorEnvelope(fx.send(fx.request("/snapshots/nothing").DELETE().build()), 404);
        ServerTestBase.assertErrorEnvelope(fx.post("/snapshots/nothing/restore", ""), 404);
        ServerTestBase.assertErrorEnvelope(api.create("from-nothing", Map.of("snapshot", "nothing")), 404);
        ServerTestBase.assertErrorEnvelope(api.create("both", Map.of("snapshot", "x", "image", base)), 400);

        api.createOk("on-host", Map.of("image", "host"));
        assertThat(ServerTestBase.assertErrorEnvelope(fx.post("/snapshots", "{\"sandbox\": \"on-host\"}"), 409)
                .path("error").asText()).contains("host's /usr");
        api.createOk("dup-src", Map.of("image", base));
        JsonNode first = fx.post("/snapshots", "{\"sandbox\": \"dup-src\"}").data();
        assertThat(first.path("name").asText()).matches("dup-src-\\d{8}-\\d{6}");
        snapshot("dup-src", "taken");
        ServerTestBase.assertErrorEnvelope(fx.post("/snapshots", "{\"sandbox\": \"dup-src\", \"name\": \"taken\"}"), 409);
        assertThat(fx.get("/snapshots").data().findValuesAsText("name")).contains("taken", first.path("name").asText());
    }
}
