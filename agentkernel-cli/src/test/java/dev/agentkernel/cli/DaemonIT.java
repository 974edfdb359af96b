package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.cli.Launcher.Outcome;
import dev.agentkernel.testing.HostProcesses;
import dev.agentkernel.testing.SandboxHost;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentkernel daemon start|status|stop} end to end: the packaged launcher jar and
 * {@code lib-server/} run as the launcher script runs them (the script itself is not used:
 * it would rebuild the project when a source is newer than the jar), with private state and
 * runtime directories. Whatever a failing test leaves running is killed afterwards.
 */
class DaemonIT {

    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final Path JAR = TARGET.resolve("agentkernel-cli-0.1.0-SNAPSHOT-launcher.jar");
    private static final Pattern STARTED = Pattern.compile(
            "agentkernel: daemon started \\(pid (\\d+)\\) on (http://127\\.0\\.0\\.1:(\\d+)); log: (.+)");
    private static final Duration LIMIT = Duration.ofSeconds(90);
    private static String classPath;

    @TempDir
    Path dir;

    private Path stateDir;
    private Path runtimeDir;

    @BeforeAll
    static void requirements() throws IOException {
        SandboxHost.requireSandboxHost("daemon integration tests");
        assertThat(JAR).as("run after 'package'").exists();
        StringBuilder cp = new StringBuilder(JAR.toString());
        try (Stream<Path> jars = Files.list(TARGET.resolve("lib-server"))) {
            jars.filter(j -> j.toString().endsWith(".jar")).sorted().forEach(j -> cp.append(File.pathSeparator).append(j));
        }
        classPath = cp.toString();
    }

    @BeforeEach
    void directories() throws IOException {
        stateDir = Files.createDirectories(dir.resolve("state"));
        runtimeDir = Files.createDirectories(dir.resolve("runtime"));
    }

    /** Kills every process started with our state directory in its environment or naming our directories. */
    @AfterEach
    void killLeftovers() throws Exception {
        List<ProcessHandle> left = HostProcesses.all().stream()
                .filter(p -> p.environ().contains("AGENTKERNEL_STATE_DIR=" + stateDir + "\0")
                        || p.commandLine().contains(dir.toString()))
                .flatMap(p -> ProcessHandle.of(p.pid()).stream()).toList();
        for (ProcessHandle p : left) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (ProcessHandle p : left) {
            p.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    private Outcome cli(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "--enable-native-access=ALL-UNNAMED",
                "-cp", classPath, "dev.agentkernel.cli.Main"));
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("AGENTKERNEL_STATE_DIR", stateDir.toString());
        builder.environment().put("AGENTKERNEL_RUNTIME_DIR", runtimeDir.toString());
        builder.environment().remove("AGENTKERNEL_API_KEY");
        builder.environment().remove("AGENTKERNEL_BASE_URL");
        long started = System.nanoTime();
        Process process = builder.start();
        CompletableFuture<byte[]> out = Launcher.drain(process.getInputStream());
        CompletableFuture<byte[]> err = Launcher.drain(process.getErrorStream());
        if (!process.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            return fail("agentkernel " + List.of(args) + " did not end within " + LIMIT);
        }
        // The daemon must not hold the CLI's pipes open: its output goes to the log.
        return new Outcome(process.exitValue(), out.get(10, TimeUnit.SECONDS),
                new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - started), process.pid());
    }

    private static int httpGet(String url) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    /** The session id of {@code pid}, from {@code /proc/PID/stat} (the sixth field). */
    private static long sessionOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[3]);
    }

    @Test
    void startStatusStopLifecycle() throws Exception {
        Outcome none = cli("daemon", "status");
        assertThat(none.exitCode()).as(none.describe()).isEqualTo(3);
        assertThat(none.stdout()).isEqualTo("agentkernel: daemon is not running\n");

        // start: one line naming pid, address and log
        Outcome start = cli("daemon", "start", "--port", "0");
        assertThat(start.exitCode()).as(start.describe()).isZero();
        Matcher m = STARTED.matcher(start.stdout().strip());
        assertThat(m.matches()).as(start.describe()).isTrue();
        long pid = Long.parseLong(m.group(1));
        String url = m.group(2);
        int port = Integer.parseInt(m.group(3));
        assertThat(Path.of(m.group(4))).isEqualTo(stateDir.resolve("daemon.log"));
        assertThat(start.stdout().lines()).hasSize(1);
        assertThat(start.elapsed()).isLessThan(Duration.ofSeconds(40));

        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
        assertThat(daemon.isAlive()).isTrue();
        assertThat(DaemonProcesses.isDaemon(pid)).isTrue();
        assertThat(sessionOf(pid)).as("the daemon leads its own session").isEqualTo(pid);
        assertThat(Files.readString(stateDir.resolve("daemon.pid"))).isEqualTo(pid + "\n");
        JsonNode recorded = new ObjectMapper().readTree(stateDir.resolve("daemon.json").toFile());
        assertThat(recorded.path("pid").asLong()).isEqualTo(pid);
        assertThat(recorded.path("port").asInt()).isEqualTo(port);
        assertThat(recorded.path("url").asText()).isEqualTo(url);
        assertThat(httpGet(url + "/health")).isEqualTo(200);
        assertThat(Files.readString(stateDir.resolve("daemon.log"))).contains("agentkernel: serving on http://127.0.0.1:" + port);

        // a key by default: created owner-only in the state directory, required by the API, read by the CLI
        assertThat(stateDir.resolve("api-key")).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir.resolve("api-key"))))
                .isEqualTo("rw-------");
        assertThat(daemonKey()).matches("[A-Za-z0-9_-]{43}");
        assertThat(httpGet(url + "/sandboxes")).as("the API without the key").isEqualTo(401);
        Outcome list = cli("list");
        assertThat(list.exitCode()).as("'list' with no setup: " + list.describe()).isZero();

        // status: running, with pid and address; --json parses
        Outcome status = cli("daemon", "status");
        assertThat(status.exitCode()).as(status.describe()).isZero();
        assertThat(status.stdout().lines().toList()).as(status.describe())
                .startsWith("agentkernel: daemon is running", "  pid        " + pid, "  address    " + url)
                .anyMatch(l -> l.startsWith("  uptime     "));
        Outcome json = cli("daemon", "status", "--json");
        assertThat(json.exitCode()).as(json.describe()).isZero();
        JsonNode data = new ObjectMapper().readTree(json.stdout());
        assertThat(data.path("daemon").path("pid").asLong()).as(json.describe()).isEqualTo(pid);
        assertThat(data.path("daemon").path("url").asText()).isEqualTo(url);
        if (data.has("backend")) {
            // a server with GET /status
            assertThat(data.path("backend").asText()).isEqualTo("bwrap");
            assertThat(status.stdout()).contains("  backend    bwrap");
        }

        // a second start is refused with one line; the first daemon keeps running
        Outcome again = cli("daemon", "start", "--port", "0");
        assertThat(again.exitCode()).as(again.describe()).isEqualTo(1);
        assertThat(again.stdout()).isEmpty();
        assertThat(again.stderrLines()).containsExactly("agentkernel: error: a daemon is already running (pid " + pid
                + ") on " + url + "; stop it with 'agentkernel daemon stop'");
        assertThat(daemon.isAlive()).isTrue();
        assertThat(Files.readString(stateDir.resolve("daemon.pid"))).isEqualTo(pid + "\n");

        // stop: the process ends, the files go, the log stays
        Outcome stop = cli("daemon", "stop");
        assertThat(stop.exitCode()).as(stop.describe()).isZero();
        assertThat(stop.stdout()).isEqualTo("agentkernel: daemon stopped (pid " + pid + ")\n");
        assertThat(daemon.isAlive()).isFalse();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(stateDir.resolve("daemon.pid")).doesNotExist();
        assertThat(stateDir.resolve("daemon.json")).doesNotExist();
        assertThat(stateDir.resolve("daemon.log")).exists();

        // stopping again is fine; status says it does not run
        Outcome stopAgain = cli("daemon", "stop");
        assertThat(stopAgain.exitCode()).as(stopAgain.describe()).isZero();
        assertThat(stopAgain.stdout()).isEqualTo("agentkernel: daemon is not running\n");
        Outcome after = cli("daemon", "status");
        assertThat(after.exitCode()).as(after.describe()).isEqualTo(3);
        assertThat(after.stdout()).isEqualTo("agentkernel: daemon is not running\n");
    }

    @Test
    void theSandboxCommandsFindTheDaemonThatDaemonStartStarted() throws Exception {
        Outcome start = cli("daemon", "start", "--port", "0");
        assertThat(start.exitCode()).as(start.describe()).isZero();
        Matcher m = STARTED.matcher(start.stdout().strip());
        assertThat(m.matches()).as(start.describe()).isTrue();
        String url = m.group(2);

        Outcome status = cli("status");
        assertThat(status.exitCode()).as(status.describe()).isZero();
        assertThat(status.stdout()).startsWith("agentkernel: daemon is running at " + url + "\n"
                + "  found via  daemon.json ('agentkernel daemon start')\n");
        Outcome create = cli("create", "found-it");
        assertThat(create.exitCode()).as(create.describe()).isZero();
        Outcome exec = cli("exec", "found-it", "--", "sh", "-c", "echo hi; exit 3");
        assertThat(exec.exitCode()).as(exec.describe()).isEqualTo(3);
        assertThat(exec.stdout()).isEqualTo("hi\n");
        Outcome remove = cli("remove", "found-it");
        assertThat(remove.exitCode()).as(remove.describe()).isZero();

        Outcome stop = cli("daemon", "stop");
        assertThat(stop.exitCode()).as(stop.describe()).isZero();
        // Nothing recorded any more: the default address, where no daemon answers unless one runs there.
        Outcome after = cli("status");
        if (after.exitCode() != 0) {
            assertThat(after.exitCode()).as(after.describe()).isEqualTo(69);
            assertThat(after.stderr()).isEqualTo("agentkernel: error: no AgentKernel daemon answers at "
                    + "http://localhost:18888; start one with 'agentkernel daemon start'\n");
        }
    }

    @Test
    void codeSessionsLeftByAKilledDaemonAreGoneAndCleanedUpByTheNextOne() throws Exception {
        Outcome start = cli("daemon", "start", "--port", "0");
        assertThat(start.exitCode()).as(start.describe()).isZero();
        Matcher m = STARTED.matcher(start.stdout().strip());
        assertThat(m.matches()).as(start.describe()).isTrue();
        long daemonPid = Long.parseLong(m.group(1));
        String url = m.group(2);
        JsonNode created = postJson(url + "/execute", "{\"code\": \"x = 42\\nopen('/workspace/f.txt', 'w').write('x')\"}");
        assertThat(created.path("success").asBoolean()).as("%s", created).isTrue();
        String session = created.path("data").path("session_id").asText();
        List<String> dirs = sessionDirs();
        assertThat(dirs).isNotEmpty();
        assertThat(processesInCgroupsOf(daemonPid)).as("the session's interpreter runs in the daemon's cgroups").isNotEmpty();

        ProcessHandle.of(daemonPid).orElseThrow().destroyForcibly(); // a crash: no shutdown, no cleanup
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!processesInCgroupsOf(daemonPid).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(processesInCgroupsOf(daemonPid)).as("no interpreter outlives the daemon").isEmpty();

        Outcome again = cli("daemon", "start", "--port", "0");
        assertThat(again.exitCode()).as(again.describe()).isZero();
        Matcher m2 = STARTED.matcher(again.stdout().strip());
        assertThat(m2.matches()).as(again.describe()).isTrue();
        String url2 = m2.group(2);
        for (String old : dirs) {
            assertThat(stateDir.resolve("sessions").resolve(old)).as("orphan %s removed", old).doesNotExist();
        }
        JsonNode stats = get(url2 + "/stats");
        assertThat(stats.path("data").path("maintenance").path("orphans_removed_total").asInt())
                .isGreaterThanOrEqualTo(1);
        assertThat(stats.path("data").path("active_sessions").asInt()).isZero();
        JsonNode lost = postJson(url2 + "/execute", "{\"session_id\": \"" + session + "\", \"code\": \"x\"}");
        assertThat(lost.path("code").asText()).as("%s", lost).isEqualTo("session_not_found");
        assertThat(lost.path("error").asText()).contains("daemon restarts");
        Outcome stop = cli("daemon", "stop");
        assertThat(stop.exitCode()).as(stop.describe()).isZero();
    }

    private List<String> sessionDirs() throws IOException {
        try (Stream<Path> s = Files.list(stateDir.resolve("sessions"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("i-")).toList();
        }
    }

    /** Processes in a cgroup that daemon {@code pid} created (named {@code <pid>-<n>}). */
    private static List<Long> processesInCgroupsOf(long pid) throws IOException {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (Files.readString(p.resolve("cgroup")).contains("/" + Launcher.ownerPrefix(pid))) {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }

    private JsonNode postJson(String url, String body) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + daemonKey())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new ObjectMapper().readTree(r.body());
        }
    }

    private JsonNode get(String url) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + daemonKey()).build(), HttpResponse.BodyHandlers.ofString());
            return new ObjectMapper().readTree(r.body());
        }
    }

    /** The host's cgroup2 mount points. */
    private static List<String> cgroup2Mounts() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream().map(line -> line.split(" "))
                .filter(f -> f.length > 2 && f[2].equals("cgroup2")).map(f -> f[1]).toList();
    }

    /** The key the daemon created in its state directory on its first start. */
    private String daemonKey() throws IOException {
        return Files.readString(stateDir.resolve("api-key")).strip();
    }

    @Test
    void setupStartsTheDaemonAndEveryCheckPasses() throws Exception {
        // a fresh host's cgroup2 mount has no favordynmods: setup adds it (mount(2) with MS_REMOUNT and no options
        // clears it; mount(8) would keep the options it finds)
        List<String> tuned = cgroup2Mounts();
        try {
            for (String mount : tuned) {
                Process clear = new ProcessBuilder("python3", "-c", "import ctypes, sys; l = ctypes.CDLL(None, use_errno=True); "
                        + "sys.exit(l.mount(b'cgroup2', sys.argv[1].encode(), None, 32, b''))", mount).inheritIO().start();
                assertThat(clear.waitFor()).as("cleared favordynmods on " + mount).isZero();
            }
            assertThat(CgroupTuning.untuned()).containsAll(tuned);
            Outcome setup = cli("setup");
            assertThat(setup.exitCode()).as(setup.describe()).isZero();
            assertThat(setup.stdout()).contains("daemon: starting", "daemon: warm pool ready", "✓ daemon", "✓ warm pool",
                    "✓ egress control", "all 11 checks passed");
            for (String mount : tuned) {
                assertThat(setup.stdout()).contains("cgroups: remounted " + mount + " with favordynmods");
            }
            assertThat(CgroupTuning.untuned()).as("every cgroup2 mount has favordynmods").isEmpty();
        } finally {
            for (String mount : tuned) { // as it was, whatever happened
                new ProcessBuilder("mount", "-o", "remount,favordynmods", mount).inheritIO().start().waitFor();
            }
        }
        Outcome doctor = cli("doctor");
        assertThat(doctor.exitCode()).as(doctor.describe()).isZero();
        assertThat(doctor.stdout()).doesNotContain("favordynmods");
        Outcome again = cli("setup");
        assertThat(again.stdout()).as(again.describe()).contains("daemon: already running");
        Outcome stop = cli("daemon", "stop");
        assertThat(stop.exitCode()).as(stop.describe()).isZero();
    }

    @Test
    void tasksOfAKilledDaemonAreReportedFailedAndFinishedOnesKeptByTheNext() throws Exception {
        Outcome start = cli("daemon", "start", "--port", "0");
        assertThat(start.exitCode()).as(start.describe()).isZero();
        Matcher m = STARTED.matcher(start.stdout().strip());
        assertThat(m.matches()).as(start.describe()).isTrue();
        long daemonPid = Long.parseLong(m.group(1));
        String url = m.group(2);
        JsonNode finished = postJson(url + "/tasks", "{\"code\": \"print('kept')\"}");
        String done = finished.path("data").path("task_id").asText();
        JsonNode waited = postJson(url + "/tasks/" + done + "/wait", "{\"timeout\": 60}");
        assertThat(waited.path("data").path("status").asText()).as("%s", waited).isEqualTo("completed");
        JsonNode running = postJson(url + "/tasks", "{\"code\": \"import time\\nprint('started', flush=True)\\ntime.sleep(300)\"}");
        String unfinished = running.path("data").path("task_id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!get(url + "/tasks/" + unfinished).path("data").path("output").asText().contains("started")
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(processesInCgroupsOf(daemonPid)).as("the task runs").isNotEmpty();

        ProcessHandle.of(daemonPid).orElseThrow().destroyForcibly(); // a crash: nothing is recorded any more
        deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!processesInCgroupsOf(daemonPid).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(processesInCgroupsOf(daemonPid)).as("no task outlives the daemon").isEmpty();

        Outcome again = cli("daemon", "start", "--port", "0");
        assertThat(again.exitCode()).as(again.describe()).isZero();
        Matcher m2 = STARTED.matcher(again.stdout().strip());
        assertThat(m2.matches()).as(again.describe()).isTrue();
        String url2 = m2.group(2);
        JsonNode kept = get(url2 + "/tasks/" + done).path("data");
        assertThat(kept.path("status").asText()).isEqualTo("completed");
        assertThat(kept.path("output").asText()).isEqualTo("kept\n");
        JsonNode lost = get(url2 + "/tasks/" + unfinished).path("data");
        assertThat(lost.path("status").asText()).as("%s", lost).isEqualTo("failed");
        assertThat(lost.path("error").asText()).contains("the daemon stopped");
        Outcome stop = cli("daemon", "stop");
        assertThat(stop.exitCode()).as(stop.describe()).isZero();
    }

    @Test
    void aStalePidFileDoesNotCount() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(stateDir.resolve("daemon.pid"), gone.pid() + "\n");

        Outcome status = cli("daemon", "status");
        assertThat(status.exitCode()).as(status.describe()).isEqualTo(3);
        assertThat(stateDir.resolve("daemon.pid")).doesNotExist();
    }

    @Test
    void logFormatJsonWritesJsonLinesWithTheRequestId() throws Exception {
        Outcome start = cli("daemon", "start", "--port", "0", "--log-format", "json");
        assertThat(start.exitCode()).as(start.describe()).isZero();
        Matcher m = STARTED.matcher(start.stdout().strip());
        assertThat(m.matches()).as(start.describe()).isTrue();
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(m.group(2) + "/health"))
                        .header("X-Request-Id", "daemon-it-json-1").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.headers().firstValue("X-Request-Id")).hasValue("daemon-it-json-1");
        Outcome stop = cli("daemon", "stop");
        assertThat(stop.exitCode()).as(stop.describe()).isZero();

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(stateDir.resolve("daemon.log"))) {
            if (line.startsWith("{")) {
                lines.add(json.readTree(line)); // every log record is one JSON object on one line
            }
        }
        assertThat(lines).as("JSON lines of daemon.log").anySatisfy(l -> {
            assertThat(l.path("logger").asText()).isEqualTo("dev.agentkernel.access");
            assertThat(l.path("request_id").asText()).isEqualTo("daemon-it-json-1");
            assertThat(l.path("route").asText()).isEqualTo("/health");
            assertThat(l.path("status").asInt()).isEqualTo(200);
            assertThat(l.path("level").asText()).isEqualTo("INFO");
        });
    }

    @Test
    void aDaemonThatCannotStartShowsTheEndOfItsLog() throws Exception {
        Outcome start = cli("daemon", "start", "--port", "0", "--backend", "no-such-backend");

        assertThat(start.exitCode()).as(start.describe()).isEqualTo(2);
        assertThat(start.stdout()).isEmpty();
        assertThat(start.stderrLines()).as(start.describe()).first().asString()
                .startsWith("agentkernel: error: the daemon exited with code 2 while starting; the end of " + stateDir.resolve("daemon.log"));
        assertThat(start.stderr()).contains("unknown backend 'no-such-backend'");
        assertThat(stateDir.resolve("daemon.pid")).doesNotExist();
        Outcome status = cli("daemon", "status");
        assertThat(status.exitCode()).isEqualTo(3);
    }
}
