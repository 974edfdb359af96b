package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lifetime and the identity of persistent sandboxes with real sandboxes: a time to live
 * ({@code ttl}) ends in the sandbox's removal, files and all, by the daemon's maintenance,
 * recorded as {@code sandbox_expired}; {@code POST /sandboxes/NAME/extend} moves it; the
 * {@code uuid} finds the sandbox and is never reused; several files in one request.
 */
class SandboxLifetimeIT extends SandboxTestBase {

    @Test
    void anExpiredSandboxIsRemovedWithItsFilesAndAudited() throws Exception {
        JsonNode created = api.createOk("ttl-short", Map.of("ttl", "3s"));
        Instant expires = Instant.parse(created.path("expires_at").asText());
        assertThat(Duration.between(Instant.now(), expires)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5));
        api.sh("ttl-short", "echo kept > /workspace/f && sleep 60 > /dev/null 2>&1 &");
        assertThat(Files.exists(api.hostDir("ttl-short"))).isTrue();

        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (api.get("ttl-short").status() != 404 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(api.get("ttl-short").status()).as("removed after its time to live").isEqualTo(404);
        api.forget("ttl-short");
        assertThat(Instant.now()).as("not before its expiry").isAfterOrEqualTo(expires.minusMillis(1000));
        assertThat(Files.exists(api.hostDir("ttl-short"))).as("its files are gone").isFalse();
        List<String> types = new ArrayList<>();
        for (JsonNode event : fx.get("/audit?limit=50").data()) {
            if ("ttl-short".equals(event.path("sandbox").asText())) {
                types.add(event.path("event").asText());
            }
        }
        assertThat(types).containsSubsequence("sandbox_created", "sandbox_expired", "sandbox_removed");
        fx.awaitNothingLeftBehind(Duration.ofSeconds(10));
    }

    @Test
    void extendMovesTheExpiryAndASandboxWithoutOneKeepsNone() throws Exception {
        JsonNode created = api.createOk("ttl-ext", Map.of("ttl", "4s"));
        Instant first = Instant.parse(created.path("expires_at").asText());
        ServerFixture.Response extended = fx.post("/sandboxes/ttl-ext/extend", "{\"by\":\"1h\"}");
        assertThat(extended.status()).as("%s", extended).isEqualTo(200);
        Instant later = Instant.parse(extended.data().path("expires_at").asText());
        assertThat(Duration.between(first, later)).isEqualTo(Duration.ofHours(1));
        assertThat(api.get("ttl-ext").data().path("expires_at").asText()).isEqualTo(later.toString());
        Thread.sleep(5000);
        assertThat(api.get("ttl-ext").status()).as("extended past its first expiry, it lives").isEqualTo(200);
        assertThat(api.sh("ttl-ext", "echo alive")).isEqualTo("alive\n");

        api.createOk("no-ttl");
        ServerFixture.Response none = fx.post("/sandboxes/no-ttl/extend", "{\"by\":\"30m\"}");
        assertThat(none.status()).as("%s", none).isEqualTo(200);
        assertThat(none.data().has("expires_at")).as("no time to live, none given: %s", none).isFalse();
        assertThat(api.get("no-ttl").data().has("expires_at")).isFalse();

        for (String body : List.of("{}", "{\"by\":\"soon\"}", "{\"by\":\"0s\"}", "{\"by\":3600}", "{\"by\":\"400d\"}")) {
            ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/ttl-ext/extend", body), 400);
        }
        ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/nobody/extend", "{\"by\":\"1h\"}"), 404);
        for (String ttl : List.of("\"\"", "\"forever\"", "\"-5m\"", "0", "\"1w\"")) {
            ServerFixture.Response r = api.createRaw("{\"name\":\"bad-ttl\",\"ttl\":" + ttl + "}");
            assertThat(ServerTestBase.assertErrorEnvelope(r, 400).path("error").asText()).as(ttl).contains("ttl");
        }
        assertThat(api.get("bad-ttl").status()).isEqualTo(404);
    }

    @Test
    void theUuidFindsTheSandboxAndIsNeverReused() {
        String uuid = api.createOk("uuid-box").path("uuid").asText();
        assertThat(uuid).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        ServerFixture.Response found = fx.get("/sandboxes/by-uuid/" + uuid);
        assertThat(found.status()).as("%s", found).isEqualTo(200);
        assertThat(found.data().path("name").asText()).isEqualTo("uuid-box");
        assertThat(fx.get("/sandboxes/by-uuid/" + uuid.toUpperCase()).data().path("name").asText()).isEqualTo("uuid-box");
        assertThat(api.get("uuid-box").data().path("uuid").asText()).isEqualTo(uuid);
        assertThat(api.stop("uuid-box").data().path("uuid").asText()).as("the same across stops").isEqualTo(uuid);
        assertThat(api.start("uuid-box").data().path("uuid").asText()).isEqualTo(uuid);

        assertThat(api.delete("uuid-box").status()).isEqualTo(200);
        ServerTestBase.assertErrorEnvelope(fx.get("/sandboxes/by-uuid/" + uuid), 404);
        String again = api.createOk("uuid-box").path("uuid").asText();
        assertThat(again).as("a new sandbox of the same name is another sandbox").isNotEqualTo(uuid);

        ServerTestBase.assertErrorEnvelope(fx.get("/sandboxes/by-uuid/not%20a%20uuid"), 400);
        ServerTestBase.assertErrorEnvelope(fx.get("/sandboxes/by-uuid/00000000-0000-4000-8000-000000000000"), 404);
        assertThat(ServerTestBase.assertErrorEnvelope(api.create("by-uuid", Map.of()), 400).path("error").asText())
                .contains("reserved");
    }

    @Test
    void severalFilesInOneRequestWithTheirParents() {
        api.createOk("many-files");
        Map<String, String> files = new LinkedHashMap<>();
        files.put("main.py", "print('hi')\n");
        files.put("src/pkg/__init__.py", "");
        files.put("/tmp/deep/er/notes.txt", "h\u00e9llo");
        ServerFixture.Response r = fx.post("/sandboxes/many-files/files", SandboxApi.json(Map.of("files", files)));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.data().path("written").asInt()).isEqualTo(3);
        assertThat(r.data().path("bytes").asLong()).isEqualTo(12 + 6);
        assertThat(api.sh("many-files", "cat /workspace/main.py /tmp/deep/er/notes.txt; test -f "
                + "/workspace/src/pkg/__init__.py && echo ok")).isEqualTo("print('hi')\nh\u00e9llook\n");

        ServerFixture.Response b64 = fx.post("/sandboxes/many-files/files",
                "{\"files\":{\"bin/x\":\"AAEC/w==\"},\"encoding\":\"base64\"}");
        assertThat(b64.status()).as("%s", b64).isEqualTo(200);
        assertThat(api.sh("many-files", "od -An -tx1 /workspace/bin/x").strip()).isEqualTo("00 01 02 ff");

        for (String body : List.of("{}", "{\"files\":{}}", "{\"files\":[\"a\"]}", "{\"files\":{\"a\":1}}",
                "{\"files\":{\"\":\"x\"}}", "{\"files\":{\"a\":\"x\",\"/workspace/a\":\"y\"}}",
                "{\"files\":{\"a\":\"!!\"},\"encoding\":\"base64\"}", "{\"files\":{\"a\":\"x\"},\"encoding\":\"latin1\"}")) {
            ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/many-files/files", body), 400);
        }
        ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/many-files/files",
                "{\"files\":{\"/workspace/main.py/under\":\"x\"}}"), 400);
        ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/nobody/files", "{\"files\":{\"a\":\"x\"}}"), 404);
        api.stop("many-files");
        ServerTestBase.assertErrorEnvelope(fx.post("/sandboxes/many-files/files", "{\"files\":{\"a\":\"x\"}}"), 409);
    }
}
