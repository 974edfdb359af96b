package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.agent.AgentProtocol.Frame;
import dev.agentkernel.agent.AgentProtocol.Request;
import dev.agentkernel.agent.AgentProtocol.Response;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.OutputStreamKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integration tests against the real agent binary; subclasses say how it is started
 * (plain child process, bubblewrap sandbox) and where it may write files.
 */
@Timeout(120)
abstract class AgentTestBase {

    static final Map<String, String> ENV = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "LC_ALL", "C");

    @TempDir
    static Path agentDir;

    Process process;
    AgentConnection agent;

    /** The command line that starts {@code binary} as an agent. */
    abstract List<String> command(Path binary);

    /** A writable directory, as the agent sees it. */
    abstract String scratch();

    /** Where the stderr of every agent this test started went, checked for sanitizer reports at its end. */
    private final List<Path> diagnostics = new ArrayList<>();

    @BeforeEach
    void startAgent() throws IOException {
        process = startProcess();
        agent = new AgentConnection(process.getOutputStream(), process.getInputStream());
    }

    @AfterEach
    void stopAgent() throws Exception {
        agent.close();
        try {
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("agent exits when its input ends").isTrue();
            assertThat(process.exitValue()).as("agent's exit code after end of input").isZero();
        } finally {
            assertNoSanitizerReports();
        }
    }

    /**
     * Fails if an agent of this test reported a memory error or undefined behaviour: in the
     * sanitizer run (-Dagentkernel.sanitize=true) the agent is built with ASan and UBSan, which
     * abort the agent and write their report on its stderr. Every agent's stderr is echoed too.
     */
    void assertNoSanitizerReports() throws IOException {
        for (Path file : diagnostics) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (!text.isEmpty()) {
                System.err.print("agent stderr (" + file.getFileName() + "):\n" + text);
            }
            assertThat(SanitizerReports.find(text)).as("sanitizer report on the agent's stderr:\n" + text).isEmpty();
        }
    }

    /** Variables the agent process gets in addition to the test JVM's: none by default. */
    Map<String, String> agentEnvironment() {
        return Map.of();
    }

    Process startProcess() throws IOException {
        return startProcess(ProcessBuilder.Redirect.to(Files.createTempFile(agentDir, "stderr-", ".txt").toFile()));
    }

    Process startProcess(ProcessBuilder.Redirect stderr) throws IOException {
        if (stderr.type() == ProcessBuilder.Redirect.Type.WRITE || stderr.type() == ProcessBuilder.Redirect.Type.APPEND) {
            diagnostics.add(stderr.file().toPath());
        }
        Path binary = AgentBinary.extractTo(agentDir);
        ProcessBuilder builder = new ProcessBuilder(command(binary)).redirectError(stderr);
        builder.environment().putAll(agentEnvironment());
        return builder.start();
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Collects both output streams. */
    static final class Capture implements OutputSink {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();

        @Override
        public synchronized void accept(OutputStreamKind stream, byte[] bytes, int offset, int length) {
            (stream == OutputStreamKind.STDOUT ? out : err).write(bytes, offset, length);
        }

        synchronized String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        synchronized String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        String awaitOut(String expected) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!out().contains(expected)) {
                assertThat(System.nanoTime()).as("waiting for '" + expected + "' in: " + out()).isLessThan(deadline);
                Thread.sleep(10);
            }
            return out();
        }
    }

    record Result(ExitStatus status, String out, String err) {
    }

    Result run(ExecRequest request) throws InterruptedException {
        Capture capture = new Capture();
        ExitStatus status = agent.exec(request, capture).await();
        return new Result(status, capture.out(), capture.err());
    }

    Result sh(String script) throws InterruptedException {
        return run(ExecRequest.of("sh", "-c", script).withEnv(ENV));
    }

    static boolean processWithArgumentExists(String argument) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (List.of(cmdline.split("\0")).contains(argument)) {
                        return true;
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return false;
    }

    /**
     * Waits up to 10 s for a process with {@code argument} to exist: a shell may report that it
     * started a background command ("&") before the command's exec replaced the forked shell.
     */
    static void awaitProcessWithArgument(String argument) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!processWithArgumentExists(argument)) {
            assertThat(System.nanoTime()).as("a process with the argument " + argument).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    static String uniqueSleepSeconds() {
        return "1000." + ThreadLocalRandom.current().nextInt(100_000_000, 999_999_999);
    }

    // ---- exec ----------------------------------------------------------------------------------

    @Test
    void echoReportsItsOutputAndExitCode() throws Exception {
        Result r = sh("echo hello; echo oops >&2; exit 7");
        assertThat(r.out()).isEqualTo("hello\n");
        assertThat(r.err()).isEqualTo("oops\n");
        assertThat(r.status()).isEqualTo(new ExitStatus.Exited(7));
        assertThat(run(ExecRequest.of("true").withEnv(ENV)).status()).isEqualTo(new ExitStatus.Exited(0));
    }

    @Test
    void theEnvironmentAndWorkingDirectoryAreExactlyTheRequestedOnes() throws Exception {
        Result env = run(ExecRequest.of("env").withEnv(Map.of("PATH", "/usr/bin:/bin", "GREETING", "a b=c")));
        assertThat(env.out().lines().sorted().toList()).containsExactly("GREETING=a b=c", "PATH=/usr/bin:/bin");
        assertThat(run(ExecRequest.of("pwd").withEnv(ENV).withWorkdir(scratch())).out()).isEqualTo(scratch() + "\n");
        assertThat(run(ExecRequest.of("/usr/bin/printf", "%s|", "two words", "", "*").withEnv(ENV)).out())
                .isEqualTo("two words||*|");
    }

    @Test
    void tenConcurrentExecsKeepTheirOutputApart() throws Exception {
        int lines = 3000;
        List<CompletableFuture<Result>> runs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = "c" + i;
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return sh("i=0; while [ $i -lt " + lines + " ]; do echo \"" + id + " $i\"; echo \"" + id + " e$i\" >&2; "
                            + "i=$((i+1)); done; exit " + id.substring(1));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, command -> Thread.ofVirtual().start(command)));
        }
        for (int i = 0; i < 10; i++) {
            Result r = runs.get(i).get(60, TimeUnit.SECONDS);
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            for (int n = 0; n < lines; n++) {
                out.append('c').append(i).append(' ').append(n).append('\n');
                err.append('c').append(i).append(" e").append(n).append('\n');
            }
            assertThat(r.out()).as("stdout of exec " + i).isEqualTo(out.toString());
            assertThat(r.err()).as("stderr of exec " + i).isEqualTo(err.toString());
            assertThat(r.status()).isEqualTo(new ExitStatus.Exited(i));
        }
    }

    @Test
    void stdinIsForwardedAndEnded() throws Exception {
        Capture capture = new Capture();
        ExecHandle cat = agent.exec(ExecRequest.of("sh", "-c", "while read line; do echo \"got $line\"; done; echo done")
                .withEnv(ENV), capture);
        cat.writeStdin("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
        capture.awaitOut("got two\n");
        cat.stdin().write("three\n".getBytes(StandardCharsets.UTF_8));
        cat.closeStdin();
        assertThat(cat.await()).isEqualTo(new ExitStatus.Exited(0));
        assertThat(capture.out()).isEqualTo("got one\ngot two\ngot three\ndone\n");
    }

    @Test
    void fiftyMegabytesPassThroughByteExact() throws Exception {
        long size = 50_000_000L;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        long[] count = new long[1];
        long started = System.nanoTime();
        ExecHandle cat = agent.exec(ExecRequest.of("cat").withEnv(ENV), (kind, bytes, off, len) -> {
            assertThat(kind).isEqualTo(OutputStreamKind.STDOUT);
            received.update(bytes, off, len);
            count[0] += len;
        });
        Random random = new Random(42);
        byte[] chunk = new byte[100_000];
        for (long written = 0; written < size; written += chunk.length) {
            random.nextBytes(chunk);
            sent.update(chunk);
            cat.writeStdin(chunk);
        }
        cat.closeStdin();
        assertThat(cat.await()).isEqualTo(new ExitStatus.Exited(0));
        assertThat(count[0]).isEqualTo(size);
        assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void fiftyMegabytesOfOutputAlone() throws Exception {
        long[] zeros = new long[1];
        long[] other = new long[1];
        ExecHandle head = agent.exec(ExecRequest.of("head", "-c", "50000000", "/dev/zero").withEnv(ENV), (kind, bytes, off, len) -> {
            for (int i = off; i < off + len; i++) {
                if (bytes[i] == 0) {
                    zeros[0]++;
                } else {
                    other[0]++;
                }
            }
        });
        assertThat(head.await()).isEqualTo(new ExitStatus.Exited(0));
        assertThat(zeros[0]).isEqualTo(50_000_000L);
        assertThat(other[0]).isZero();
    }

    @Test
    void aCommandKilledByASignalReportsTheSignal() throws Exception {
        assertThat(sh("kill -KILL $$").status()).isEqualTo(new ExitStatus.Signaled(9));
        Capture capture = new Capture();
        String unique = uniqueSleepSeconds();
        ExecHandle group = agent.exec(ExecRequest.of("sh", "-c", "sleep " + unique + " & echo started; wait").withEnv(ENV), capture);
        capture.awaitOut("started");
        group.signal(15);
        ExitStatus status = group.await(Duration.ofSeconds(20)).orElseThrow();
        assertThat(status).isEqualTo(new ExitStatus.Signaled(15));
        assertThat(status.exitCode()).isEqualTo(143);
        assertThat(processWithArgumentExists(unique)).as("the background sleep got the signal too").isFalse();
        assertThatThrownBy(() -> group.signal(0)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void aTerminalCommandRunsOnAPseudoTerminalAndFollowsResizes() throws Exception {
        Result tty = run(ExecRequest.of("tty").withEnv(ENV).withTerminal(24, 80));
        assertThat(tty.out()).matches("/dev/pts/\\d+\r?\n");
        assertThat(tty.status()).isEqualTo(new ExitStatus.Exited(0));

        Capture capture = new Capture();
        ExecHandle sh = agent.exec(ExecRequest.of("sh", "-c", "stty size; read line; stty size").withEnv(ENV)
                .withTerminal(24, 80), capture);
        capture.awaitOut("24 80");
        sh.resize(40, 100);
        sh.writeStdin("go\n".getBytes(StandardCharsets.UTF_8));
        assertThat(sh.await()).isEqualTo(new ExitStatus.Exited(0));
        assertThat(capture.out()).isEqualTo("24 80\r\ngo\r\n40 100\r\n");
        assertThat(capture.err()).isEmpty();

        Capture cat = new Capture();
        ExecHandle catOnTty = agent.exec(ExecRequest.of("cat").withEnv(ENV).withTerminal(24, 80), cat);
        catOnTty.writeStdin("typed\n".getBytes(StandardCharsets.UTF_8));
        cat.awaitOut("typed\r\ntyped\r\n");   // echo, then cat's copy
        catOnTty.closeStdin();                  // the terminal's EOF character at the start of a line
        assertThat(catOnTty.await(Duration.ofSeconds(20))).contains(new ExitStatus.Exited(0));
        assertThatThrownBy(() -> agent.exec(ExecRequest.of("true").withEnv(ENV), OutputSink.discard()).resize(10, 10))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void closingTheConnectionKillsRunningCommands() throws Exception {
        String direct = uniqueSleepSeconds();
        String background = uniqueSleepSeconds();
        Capture capture = new Capture();
        agent.exec(ExecRequest.of("sleep", direct).withEnv(ENV), OutputSink.discard());
        agent.exec(ExecRequest.of("sh", "-c", "sleep " + background + " & echo started; wait").withEnv(ENV), capture);
        capture.awaitOut("started");
        awaitProcessWithArgument(direct);
        awaitProcessWithArgument(background);
        agent.close();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((processWithArgumentExists(direct) || processWithArgumentExists(background)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(processWithArgumentExists(direct)).as("sleep " + direct).isFalse();
        assertThat(processWithArgumentExists(background)).as("sleep " + background).isFalse();
    }

    @Test
    void closingTheConnectionAlsoKillsWhatFinishedCommandsLeftBehind() throws Exception {
        String leftover = uniqueSleepSeconds();
        Result r = sh("sleep " + leftover + " >/dev/null 2>&1 & echo $!");
        assertThat(r.status()).isEqualTo(new ExitStatus.Exited(0));
        awaitProcessWithArgument(leftover);
        agent.close();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (processWithArgumentExists(leftover) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(processWithArgumentExists(leftover)).as("sleep " + leftover).isFalse();
    }

    @Test
    void exitIsReportedOnceTheGroupIsGoneEvenIfAnEscapedProcessKeepsTheOutputOpen() throws Exception {
        String escaped = uniqueSleepSeconds();
        try {
            ExecHandle h = agent.exec(ExecRequest.of("sh", "-c", "setsid sleep " + escaped + " & echo bye").withEnv(ENV),
                    OutputSink.discard());
            assertThat(h.await(Duration.ofSeconds(10))).contains(new ExitStatus.Exited(0));
        } finally {
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().arguments().map(a -> List.of(a).contains(escaped)).orElse(false))
                    .forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aBlockedSinkStallsOnlyItsOwnCommand() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        long[] received = new long[1];
        ExecHandle flood = agent.exec(ExecRequest.of("head", "-c", "20000000", "/dev/zero").withEnv(ENV), (kind, b, off, len) -> {
            release.join();
            received[0] += len;
        });
        Thread.sleep(200);
        assertThat(sh("echo meanwhile").out()).isEqualTo("meanwhile\n");
        agent.writeFile(scratch() + "/meanwhile", new byte[1 << 20], 0600);
        assertThat(agent.readFile(scratch() + "/meanwhile")).hasSize(1 << 20);
        agent.deleteFile(scratch() + "/meanwhile");
        assertThat(flood.isDone()).isFalse();
        release.complete(null);
        assertThat(flood.await(Duration.ofSeconds(30))).contains(new ExitStatus.Exited(0));
        assertThat(received[0]).isEqualTo(20_000_000L);
    }

    @Test
    void aCommandThatIgnoresItsInputBlocksOnlyItsOwnWriter() throws Exception {
        ExecHandle deaf = agent.exec(ExecRequest.of("sleep", uniqueSleepSeconds()).withEnv(ENV), OutputSink.discard());
        Thread writer = Thread.ofVirtual().start(() -> deaf.writeStdin(new byte[4 << 20]));
        assertThat(writer.join(Duration.ofMillis(500))).as("the writer waits for the agent's window").isFalse();
        assertThat(sh("echo still fine").out()).isEqualTo("still fine\n");
        assertThat(agent.ping()).isLessThan(Duration.ofSeconds(5));
        deaf.kill();
        assertThat(deaf.await(Duration.ofSeconds(10))).contains(new ExitStatus.Signaled(9));
        assertThat(writer.join(Duration.ofSeconds(10))).as("input for an ended command is dropped").isTrue();
    }

    @Test
    void aCommandThatLeavesBackgroundProcessesEndsWhenItExits() throws Exception {
        long begin = System.nanoTime();
        Result r = sh("echo before; sleep 123.456 & echo after >&2");
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("EXIT waits only briefly for the background child")
                .isLessThan(Duration.ofSeconds(3));
        assertThat(r.status()).isEqualTo(new ExitStatus.Exited(0));
        assertThat(r.out()).isEqualTo("before\n");
        assertThat(r.err()).isEqualTo("after\n");
        // The background process keeps running (its output is drained) and the agent still serves.
        assertThat(sh("echo still-here").out()).isEqualTo("still-here\n");
        // A background writer is neither blocked nor killed by a full pipe: it can write 1 MiB and finish.
        String marker = "/tmp/ak-bg-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Result writer = sh("(sleep 0.3; head -c 1048576 /dev/zero; echo done > " + marker + ") & echo started");
        assertThat(writer.out()).isEqualTo("started\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sh("cat " + marker + " 2>/dev/null").out().equals("done\n")) {
            assertThat(System.nanoTime()).as("the background writer finished its 1 MiB").isLessThan(deadline);
            Thread.sleep(50);
        }
        sh("rm -f " + marker);
    }

    @Test
    void missingProgramsAndDirectoriesAreNotFound() {
        assertThatThrownBy(() -> agent.exec(ExecRequest.of("no-such-program-x").withEnv(ENV), OutputSink.discard()))
                .isInstanceOf(NotFoundException.class).hasMessage("command not found: no-such-program-x");
        assertThatThrownBy(() -> agent.exec(ExecRequest.of("true").withEnv(ENV).withWorkdir("/no/such/dir"), OutputSink.discard()))
                .isInstanceOf(dev.agentkernel.model.InvalidRequestException.class).hasMessageContaining("working directory /no/such/dir");
        assertThatThrownBy(() -> agent.exec(ExecRequest.of(scratch()).withEnv(ENV), OutputSink.discard()))
                .hasMessageContaining("cannot run " + scratch());
    }

    @Test
    void pingAnswers() {
        assertThat(agent.ping()).isLessThan(Duration.ofSeconds(5));
        assertThat(agent.isOpen()).isTrue();
    }

    // ---- files ---------------------------------------------------------------------------------

    @Test
    void filesRoundTripTextBinaryEmptyAndTwentyMegabytes() throws Exception {
        String text = scratch() + "/hello.txt";
        assertThat(agent.writeFile(text, "héllo\n".getBytes(StandardCharsets.UTF_8), 0640)).isEqualTo(7);
        assertThat(agent.readFile(text)).isEqualTo("héllo\n".getBytes(StandardCharsets.UTF_8));
        FileStat stat = agent.stat(text);
        assertThat(stat.type()).isEqualTo(FileStat.Type.FILE);
        assertThat(stat.size()).isEqualTo(7);
        assertThat(stat.mode()).isEqualTo(0640);
        assertThat(sh("cat " + text + "; stat -c %a " + text).out()).isEqualTo("héllo\n640\n");

        byte[] binary = new byte[256 * 300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        String bin = scratch() + "/all-bytes.bin";
        agent.writeFile(bin, binary, 0755);
        assertThat(agent.readFile(bin)).isEqualTo(binary);
        assertThat(agent.stat(bin).mode()).isEqualTo(0755);

        String empty = scratch() + "/empty";
        assertThat(agent.writeFile(empty, new byte[0], 0600)).isZero();
        assertThat(agent.readFile(empty)).isEmpty();

        byte[] big = new byte[20 << 20];
        new Random(7).nextBytes(big);
        String large = scratch() + "/large.bin";
        long started = System.nanoTime();
        assertThat(agent.writeFile(large, big, 0600)).isEqualTo(big.length);
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        assertThat(agent.readFile(large, back)).isEqualTo(big.length);
        assertThat(back.toByteArray()).isEqualTo(big);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(agent.writeFile(large, "short".getBytes(StandardCharsets.UTF_8), 0600)).isEqualTo(5);
        assertThat(agent.readFile(large)).asString(StandardCharsets.UTF_8).isEqualTo("short");

        assertThat(agent.stat(scratch()).type()).isEqualTo(FileStat.Type.DIRECTORY);
        for (String path : List.of(text, bin, empty, large)) {
            agent.deleteFile(path);
            assertThatThrownBy(() -> agent.stat(path)).isInstanceOf(NotFoundException.class);
        }
    }

    @Test
    void concurrentFileTransfersAndExecsShareTheConnection() throws Exception {
        List<CompletableFuture<Void>> work = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int n = i;
            work.add(CompletableFuture.runAsync(() -> {
                byte[] data = new byte[(3 << 20) + n];
                new Random(n).nextBytes(data);
                String path = scratch() + "/parallel-" + n;
                agent.writeFile(path, data, 0600);
                assertThat(agent.readFile(path)).isEqualTo(data);
                agent.deleteFile(path);
            }, command -> Thread.ofVirtual().start(command)));
        }
        Result r = sh("head -c 10000000 /dev/zero | wc -c");
        assertThat(r.out().trim()).isEqualTo("10000000");
        CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    @Test
    void missingFilesAreNotFoundAndDirectoriesAreInvalid() {
        String missing = scratch() + "/missing";
        assertThatThrownBy(() -> agent.readFile(missing)).isInstanceOf(NotFoundException.class).hasMessage("no such file: " + missing);
        assertThatThrownBy(() -> agent.stat(missing)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> agent.deleteFile(missing)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> agent.writeFile(missing + "/child", new byte[1], 0600)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> agent.readFile(scratch())).isInstanceOf(InvalidRequestException.class)
                .hasMessage("is a directory: " + scratch());
        assertThatThrownBy(() -> agent.deleteFile(scratch())).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> agent.readFile("/dev/null")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not a regular file");
        agent.writeFile(scratch() + "/plain", new byte[1], 0600);
        assertThatThrownBy(() -> agent.readFile(scratch() + "/plain/x")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not a directory");
        agent.deleteFile(scratch() + "/plain");
    }

    @Test
    void mkdirsMakesOnlyTheMissingDirectoriesAndRefusesFilesOnTheWay() throws Exception {
        String base = scratch() + "/mk";
        assertThat(agent.mkdirs(base + "/a//b/c/", 0750)).isEqualTo(4);
        assertThat(agent.stat(base + "/a/b/c").type()).isEqualTo(FileStat.Type.DIRECTORY);
        assertThat(agent.mkdirs(base + "/a/b/c", 0755)).as("all there already").isZero();
        assertThat(agent.mkdirs(base + "/a/b/d", 0755)).isEqualTo(1);
        agent.writeFile(base + "/a/b/d/f", new byte[] {1}, 0644);
        assertThatThrownBy(() -> agent.mkdirs(base + "/a/b/d/f/g", 0755)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not a directory");
        assertThat(sh("ln -s " + base + "/a " + base + "/link").status()).isEqualTo(new ExitStatus.Exited(0));
        assertThat(agent.mkdirs(base + "/link/b/e", 0755)).as("through a link to a directory").isEqualTo(1);
        assertThat(agent.stat(base + "/a/b/e").type()).isEqualTo(FileStat.Type.DIRECTORY);
        assertThatThrownBy(() -> agent.mkdirs("", 0755)).isInstanceOf(InvalidRequestException.class);
        assertThat(sh("ln -s /nowhere/at/all " + base + "/dangling").status()).isEqualTo(new ExitStatus.Exited(0));
        assertThatThrownBy(() -> agent.mkdirs(base + "/dangling/x", 0755)).as("through a link to nothing")
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> agent.mkdirs("/proc/self/status/x", 0755)).as("a file on a file system that refuses mkdir")
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not a directory");
        assertThat(sh("rm -rf " + base).status()).isEqualTo(new ExitStatus.Exited(0));
    }

    @Test
    void symlinksAreFollowedInTheAgentsOwnFileSystem() throws Exception {
        String real = scratch() + "/real";
        agent.writeFile(real, "inside".getBytes(StandardCharsets.UTF_8), 0644);
        assertThat(sh("ln -s " + real + " " + scratch() + "/abs && ln -s real " + scratch() + "/rel").status())
                .isEqualTo(new ExitStatus.Exited(0));
        assertThat(agent.readFile(scratch() + "/abs")).asString(StandardCharsets.UTF_8).isEqualTo("inside");
        assertThat(agent.readFile(scratch() + "/rel")).asString(StandardCharsets.UTF_8).isEqualTo("inside");
        for (String name : List.of("abs", "rel", "real")) {
            agent.deleteFile(scratch() + "/" + name);
        }
    }

    // ---- malformed input -----------------------------------------------------------------------

    @Test
    void garbageIsAnsweredWithErrorsAndAnUnparseableHeaderEndsTheAgent() throws Exception {
        Path diagnostics = Files.createTempFile(agentDir, "stderr-", ".txt");
        Process raw = startProcess(ProcessBuilder.Redirect.to(diagnostics.toFile()));
        try {
            OutputStream in = raw.getOutputStream();
            InputStream out = raw.getInputStream();
            new Frame(0x55, 9, new byte[] {1, 2}).writeTo(in);
            new Frame(AgentProtocol.EXEC, 10, new byte[] {1, 2, 3}).writeTo(in);
            new Frame(AgentProtocol.SIGNAL, 11, new byte[] {0, 0, 0, 15}).writeTo(in);
            new Frame(AgentProtocol.WRITE_DATA, 12, new byte[] {1}).writeTo(in);
            new Request.Ping(13, new byte[] {42}).toFrame().writeTo(in);
            in.flush();
            List<Response> answers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                answers.add(Response.fromFrame(Frame.readFrom(out, AgentProtocol.MAX_RESPONSE_PAYLOAD)));
            }
            assertThat(answers.get(0)).isEqualTo(new Response.Error(9, AgentProtocol.Errno.EPROTO, "unknown request type 0x55"));
            assertThat(answers.get(1)).isEqualTo(new Response.Error(10, AgentProtocol.Errno.EPROTO, "malformed EXEC request"));
            assertThat(answers.get(2)).isInstanceOf(Response.Error.class).extracting(r -> ((Response.Error) r).errno())
                    .isEqualTo(AgentProtocol.Errno.ESRCH);
            assertThat(answers.get(3)).isInstanceOf(Response.Error.class);
            assertThat(answers.get(4)).isInstanceOf(Response.Pong.class);

            in.write(new byte[] {0x01, 0, 0, 0, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            in.flush();
            assertThat(raw.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(raw.exitValue()).isEqualTo(2);
            assertThat(Files.readString(diagnostics)).isEqualTo(
                    "ak-agent: unparseable frame (type 0x01, length 4294967295 > 1048576): giving up\n");
        } finally {
            raw.destroyForcibly();
        }
    }
}
