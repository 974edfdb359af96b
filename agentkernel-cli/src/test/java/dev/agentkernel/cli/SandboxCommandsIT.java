package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox commands (create, start, stop, remove, list, exec, cp, audit, status) against a
 * real daemon in this JVM: in-process through {@link Main#execute} with {@code --url}, and as
 * the packaged launcher jar in a subprocess where stdin, stdout or the environment matter.
 * Every test removes its sandboxes; the daemon and its directories go at the end.
 */
class SandboxCommandsIT {

    static final Path JAR = Path.of("target", "agentkernel-cli-0.1.0-SNAPSHOT-launcher.jar").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static TestDaemon daemon;

    @TempDir
    Path dir;

    @BeforeAll
    static void startDaemon() throws IOException {
        TestDaemon.assumeSandboxHost();
        daemon = TestDaemon.start();
    }

    @AfterAll
    static void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
    }

    @AfterEach
    void nothingLeftBehind() {
        List<String> left = daemon.sandboxes();
        daemon.removeAll();
        assertThat(left).as("sandboxes left behind by the test").isEmpty();
    }

    static String name(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet();
    }

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        List<String> outLines() {
            return out.lines().toList();
        }
    }

    /** {@code agentkernel ARGS --url DAEMON} in this JVM (the url goes right after the command word). */
    static Result cli(String... args) {
        return cli(new StringWriter(), args);
    }

    static Result cli(Writer outWriter, String... args) {
        List<String> argv = new ArrayList<>(List.of(args[0], "--url", daemon.url()));
        argv.addAll(List.of(args).subList(1, args.length));
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(outWriter);
        PrintWriter e = new PrintWriter(err);
        int code = Main.execute(argv.toArray(String[]::new), o, e);
        o.flush();
        e.flush();
        return new Result(code, outWriter.toString(), err.toString());
    }

    private static void assertOk(Result r) {
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
    }

    private static void assertError(Result r, int code, String line) {
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        assertThat(r.errLines()).as(r.toString()).containsExactly("agentkernel: error: " + line);
    }

    // ---- the launcher jar in a subprocess ----------------------------------------------------

    record Process(int code, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** The launcher jar (without the server's libraries) with {@code env} changes and {@code stdin}. */
    static Process subprocess(Map<String, String> env, byte[] stdin, String... args) throws Exception {
        assertThat(JAR).as("run after 'package'").exists();
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", JAR.toString(), "dev.agentkernel.cli.Main"));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().remove("AGENTKERNEL_BASE_URL");
        pb.environment().remove("AGENTKERNEL_API_KEY");
        pb.environment().putAll(env);
        java.lang.Process p = pb.start();
        CompletableFuture<byte[]> out = Launcher.drain(p.getInputStream());
        CompletableFuture<byte[]> err = Launcher.drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return fail("agentkernel " + List.of(args) + " did not end");
        }
        return new Process(p.exitValue(), out.get(10, TimeUnit.SECONDS),
                new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }

    static String freeUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    // ---- create, list, stop, start, remove ------------------------------------------------------

    @Test
    void aSandboxFromCreateToRemove() throws Exception {
        String box = name("life");
        Result fractional = cli("create", box, "--cpus", "0.5");
        assertThat(fractional.code()).as("a fraction of a CPU is refused: vcpus is whole on the wire").isEqualTo(2);
        Result created = cli("create", box, "--memory", "256", "--cpus", "2", "--profile", "moderate", "--disk", "64");
        assertOk(created);
        assertThat(created.out()).isEqualTo("agentkernel: created sandbox " + box
                + " (running, backend bwrap, profile moderate, memory 256 MB, cpus 2, disk 64 MB)\n");

        Result list = cli("list");
        assertOk(list);
        assertThat(list.outLines().getFirst()).matches("NAME +STATUS +BACKEND +PROFILE +MEMORY +CPUS +DISK +CREATED");
        assertThat(list.outLines()).anyMatch(l -> l.matches(box + " +running +bwrap +moderate +256 MB +2 +\\d+/64 MB"
                + " +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"));
        assertThat(cli("list", "--names").outLines()).containsExactly(box);
        JsonNode json = JSON.readTree(cli("list", "--json").out());
        assertThat(json.get(0).path("name").asText()).isEqualTo(box);
        assertThat(json.get(0).path("memory_mb").asLong()).isEqualTo(256);
        assertThat(json.get(0).path("disk_mb").asLong()).isEqualTo(64);
        assertThat(json.get(0).path("disk_used_mb").isIntegralNumber()).as("%s", json).isTrue();
        assertThat(json.get(0).path("status").asText()).isEqualTo("running");

        assertError(cli("create", box), 5, "sandbox '" + box + "' already exists");
        assertError(cli("create", name("bad-disk"), "--disk", "0"), 2,
                "disk_mb must be a positive whole number of MiB (the size of the sandbox's /workspace, /tmp and"
                        + " /var/tmp together), e.g. 1024");

        Result stopped = cli("stop", box);
        assertOk(stopped);
        assertThat(stopped.out()).isEqualTo("agentkernel: stopped sandbox " + box + "\n");
        assertThat(cli("list").outLines()).anyMatch(l -> l.matches(box + " +stopped .*"));
        assertError(cli("exec", box, "--", "true"), 5, "sandbox '" + box + "' is stopped; start it with 'agentkernel start "
                + box + "'");

        Result started = cli("start", box);
        assertOk(started);
        assertThat(started.out()).isEqualTo("agentkernel: started sandbox " + box + "\n");
        assertOk(cli("exec", box, "true"));
        assertThat(cli("exec", box, "id", "-u").out()).isEqualTo("1000\n");
        assertThat(cli("exec", "--sudo", box, "id", "-u").out()).isEqualTo("0\n");

        Result removed = cli("remove", box);
        assertOk(removed);
        assertThat(removed.out()).isEqualTo("agentkernel: removed sandbox " + box + "\n");
        assertThat(cli("list", "--names").out()).isEmpty();
        Result empty = cli("list");
        assertThat(empty.code()).isZero();
        assertThat(empty.out()).isEmpty();
        assertThat(empty.err()).isEqualTo("agentkernel: no sandboxes; create one with 'agentkernel create NAME'\n");
    }

    // ---- pause and resume (issue 15) ----
    @Test
    void pauseAndResumeShowInTheList() {
        String box = name("nap");
        assertOk(cli("create", box, "--memory", "256"));
        assertOk(cli("exec", box, "--", "sh", "-c", "echo 7 > /tmp/n"));
        Result paused = cli("pause", box);
        assertOk(paused);
        assertThat(paused.out()).isEqualTo("agentkernel: paused sandbox " + box + "\n");
        assertThat(cli("list").outLines()).anyMatch(l -> l.matches(box + " +paused .*"));
        Result resumed = cli("resume", box);
        assertOk(resumed);
        assertThat(resumed.out()).isEqualTo("agentkernel: resumed sandbox " + box + "\n");
        assertThat(cli("list").outLines()).anyMatch(l -> l.matches(box + " +running .*"));
        assertOk(cli("pause", box));
        Result cat = cli("exec", box, "cat", "/tmp/n");
        assertThat(cat.out()).as("exec resumes it: %s", cat).isEqualTo("7\n");
        String none = name("nap-none");
        assertError(cli("pause", none), 4, "Sandbox '" + none + "' not found");
        assertOk(cli("remove", box));
    }

    @Test
    void anUnknownSandboxIsOneLineAndExit4() throws Exception {
        String none = name("none");
        String line = "Sandbox '" + none + "' not found";
        assertError(cli("start", none), 4, line);
        assertError(cli("stop", none), 4, line);
        assertError(cli("remove", none), 4, line);
        assertError(cli("exec", none, "ls"), 4, line);
        assertError(cli("audit", "-s", none), 4, line);
        assertError(cli("cp", none + ":/etc/hostname", dir.resolve("x").toString()), 4, line);
        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        assertError(cli("cp", file.toString(), none + ":/tmp/f.txt"), 4, line);
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void severalNamesAreEachHandledAndTheFirstFailureIsTheExitCode() {
        String a = name("multi");
        String b = name("multi");
        assertOk(cli("create", a));
        assertOk(cli("create", b));
        String none = name("none");
        Result stop = cli("stop", a, none, b);
        assertThat(stop.code()).isEqualTo(4);
        assertThat(stop.outLines()).containsExactly("agentkernel: stopped sandbox " + a, "agentkernel: stopped sandbox " + b);
        assertThat(stop.errLines()).containsExactly("agentkernel: error: Sandbox '" + none + "' not found");
        assertOk(cli("remove", a, b));
    }

    @Test
    void anInvalidNameIsTheDaemonsUsageError() {
        Result r = cli("create", "no/slash");
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1).first().asString().startsWith("agentkernel: error: ");
        Result dots = cli("start", "..");
        assertThat(dots.code()).as(dots.toString()).isEqualTo(2);
        assertThat(dots.errLines()).hasSize(1);
    }

    @Test
    void createSendsAnExistingDirectoryAndShowsTheDaemonsAnswer() throws Exception {
        // Whether the daemon allows this directory is its decision: the CLI shows its answer in one line.
        String box = name("dir");
        Path project = Files.createDirectory(dir.resolve("project"));
        Result r = cli("create", box, "--dir", project.toString());
        assertThat(r.code()).as(r.toString()).isIn(0, 7);
        if (r.code() == 7) {
            assertThat(r.errLines()).hasSize(1);
        }
    }

    // ---- exec -------------------------------------------------------------------------------

    @Test
    void execStreamsStdoutAndStderrSeparatelyAndExitsWithTheCommandsCode() {
        String box = name("exec");
        assertOk(cli("create", box));
        Result r = cli("exec", box, "-e", "GREETING=hello", "-w", "/tmp", "--", "sh", "-c",
                "echo \"$GREETING from $(pwd)\"; echo oops >&2; exit 7");
        assertThat(r.code()).as(r.toString()).isEqualTo(7);
        assertThat(r.out()).isEqualTo("hello from /tmp\n");
        assertThat(r.err()).isEqualTo("oops\n");
        Result ls = cli("exec", box, "ls", "-d", "/tmp");
        assertThat(ls.out()).as("options of the command after its name stay its own").isEqualTo("/tmp\n");
        Result missing = cli("exec", box, "no-such-program-xyz");
        assertThat(missing.code()).as(missing.toString()).isEqualTo(127);
        assertOk(cli("remove", box));
    }

    @Test
    void execOutputArrivesWhileTheCommandRuns() {
        String box = name("live");
        assertOk(cli("create", box));
        long[] firstWrite = {0};
        StringWriter out = new StringWriter() {
            @Override
            public void write(String str, int off, int len) {
                if (firstWrite[0] == 0 && len > 0) {
                    firstWrite[0] = System.nanoTime();
                }
                super.write(str, off, len);
            }
        };
        Result r = cli(out, "exec", box, "--", "sh", "-c", "echo first; sleep 2; echo second");
        long end = System.nanoTime();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("first\nsecond\n");
        assertThat(Duration.ofNanos(end - firstWrite[0])).as("'first' was printed before the sleep")
                .isGreaterThan(Duration.ofMillis(1500));
        assertOk(cli("remove", box));
    }

    @Test
    void execTimeoutIs124WithItsReason() {
        String box = name("timeout");
        assertOk(cli("create", box));
        Result r = cli("exec", "--timeout", "0.5", box, "sleep", "30");
        assertThat(r.code()).as(r.toString()).isEqualTo(124);
        assertThat(r.errLines()).hasSize(1).first().asString().startsWith("agentkernel: ").contains("timed out");
        assertOk(cli("remove", box));
    }

    // ---- cp ---------------------------------------------------------------------------------

    @Test
    void cpCopiesBinaryFilesBothWaysByteForByte() throws Exception {
        String box = name("cp");
        assertOk(cli("create", box));
        byte[] raw = new byte[2 * 1024 * 1024 + 3];
        new Random(5).nextBytes(raw);
        Path source = Files.write(dir.resolve("blob.bin"), raw);
        assertOk(cli("cp", source.toString(), box + ":/tmp/blob.bin"));
        assertOk(cli("cp", source.toString(), box + ":/workspace/"));
        assertOk(cli("cp", source.toString(), box + ":/var/tmp"));
        assertThat(cli("exec", box, "wc", "-c", "/tmp/blob.bin", "/workspace/blob.bin", "/var/tmp/blob.bin").out())
                .contains(raw.length + " /tmp/blob.bin").contains(raw.length + " /workspace/blob.bin")
                .contains(raw.length + " /var/tmp/blob.bin");

        Path back = dir.resolve("back.bin");
        assertOk(cli("cp", box + ":/tmp/blob.bin", back.toString()));
        assertThat(Files.readAllBytes(back)).isEqualTo(raw);
        Path into = Files.createDirectory(dir.resolve("into"));
        assertOk(cli("cp", box + ":/workspace/blob.bin", into.toString()));
        assertThat(Files.readAllBytes(into.resolve("blob.bin"))).isEqualTo(raw);
        try (var files = Files.list(into)) {
            assertThat(files.toList()).as("no partial file left").containsExactly(into.resolve("blob.bin"));
        }
        assertOk(cli("remove", box));
    }

    @Test
    void cpRefusesDirectoriesAndMissingFilesInOneLine() throws Exception {
        String box = name("cp-bad");
        assertOk(cli("create", box));
        assertError(cli("cp", box + ":/tmp", dir.toString()), 2, "'" + box + ":/tmp' is a directory; cp copies files only");
        assertError(cli("cp", dir.toString(), box + ":/tmp/x"), 2, "'" + dir + "' is a directory; cp copies files only");
        Result missing = cli("cp", box + ":/tmp/no-such-file", dir.resolve("x").toString());
        assertThat(missing.code()).as(missing.toString()).isEqualTo(4);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(dir.resolve("x")).doesNotExist();
        assertError(cli("cp", box + ":tmp/x", "."), 2, "the path in the sandbox must be absolute: '" + box
                + ":tmp/x' (e.g. " + box + ":/workspace/tmp/x)");
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertOk(cli("cp", file.toString(), box + ":/tmp/plain"));
        Result underAFile = cli("cp", file.toString(), box + ":/tmp/plain/f"); // a parent that is a file
        assertThat(underAFile.code()).as(underAFile.toString()).isEqualTo(2);
        assertThat(underAFile.errLines()).hasSize(1);
        assertOk(cli("cp", file.toString(), box + ":/tmp/made/on/the/way/f")); // missing parents are made
        assertOk(cli("remove", box));
    }

    @Test
    void cpStreamsStdinAndStdout() throws Exception {
        String box = name("cp-std");
        assertOk(cli("create", box));
        byte[] raw = new byte[300_000];
        new Random(9).nextBytes(raw);
        Map<String, String> env = Map.of("AGENTKERNEL_BASE_URL", daemon.url());
        Process in = subprocess(env, raw, "cp", "-", box + ":/tmp/in.bin");
        assertThat(in.code()).as(in.stderr()).isZero();
        Process out = subprocess(env, null, "cp", box + ":/tmp/in.bin", "-");
        assertThat(out.code()).as(out.stderr()).isZero();
        assertThat(out.stdout()).isEqualTo(raw);
        assertOk(cli("remove", box));
    }

    // ---- audit, status ------------------------------------------------------------------------

    @Test
    void auditShowsTheEventsAsATableOrJsonLines() throws Exception {
        String box = name("audit");
        assertOk(cli("create", box));
        assertOk(cli("exec", box, "true"));
        Result table = cli("audit", "-s", box);
        assertOk(table);
        assertThat(table.outLines().getFirst()).matches("TIME +EVENT +SANDBOX +DETAILS");
        assertThat(table.outLines()).anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +sandbox_created +" + box + " .*"))
                .anyMatch(l -> l.matches(".* command_executed +" + box + " +command=true exit_code=0.*"));
        Result json = cli("audit", "--sandbox", box, "--json", "--limit", "2");
        assertOk(json);
        assertThat(json.outLines()).hasSize(2);
        for (String line : json.outLines()) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.path("sandbox").asText()).isEqualTo(box);
            assertThat(event.path("timestamp").asText()).endsWith("Z");
        }
        Result all = cli("audit", "--limit", "1000");
        assertThat(all.outLines()).anyMatch(l -> l.contains(" sandbox_created ") && l.contains(box));
        assertOk(cli("remove", box));
        assertThat(cli("audit", "--json").outLines()).anyMatch(l -> l.contains("\"sandbox_removed\"") && l.contains(box));
    }

    @Test
    void statusShowsTheDaemonAndItsSandboxes() throws Exception {
        String box = name("status");
        assertOk(cli("create", box));
        Result status = cli("status");
        assertOk(status);
        assertThat(status.outLines()).startsWith("agentkernel: daemon is running at " + daemon.url(), "  found via  --url")
                .contains("  backend    bwrap", "  sandboxes  1: 1 running (" + box + "), 0 stopped");
        JsonNode json = JSON.readTree(cli("status", "--json").out());
        assertThat(json.path("url").asText()).isEqualTo(daemon.url());
        assertThat(json.path("sandboxes").path("running").asInt()).isEqualTo(1);
        assertThat(json.path("sandboxes").path("names").get(0).asText()).isEqualTo(box);
        assertOk(cli("remove", box));
    }

    // ---- finding the daemon ---------------------------------------------------------------------

    @Test
    void theEnvironmentNamesTheDaemonAndNoneAnsweringIsExit69() throws Exception {
        Process found = subprocess(Map.of("AGENTKERNEL_BASE_URL", daemon.url() + "/"), null, "status");
        assertThat(found.code()).as(found.stderr()).isZero();
        assertThat(found.out()).startsWith("agentkernel: daemon is running at " + daemon.url() + "\n"
                + "  found via  AGENTKERNEL_BASE_URL\n");

        String nowhere = freeUrl();
        for (String command : List.of("status", "list")) {
            Process none = subprocess(Map.of("AGENTKERNEL_BASE_URL", nowhere), null, command);
            assertThat(none.code()).as(none.stderr()).isEqualTo(69);
            assertThat(none.stdout()).isEmpty();
            assertThat(none.stderr()).isEqualTo("agentkernel: error: no AgentKernel daemon answers at " + nowhere
                    + "; start one with 'agentkernel daemon start'\n");
        }
        Process option = subprocess(Map.of("AGENTKERNEL_BASE_URL", nowhere), null, "list", "--url", daemon.url());
        assertThat(option.code()).as("--url comes before the environment: " + option.stderr()).isZero();
    }

    @Test
    void theApiKeyComesFromTheEnvironmentAndARefusedOneIsExit77() throws Exception {
        try (TestDaemon keyed = TestDaemon.start(List.of("it-cli-key-1", "it-cli-key-2"))) {
            Process without = subprocess(Map.of("AGENTKERNEL_BASE_URL", keyed.url()), null, "list");
            assertThat(without.code()).as(without.stderr()).isEqualTo(77);
            assertThat(without.stderr().lines().toList()).hasSize(1).first().asString()
                    .startsWith("agentkernel: error: ").endsWith(" (set AGENTKERNEL_API_KEY to the daemon's key)");
            Process wrong = subprocess(Map.of("AGENTKERNEL_BASE_URL", keyed.url(), "AGENTKERNEL_API_KEY", "nope"), null,
                    "list");
            assertThat(wrong.code()).as(wrong.stderr()).isEqualTo(77);
            assertThat(wrong.stderr()).endsWith(" (check AGENTKERNEL_API_KEY)\n");
            Process second = subprocess(Map.of("AGENTKERNEL_BASE_URL", keyed.url(), "AGENTKERNEL_API_KEY",
                    "other,it-cli-key-1"), null, "list");
            assertThat(second.code()).as("only the first key of a list is sent: " + second.stderr()).isEqualTo(77);
            Process first = subprocess(Map.of("AGENTKERNEL_BASE_URL", keyed.url(), "AGENTKERNEL_API_KEY",
                    "it-cli-key-1,other"), null, "list");
            assertThat(first.code()).as(first.stderr()).isZero();
            assertThat(first.stderr()).startsWith("agentkernel: no sandboxes"); // the keyed daemon has none
        }
    }

    @Test
    void agentsNeedsNoDaemon() throws Exception {
        // an empty home: no agent's settings; PATH without the agents
        Process agents = subprocess(Map.of("AGENTKERNEL_BASE_URL", freeUrl(), "PATH", dir.toString(), "HOME", dir.toString(),
                "CODEX_HOME", "", "XDG_CONFIG_HOME", ""), null, "agents");
        assertThat(agents.code()).as(agents.stderr()).isZero();
        assertThat(agents.out().lines().toList()).containsExactly(
                "AGENT           STATUS          API KEY   MCP",
                "-------------------------------------------------------",
                "Claude Code     not installed   " + keyState("ANTHROPIC_API_KEY") + "no",
                "Gemini CLI      not installed   " + keyState("GEMINI_API_KEY", "GOOGLE_API_KEY") + "no",
                "Codex           not installed   " + keyState("OPENAI_API_KEY") + "no",
                "OpenCode        not installed   " + keyState("ANTHROPIC_API_KEY", "OPENAI_API_KEY") + "no");
    }

    private static String keyState(String... variables) {
        for (String v : variables) {
            String value = System.getenv(v);
            if (value != null && !value.isBlank()) {
                return "set       ";
            }
        }
        return "missing   ";
    }
}
