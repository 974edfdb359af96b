package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.testing.SandboxHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real browser (headless Chromium) opens a page served from another origin (a small HTTP server
 * on another loopback port) whose script tries to drive a daemon that has no API key: {@code
 * no-cors} POSTs with {@code text/plain} bodies (which need no preflight), a bodyless {@code
 * no-cors} POST, and a CORS JSON POST (which needs a preflight). Nothing may happen: no command
 * runs (it would write a file), no sandbox is created or started.
 */
class BrowserIT {

    static ServerFixture fx;
    static SandboxApi api;
    static Path chromium;

    @BeforeAll
    static void start() throws IOException {
        ServerFixture.assumeSandboxHost();
        SandboxHost.require(SandboxHost.onPath("chromium").isPresent(),
                "BrowserIT needs Chromium on PATH (apt-get install -y --no-install-recommends chromium)");
        chromium = SandboxHost.onPath("chromium").orElseThrow();
        fx = ServerFixture.start(4, List.of()); // the reviewed default: loopback, no key
        api = new SandboxApi(fx);
    }

    @AfterAll
    static void stop() throws IOException {
        if (fx != null) {
            try {
                assertThat(api.removeAll()).isEmpty();
            } finally {
                fx.close();
                fx = null;
            }
        }
    }

    @Test
    void aPageOfAnotherOriginCannotDriveTheDaemon() throws Exception {
        api.createOk("browser-target");
        api.createOk("browser-stopped");
        assertThat(api.stop("browser-stopped").status()).isEqualTo(200);
        String daemon = fx.baseUrl();
        String page = """
                <!doctype html><html><body><script>
                const d = "%s";
                const results = [];
                async function attempt(label, promise) {
                  try { const r = await promise; results.push(label + ":" + r.type + ":" + r.status); }
                  catch (e) { results.push(label + ":error:" + e); }
                }
                function exec(file) {
                  return JSON.stringify({command: ["sh", "-c", "echo pwned > /workspace/" + file]});
                }
                (async () => {
                  await attempt("nocors-exec", fetch(d + "/sandboxes/browser-target/exec", {method: "POST", mode: "no-cors",
                      headers: {"Content-Type": "text/plain"}, body: exec("pwned-nocors")}));
                  await attempt("cors-exec", fetch(d + "/sandboxes/browser-target/exec", {method: "POST",
                      headers: {"Content-Type": "application/json"}, body: exec("pwned-cors")}));
                  await attempt("nocors-create", fetch(d + "/sandboxes", {method: "POST", mode: "no-cors",
                      headers: {"Content-Type": "text/plain"}, body: JSON.stringify({name: "browser-nocors"})}));
                  await attempt("nocors-start", fetch(d + "/sandboxes/browser-stopped/start", {method: "POST", mode: "no-cors"}));
                  await attempt("nocors-run", fetch(d + "/run", {method: "POST", mode: "no-cors",
                      headers: {"Content-Type": "text/plain"}, body: JSON.stringify({command: ["true"]})}));
                  await fetch("/done?" + encodeURIComponent(results.join(" | ")));
                })();
                </script></body></html>
                """.formatted(daemon);
        CompletableFuture<String> done = new CompletableFuture<>();
        HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = path.equals("/") ? page.getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (path.equals("/done")) {
                done.complete(URLDecoder.decode(String.valueOf(exchange.getRequestURI().getRawQuery()), StandardCharsets.UTF_8));
            }
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        pages.start();
        Path profile = Files.createTempDirectory("ak-browser-it-");
        Process browser = null;
        try {
            String url = "http://127.0.0.1:" + pages.getAddress().getPort() + "/";
            browser = new ProcessBuilder(chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                    "--user-data-dir=" + profile, url)
                    .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
            String report;
            try {
                report = done.get(90, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the page did not report back within 90 s; Chromium's log:\n"
                        + Files.readString(profile.resolve("chromium.log")), e);
            }
            List<String> effects = new ArrayList<>();
            for (String file : List.of("pwned-nocors", "pwned-cors")) {
                ServerFixture.Response r = api.read("browser-target", "/workspace/" + file);
                if (r.status() != 404) {
                    effects.add("/workspace/" + file + " was written: " + r);
                }
            }
            if (api.get("browser-nocors").status() != 404) {
                effects.add("sandbox browser-nocors was created");
                api.remember("browser-nocors");
            }
            String stopped = api.get("browser-stopped").json().path("data").path("status").asText();
            if (!stopped.equals("stopped")) {
                effects.add("sandbox browser-stopped is " + stopped);
            }
            assertThat(effects).as("what the page at another origin achieved (its report: %s)", report).isEmpty();
            assertThat(report).as("the page ran its attempts").contains("nocors-exec").contains("nocors-run");
        } finally {
            if (browser != null) {
                browser.descendants().forEach(ProcessHandle::destroyForcibly);
                browser.destroyForcibly();
                browser.waitFor(10, TimeUnit.SECONDS);
            }
            pages.stop(0);
            try (var walk = Files.walk(profile)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
