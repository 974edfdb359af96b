package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The persistent-sandbox part of the API over a {@link ServerFixture}: create, exec, files,
 * lifecycle, with the names of the sandboxes created so that a test can remove what it left.
 */
final class SandboxApi {

    final ServerFixture fx;
    private final Set<String> created = new LinkedHashSet<>();

    SandboxApi(ServerFixture fx) {
        this.fx = fx;
    }

    /** Over the next daemon on the same state, still knowing the sandboxes {@code before} created. */
    SandboxApi(ServerFixture fx, SandboxApi before) {
        this.fx = fx;
        this.created.addAll(before.created);
    }

    static String json(Object body) {
        try {
            return ServerFixture.JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    /** {@code POST /sandboxes} with a raw body; remembers the name when it was created. */
    ServerFixture.Response createRaw(String body) {
        ServerFixture.Response r = fx.post("/sandboxes", body);
        if (r.status() == 201) {
            created.add(r.json().path("data").path("name").asText());
        }
        return r;
    }

    /** {@code POST /sandboxes} of {@code {"name": name}} plus {@code extra}. */
    ServerFixture.Response create(String name, Map<String, ?> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.putAll(extra);
        return createRaw(json(body));
    }

    /** Creates a sandbox that must be created (201); its data. */
    JsonNode createOk(String name) {
        return createOk(name, Map.of());
    }

    JsonNode createOk(String name, Map<String, ?> extra) {
        ServerFixture.Response r = create(name, extra);
        assertThat(r.status()).as("create %s: %s", name, r).isEqualTo(201);
        return r.data();
    }

    ServerFixture.Response get(String name) {
        return fx.get("/sandboxes/" + name);
    }

    ServerFixture.Response list() {
        return fx.get("/sandboxes");
    }

    ServerFixture.Response stop(String name) {
        return fx.post("/sandboxes/" + name + "/stop", "");
    }

    ServerFixture.Response start(String name) {
        return fx.post("/sandboxes/" + name + "/start", "");
    }

    ServerFixture.Response delete(String name) {
        ServerFixture.Response r = fx.send(fx.request("/sandboxes/" + name).DELETE().build());
        if (r.status() == 200) {
            created.remove(name);
        }
        return r;
    }

    ServerFixture.Response logs(String name) {
        return fx.get("/sandboxes/" + name + "/logs");
    }

    /** Forgets a name (e.g. a sandbox the server removed by itself). */
    void forget(String name) {
        created.remove(name);
    }

    /** Sandboxes created through this object and not yet deleted. */
    /** Counts {@code name} among the sandboxes to remove (one created another way). */
    void remember(String name) {
        created.add(name);
    }

    List<String> created() {
        return new ArrayList<>(created);
    }

    /** Deletes every sandbox this object created and did not delete; returns the failures. */
    List<String> removeAll() {
        List<String> failures = new ArrayList<>();
        for (String name : created()) {
            ServerFixture.Response r = delete(name);
            if (r.status() != 200 && r.status() != 404) {
                failures.add("DELETE /sandboxes/" + name + ": " + r);
            }
            created.remove(name);
        }
        return failures;
    }

    // ---- commands ----------------------------------------------------------------------------

    ServerFixture.Response execRaw(String name, String body) {
        return fx.post("/sandboxes/" + name + "/exec", body);
    }

    ServerFixture.Response exec(String name, List<String> argv, Map<String, ?> extra) {
        Map<String, Object> body = new LinkedHashMap<>(extra);
        body.put("command", argv);
        return execRaw(name, json(body));
    }

    /** Runs {@code argv}, which must get a 200; the data ({@code output}, {@code exit_code}, ...). */
    JsonNode execOk(String name, List<String> argv) {
        return execOk(name, argv, Map.of());
    }

    JsonNode execOk(String name, List<String> argv, Map<String, ?> extra) {
        ServerFixture.Response r = exec(name, argv, extra);
        assertThat(r.status()).as("exec %s in %s: %s", argv, name, r).isEqualTo(200);
        return r.data();
    }

    /** Runs {@code sh -c script}, which must exit 0; its output. */
    String sh(String name, String script) {
        JsonNode data = execOk(name, List.of("sh", "-c", script));
        assertThat(data.path("exit_code").asInt(-1)).as("exit code of sh -c '%s' in %s: %s", script, name, data)
                .isZero();
        return data.path("output").asText();
    }

    // ---- files -------------------------------------------------------------------------------

    /** {@code /sandboxes/{name}/files} + {@code path} (an absolute sandbox path, or raw URL text). */
    static String filePath(String name, String path) {
        return "/sandboxes/" + name + "/files" + (path.startsWith("/") ? path : "/" + path);
    }

    ServerFixture.Response writeJson(String name, String path, Map<String, ?> body) {
        return fx.send(fx.request(filePath(name, path)).setHeader("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json(body), StandardCharsets.UTF_8)).build());
    }

    ServerFixture.Response writeText(String name, String path, String content) {
        return writeJson(name, path, Map.of("content", content));
    }

    ServerFixture.Response writeBase64(String name, String path, byte[] content) {
        return writeJson(name, path, Map.of("content", java.util.Base64.getEncoder().encodeToString(content),
                "encoding", "base64"));
    }

    ServerFixture.Response writeRaw(String name, String path, HttpRequest.BodyPublisher body) {
        return fx.send(fx.request(filePath(name, path)).setHeader("Content-Type", "application/octet-stream")
                .timeout(Duration.ofSeconds(120)).PUT(body).build());
    }

    ServerFixture.Response read(String name, String path) {
        return fx.get(filePath(name, path));
    }

    ServerFixture.Response readRaw(String name, String path) {
        return fx.send(fx.request(filePath(name, path)).header("Accept", "application/octet-stream")
                .timeout(Duration.ofSeconds(120)).GET().build());
    }

    ServerFixture.Response deleteFile(String name, String path) {
        return fx.send(fx.request(filePath(name, path)).DELETE().build());
    }

    /** The host directory of a sandbox's files. */
    Path hostDir(String name) {
        return fx.stateDir().resolve("sandboxes").resolve(name);
    }

    /**
     * The host directory of a sandbox's {@code /workspace}: on its disk ({@code fs/workspace},
     * mounted while it runs) or, without a disk limit, {@code workspace}.
     */
    Path hostWorkspace(String name) {
        Path dir = hostDir(name);
        return Files.exists(dir.resolve("disk.img")) ? dir.resolve("fs").resolve("workspace") : dir.resolve("workspace");
    }
}
