package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.image.TestImages;
import dev.agentkernel.testing.SandboxHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web console ({@code /console/}, {@link ConsoleRoutes}) in headless Chromium, driven by
 * {@code src/test/node/console.mjs} through {@code playwright-core} (installed by the build into
 * {@code target/console-npm}, no browser download: the system's {@code chromium}) against a real
 * daemon with an API key, as a user would: a wrong key is refused, the right one signs in; create
 * a sandbox, run a command whose output streams in, upload a binary file and download the same
 * bytes, browse directories, a terminal keeps a shell's directory and variables across lines and
 * takes typed keys, a code session keeps a variable across two executions, a task is
 * dispatched and cancelled, the audit log is filtered, the metrics figures move; every page again
 * at phone size (and must fit its width); a page of another origin cannot read the API even with
 * the key (and the static files need none, carry their security headers and serve only their own
 * names); a daemon without keys opens the console without asking. The terminal is xterm.js: a
 * cleared screen with text put at row 5 column 10, {@code top} drawn and quit, a file written in
 * {@code vi}, ArrowUp, Ctrl+C
 * interrupting a sleep, the pty's size following the window and a phone's width; its {@code
 * <style>} elements are allowed by the page's per-answer nonce and no CSP violation is reported.
 * Images (a pull from a registry on loopback with its progress, removal refused while in use),
 * volumes (created, mounted by a sandbox, removal refused while mounted), snapshots (taken, a
 * sandbox made from one, restored, deletion refused while used) and secrets (set, never shown
 * back, removed) are driven through their pages, and the API's refusals are shown readably. Screenshots of each page at
 * 1280x800 and 390x844 are kept in {@code target/console-screenshots/}. The script's claims are
 * checked again here through the API.
 */
class ConsoleIT {

    static final String KEY = "console-it-key-5c1e";
    static final Duration RUN_LIMIT = Duration.ofMinutes(8);

    static Path moduleDir;
    static Path nodeModules;
    static ServerFixture fx;
    static SandboxApi api;
    static HttpServer otherOrigin;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        ServerFixture.assumeSandboxHost();
        TestImages images = TestImages.get(); // a busybox image on a registry on loopback, for the images page
        image = images.ref(images.plain, "test/base:1");
        SandboxHost.require(SandboxHost.onPath("node").isPresent(), "ConsoleIT needs Node.js (node) on PATH");
        SandboxHost.require(SandboxHost.onPath("chromium").isPresent(),
                "ConsoleIT needs Chromium on PATH (apt-get install -y --no-install-recommends chromium)");
        moduleDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        nodeModules = moduleDir.resolve("target/console-npm/node_modules");
        assertThat(nodeModules.resolve("playwright-core/index.mjs"))
                .as("playwright-core, installed by the build (scripts/build-console.sh)").exists();
        fx = ServerFixture.start(8, List.of(KEY));
        api = new SandboxApi(fx);
        otherOrigin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        otherOrigin.createContext("/", exchange -> {
            byte[] body = "<!doctype html><title>another site</title><p>another origin</p>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        otherOrigin.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (otherOrigin != null) {
            otherOrigin.stop(0);
        }
        if (fx != null) {
            try {
                for (String name : List.of("console-sb", "console-img", "console-from-snap")) {
                    api.remember(name);
                }
                api.removeAll();
                fx.send(fx.request("/snapshots/console-snap").DELETE().build());
                fx.send(fx.request("/volumes/console-vol").DELETE().build());
                fx.send(fx.request("/secrets/CONSOLE_TOKEN").DELETE().build());
                for (var session : fx.get("/sessions").data().path("sessions")) {
                    fx.send(fx.request("/sessions/" + session.path("session_id").asText()).DELETE().build());
                }
            } finally {
                fx.close();
                fx = null;
            }
        }
    }

    @Test
    void theStaticFilesNeedNoKeyAndCarryTheirPolicy() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(fx.uri("/console/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        // the page's policy: the fixed one plus a style nonce made for this answer, which the page names
        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        var nonce = java.util.regex.Pattern.compile("style-src 'self' 'nonce-([A-Za-z0-9+/]{22}==)';").matcher(policy);
        assertThat(nonce.find()).as(policy).isTrue();
        assertThat(policy).isEqualTo(ConsoleRoutes.pagePolicy(nonce.group(1)));
        assertThat(policy).contains("script-src 'self';").doesNotContain("unsafe");
        assertThat(page.body()).contains("<meta name=\"ak-style-nonce\" content=\"" + nonce.group(1) + "\">")
                .doesNotContain(ConsoleRoutes.NONCE_PLACEHOLDER);
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(fx.uri("/console/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(again.headers().firstValue("Content-Security-Policy").orElseThrow()).as("a fresh nonce per answer")
                .isNotEqualTo(policy);
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.body()).contains("console.js").doesNotContain(KEY);
        HttpResponse<String> script = http.send(HttpRequest.newBuilder(fx.uri("/console/console.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
        assertThat(script.headers().firstValue("Content-Security-Policy")).hasValue(ConsoleRoutes.POLICY);
        HttpResponse<String> css = http.send(HttpRequest.newBuilder(fx.uri("/console/console.css")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(css.body()).as("xterm.js's style sheet is bundled into the console's").contains(".xterm-helper-textarea");
        HttpResponse<String> bare = http.send(HttpRequest.newBuilder(fx.uri("/console")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.headers().firstValue("Location")).hasValue("/console/");
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(fx.uri("/console/nothing.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        // no path that starts like the console's reaches a file or the API without the key
        for (String path : List.of("/console/..%2Fpom.xml", "/console/%2e%2e/agentkernel.db", "/console/../sandboxes",
                "/console/%2e%2e/sandboxes", "/console/..%2fsandboxes", "/console/./../status", "/console//sandboxes")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(fx.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s: %s", path, r.body()).isIn(401, 404);
            assertThat(r.body()).as(path).doesNotContain("\"data\"");
        }
        // only the console's GETs go without a key: the API next to it still needs one
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(fx.uri("/sandboxes")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).isEqualTo(401);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(fx.uri("/console/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(401);
        // another origin may not even load the page's files through a browser
        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(fx.uri("/console/console.js"))
                .header("Origin", "http://evil.example").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode()).isEqualTo(403);
    }

    @Test
    void aUserDrivesTheConsoleInChromium() throws Exception {
        Path shots = moduleDir.resolve("target/console-screenshots");
        Files.createDirectories(shots);
        try (var old = Files.list(shots)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        NodeExec.Result r = NodeExec.exec(List.of(SandboxHost.onPath("node").orElseThrow().toString(),
                moduleDir.resolve("src/test/node/console.mjs").toString()), moduleDir.resolve("target"),
                Map.of("AK_BASE_URL", fx.baseUrl(), "AK_KEY", KEY,
                        "AK_CHROMIUM", SandboxHost.onPath("chromium").orElseThrow().toString(),
                        "AK_NODE_MODULES", nodeModules.toString(), "AK_SHOTS", shots.toString(),
                        "AK_OTHER_ORIGIN", "http://127.0.0.1:" + otherOrigin.getAddress().getPort() + "/",
                        "AK_IMAGE", image),
                RUN_LIMIT);
        System.out.println(r.output()); // kept in target/failsafe-reports/*-output.txt
        assertThat(r.exitCode()).as("node console.mjs; its output:%n%s", r.output()).isZero();
        assertThat(r.output()).contains("CONSOLE-OK");

        // what the user did, seen through the API
        ServerFixture.Response file = api.read("console-sb", "/workspace/upload.bin");
        assertThat(file.status()).as("%s", file).isEqualTo(200);
        String task = line(r.output(), "TASK=");
        assertThat(fx.get("/tasks/" + task).data().path("status").asText()).isEqualTo("cancelled");
        String session = line(r.output(), "SESSION=");
        assertThat(fx.get("/sessions/" + session).data().path("executions").asLong()).isEqualTo(2);
        assertThat(api.get("cross-origin-sb").status()).as("the no-cors POST of another origin created nothing").isEqualTo(404);
        // the images, volumes, snapshots and secrets the user made and removed through the pages
        assertThat(fx.get("/images").data().path("images").findValuesAsText("reference")).doesNotContain(image);
        assertThat(fx.get("/volumes/console-vol").status()).isEqualTo(404);
        assertThat(fx.get("/snapshots/console-snap").status()).isEqualTo(404);
        assertThat(fx.get("/secrets/CONSOLE_TOKEN").status()).isEqualTo(404);
        assertThat(fx.get("/audit?limit=1000").data().findValuesAsText("event")).as("audited")
                .contains("snapshot_created", "sandbox_restored", "snapshot_deleted");
        for (String page : List.of("sandboxes", "sandbox", "terminal", "sessions", "session", "tasks", "images",
                "snapshots", "volumes", "secrets", "audit", "metrics")) {
            for (String size : List.of("desktop", "phone")) {
                Path png = shots.resolve(page + "-" + size + ".png");
                assertThat(png).as("screenshot of %s at %s size", page, size).exists();
                assertThat(Files.size(png)).isGreaterThan(2000);
            }
        }
    }

    @Test
    void withoutKeysTheConsoleOpensWithoutAsking() throws Exception {
        ServerFixture open = ServerFixture.start(2, List.of());
        try {
            NodeExec.Result r = NodeExec.exec(List.of(SandboxHost.onPath("node").orElseThrow().toString(),
                    moduleDir.resolve("src/test/node/console-noauth.mjs").toString()), moduleDir.resolve("target"),
                    Map.of("AK_BASE_URL", open.baseUrl(), "AK_CHROMIUM", SandboxHost.onPath("chromium").orElseThrow().toString(),
                            "AK_NODE_MODULES", nodeModules.toString()),
                    Duration.ofMinutes(2));
            assertThat(r.exitCode()).as("node console-noauth.mjs; its output:%n%s", r.output()).isZero();
            assertThat(r.output()).contains("NOAUTH-OK");
        } finally {
            open.close();
        }
    }

    private static String line(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " line in:\n" + output));
    }
}
