package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.testing.SandboxHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published Node.js client ({@code agentkernel@0.18.1} from the npm registry) against the
 * real server: installs it into {@code target/node-compat} (once; kept across runs), starts the
 * server with an API key and runs {@code src/test/node/compat.mjs}, which exercises health,
 * run (with options), runStream, batchRun, the persistent-sandbox calls (createSandbox,
 * getSandbox, listSandboxes, execInSandbox with env and workdir, writeFile/readFile/deleteFile,
 * getSandboxLogs, stop and start through the client's request(), the sandbox() session,
 * removeSandbox), the snapshot calls on a sandbox of a real image ({@code AK_TEST_IMAGE}: takeSnapshot,
 * listSnapshots, getSnapshot, restoreSnapshot, deleteSnapshot) and the client's error classes for 400, 401,
 * 404 and 409.
 */
class NodeClientCompatIT {

    static final String PACKAGE = "agentkernel";
    static final String VERSION = "0.18.1";
    static final String KEY = "node-compat-key-91ad";
    static final Duration INSTALL_LIMIT = Duration.ofSeconds(150);
    static final Duration RUN_LIMIT = Duration.ofSeconds(120);

    static Path moduleDir;
    static ServerFixture fx;
    static dev.agentkernel.image.TestImages testImage;

    @BeforeAll
    static void setUp() throws Exception {
        ServerFixture.assumeSandboxHost();
        SandboxHost.require(SandboxHost.onPath("node").isPresent(),
                "NodeClientCompatIT needs Node.js (node) on PATH to run the published client; skipped");
        SandboxHost.require(SandboxHost.onPath("npm").isPresent(),
                "NodeClientCompatIT needs npm on PATH to install " + PACKAGE + "@" + VERSION + "; skipped");
        int major = nodeMajorVersion();
        SandboxHost.require(major >= 20, "the published client needs Node.js 20 or newer (global fetch, AbortSignal.timeout); "
                + "found major version " + major + "; skipped");
        moduleDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        installClient(moduleDir.resolve("target/node-compat"));
        testImage = dev.agentkernel.image.TestImages.get();
        fx = ServerFixture.start(8, List.of(KEY));
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (fx != null) {
            try {
                fx.awaitNothingLeftBehind(Duration.ofSeconds(5));
            } finally {
                fx.close();
                fx = null;
            }
        }
    }

    @Test
    void publishedNodeClientWorksAgainstTheServer() throws Exception {
        Path installDir = moduleDir.resolve("target/node-compat");
        Path script = moduleDir.resolve("src/test/node/compat.mjs");
        assertThat(script).exists();
        NodeExec.Result r = NodeExec.exec(List.of(SandboxHost.onPath("node").orElseThrow().toString(),
                script.toString()), installDir, Map.of("AGENTKERNEL_BASE_URL", fx.baseUrl(), "AGENTKERNEL_API_KEY", KEY,
                        "AGENTKERNEL_NODE_MODULES", installDir.resolve("node_modules").toString(),
                        "AK_TEST_IMAGE", testImage.ref(testImage.plain, "test/base:1")),
                RUN_LIMIT);
        System.out.println(r.output()); // kept in target/failsafe-reports/*-output.txt
        List<String> lines = r.output().strip().lines().toList();
        assertThat(r.exitCode()).as("node compat.mjs exit code; its output:%n%s", r.output()).isZero();
        assertThat(lines).as("output of compat.mjs:%n%s", r.output()).isNotEmpty();
        assertThat(lines.getLast()).as("last line of compat.mjs:%n%s", r.output()).matches("\\d+ passed, 0 failed");
        assertThat(lines).as("the auth checks ran (a key was set):%n%s", r.output())
                .anyMatch(l -> l.startsWith("ok - 401"));
        assertThat(lines).noneMatch(l -> l.startsWith("not ok"));
        assertThat(lines).as("the sandbox checks ran:%n%s", r.output())
                .anyMatch(l -> l.startsWith("ok - createSandbox()"))
                .anyMatch(l -> l.startsWith("ok - removeSandbox()"));
        assertThat(lines).as("the snapshot checks ran:%n%s", r.output())
                .anyMatch(l -> l.startsWith("ok - takeSnapshot({sandbox, name})"))
                .anyMatch(l -> l.startsWith("ok - restoreSnapshot(name)"))
                .anyMatch(l -> l.startsWith("ok - deleteSnapshot()"));
        assertThat(fx.get("/snapshots").data()).as("snapshots left by compat.mjs").isEmpty();
        ServerFixture.Response sandboxes = fx.get("/sandboxes");
        assertThat(sandboxes.data()).as("sandboxes left by compat.mjs: %s", sandboxes).isEmpty();
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Installs the client unless this exact version is already there. */
    private static void installClient(Path dir) throws Exception {
        Path installed = dir.resolve("node_modules").resolve(PACKAGE).resolve("package.json");
        if (Files.isRegularFile(installed)
                && Files.readString(installed).matches("(?s).*\"version\"\\s*:\\s*\"" + VERSION.replace(".", "\\.") + "\".*")) {
            return; // cached from an earlier run
        }
        Files.createDirectories(dir);
        // a package.json of its own, so npm installs here and not into some parent project
        Files.writeString(dir.resolve("package.json"),
                "{\"name\": \"agentkernel-node-compat\", \"private\": true, \"type\": \"module\"}\n");
        NodeExec.Result r = NodeExec.exec(List.of(SandboxHost.onPath("npm").orElseThrow().toString(), "install",
                "--no-audit", "--no-fund", "--no-save", PACKAGE + "@" + VERSION), dir, Map.of(), INSTALL_LIMIT);
        SandboxHost.require(r.exitCode() == 0 && Files.isRegularFile(installed),
                "cannot install " + PACKAGE + "@" + VERSION + " from the npm registry (exit " + r.exitCode()
                        + "); skipped. npm said:\n" + r.output());
    }

    private static int nodeMajorVersion() throws Exception {
        NodeExec.Result r = NodeExec.exec(List.of(SandboxHost.onPath("node").orElseThrow().toString(), "--version"),
                Path.of(System.getProperty("java.io.tmpdir")), Map.of(), Duration.ofSeconds(30));
        String v = r.output().strip();
        try {
            return Integer.parseInt(v.replaceFirst("^v", "").replaceFirst("\\..*$", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
